"""The dashboard's live fragment is cached per organisation and never outlives the data.

Every write of snapshots or travellers adds to the organisation's data version in its own
transaction; the next poll after any of them shows the new figures.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.dashboard import fragments as dashboard_cache
from trips.evaluation import services, snapshots
from trips.files import privacy
from trips.models import DailyRun, Trip, User
from trips.upkeep import daily, tasks

URL = reverse("trips:home")
POLL = {"HX-Request": "true"}


def poll(client, query: str = "", **headers) -> str:
    response = client.get(URL + query, headers={**POLL, **headers})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def in_kazakhstan(traveller):
    """Tom came back from a 10-day stay in Kazakhstan ten days ago: 10 days used, 80 left."""
    today = timezone.localdate()
    trip = factories.make_trip(traveller=traveller, entry=today - timedelta(days=20), days=10)
    snapshots.traveller_changed(traveller, on=today)
    return trip


def lengthen_behind_the_cache(trip: Trip, days: int) -> None:
    """Change the trip without any refresh, as if someone edited the database by hand."""
    Trip.objects.filter(pk=trip.pk).update(exit=trip.entry + timedelta(days=days - 1))


def test_a_poll_with_nothing_written_is_answered_from_the_cache(client, hr, in_kazakhstan):
    client.force_login(hr)
    assert "10 / 80" in poll(client)

    lengthen_behind_the_cache(in_kazakhstan, 15)

    assert "10 / 80" in poll(client)


def test_the_page_and_its_poll_share_the_cached_live_part(client, hr, in_kazakhstan):
    client.force_login(hr)
    assert "10 / 80" in client.get(URL).content.decode()

    lengthen_behind_the_cache(in_kazakhstan, 15)

    assert "10 / 80" in poll(client)
    page = client.get(URL).content.decode()
    assert "10 / 80" in page
    assert '<div id="dashboard-live"' in page  # the stored HTML, not escaped
    snapshots.traveller_changed(in_kazakhstan.traveller, on=timezone.localdate())
    assert "15 / 75" in client.get(URL).content.decode()


def test_a_trip_saved_through_its_form_shows_at_the_next_poll(client, hr, traveller, in_kazakhstan):
    client.force_login(hr)
    assert "10 / 80" in poll(client)

    response = client.post(
        reverse("trips:trip_update", args=[traveller.pk, in_kazakhstan.pk]),
        {
            "country": "KZ",
            "purpose": "business_meeting",
            "entry": in_kazakhstan.entry.isoformat(),
            "exit": (in_kazakhstan.entry + timedelta(days=14)).isoformat(),
        },
    )

    assert response.status_code == 302
    assert "15 / 75" in poll(client)


def test_the_daily_run_shows_at_the_next_poll(client, hr, in_kazakhstan):
    client.force_login(hr)
    assert "10 / 80" in poll(client)
    lengthen_behind_the_cache(in_kazakhstan, 15)

    # A change behind the app's back is seen by a full run (weekly, or refresh_alerts --full).
    daily.finish(daily.run_daily(on=timezone.localdate(), full=True))

    assert "15 / 75" in poll(client)


def test_the_settings_refresh_shows_at_the_next_poll(client, hr, organisation, in_kazakhstan):
    client.force_login(hr)
    assert "10 / 80" in poll(client)
    lengthen_behind_the_cache(in_kazakhstan, 15)

    tasks.refresh_organisation.call(organisation.pk, timezone.localdate().isoformat())

    assert "15 / 75" in poll(client)


def test_an_import_shows_at_the_next_poll(client, hr, traveller, in_kazakhstan):
    client.force_login(hr)
    assert "10 / 80" in poll(client)
    entry = timezone.localdate() - timedelta(days=5)
    trip = Trip(traveller=traveller, country="KZ", entry=entry, exit=entry + timedelta(days=2))

    services.save_imported_trips([trip], by=hr, on=timezone.localdate())

    assert "13 / 77" in poll(client)


def test_an_erased_traveller_leaves_the_next_poll(client, hr, traveller, in_kazakhstan):
    client.force_login(hr)
    assert "Tom Weber" in poll(client)

    privacy.erase(traveller, on=timezone.localdate())

    assert "Tom Weber" not in poll(client)


def test_a_renamed_traveller_shows_at_the_next_poll(client, hr, traveller, in_kazakhstan):
    client.force_login(hr)
    assert "Tom Weber" in poll(client)

    traveller.name = "Thomas Weber-Nowak"
    traveller.save()

    assert "Thomas Weber-Nowak" in poll(client)


def test_a_snapshot_saved_on_its_own_shows_at_the_next_poll(client, hr, traveller, in_kazakhstan):
    client.force_login(hr)
    assert "10 / 80" in poll(client)

    traveller.snapshot.kz_days_used = 11
    traveller.snapshot.save()

    assert "11 / 80" in poll(client)


def test_languages_and_query_strings_are_cached_apart(client, hr, traveller, other_traveller):
    client.force_login(hr)
    assert "Active travellers, most urgent first" in poll(client)
    assert "Aigerim Sadykova" in poll(client)

    german = poll(client, **{"Accept-Language": "de"})
    searched = poll(client, "?q=Weber")

    assert "Active travellers, most urgent first" not in german
    assert 'lang="de"' in client.get(URL, headers={"Accept-Language": "de"}).content.decode()
    assert "Tom Weber" in searched
    assert "Aigerim Sadykova" not in searched


def test_another_organisation_never_gets_the_cached_fragment(
    client, hr, foreign_hr, traveller, foreign_traveller
):
    client.force_login(hr)
    assert "Tom Weber" in poll(client)

    client.force_login(foreign_hr)
    content = poll(client)

    assert "Outsider Person" in content
    assert "Tom Weber" not in content


def test_a_compliance_admin_shares_the_organisation_fragment(client, compliance, traveller):
    client.force_login(compliance)

    assert "Tom Weber" in poll(client)


def test_a_cached_poll_asks_the_database_for_session_user_version_and_cache_only(
    client, hr, traveller, in_kazakhstan, settings
):
    settings.STAYSITE_DAILY_RUN_IN_REQUESTS = True
    now = timezone.now()
    DailyRun.objects.create(on=timezone.localdate(), claimed_at=now, finished_at=now)
    client.force_login(hr)
    poll(client)  # stores the fragment, and the process sees today's run done

    with CaptureQueriesContext(connection) as queries:
        poll(client)

    tables = [query["sql"].split(" FROM ")[1].split()[0] for query in queries.captured_queries]
    assert tables == [
        '"django_session"',
        '"trips_user"',
        '"trips_organisation"',  # whether a second factor is owed
        '"trips_datachange"',
        '"staysite_cache"',
    ]


def test_a_poll_carries_an_etag_and_must_be_revalidated(client, hr, in_kazakhstan):
    client.force_login(hr)

    response = client.get(URL, headers=POLL)

    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert "private" in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]
    assert "HX-Request" in response["Vary"]
    assert "Cookie" in response["Vary"]


def test_a_poll_of_an_unchanged_fragment_is_answered_not_modified_without_the_cache(
    client, hr, in_kazakhstan
):
    client.force_login(hr)
    etag = client.get(URL, headers=POLL)["ETag"]

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, headers={**POLL, "If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "no-cache" in response["Cache-Control"]
    assert "staysite_cache" not in " ".join(query["sql"] for query in queries.captured_queries)


def test_a_poll_after_a_change_is_answered_in_full_despite_the_old_etag(client, hr, in_kazakhstan):
    client.force_login(hr)
    etag = client.get(URL, headers=POLL)["ETag"]
    lengthen_behind_the_cache(in_kazakhstan, 15)
    snapshots.traveller_changed(in_kazakhstan.traveller, on=timezone.localdate())

    response = client.get(URL, headers={**POLL, "If-None-Match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "15 / 75" in response.content.decode()


@pytest.mark.parametrize(
    "headers, query",
    [
        pytest.param({"Accept-Language": "de"}, "", id="another-language"),
        pytest.param({}, "?q=Weber", id="a-search"),
        pytest.param({}, "?page=2", id="another-page"),
    ],
)
def test_a_poll_for_other_words_or_rows_is_answered_in_full(
    client, hr, in_kazakhstan, headers, query
):
    client.force_login(hr)
    etag = client.get(URL, headers=POLL)["ETag"]

    response = client.get(URL + query, headers={**POLL, **headers, "If-None-Match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_another_organisations_etag_is_no_match(
    client, hr, foreign_hr, traveller, foreign_traveller
):
    client.force_login(foreign_hr)
    etag = client.get(URL, headers=POLL)["ETag"]
    client.force_login(hr)

    response = client.get(URL, headers={**POLL, "If-None-Match": etag})

    assert response.status_code == 200
    assert "Tom Weber" in response.content.decode()


def test_the_whole_page_carries_no_etag(client, hr, in_kazakhstan):
    client.force_login(hr)

    response = client.get(URL)

    assert response.status_code == 200
    assert "ETag" not in response


def test_folding_the_changes_keeps_each_version(organisation, other_organisation):
    dashboard_cache.data_changed([organisation.pk, other_organisation.pk])
    dashboard_cache.data_changed([organisation.pk])
    before = (
        dashboard_cache.version(organisation.pk),
        dashboard_cache.version(other_organisation.pk),
    )

    dashboard_cache.fold_changes()
    dashboard_cache.data_changed([organisation.pk])

    assert before == (2, 1)
    assert dashboard_cache.version(organisation.pk) == 3
    assert dashboard_cache.version(other_organisation.pk) == 1


def test_only_hr_fragments_are_cached(client, traveller_user, traveller):
    assert traveller_user.role == User.Role.TRAVELLER
    client.force_login(traveller_user)

    response = client.get(URL, headers=POLL)

    assert response.status_code == 302
