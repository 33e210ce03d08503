"""The HR dashboard: one row per active traveller from the status snapshot."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.choices import AlertKind, Status
from trips.dashboard import listing
from trips.evaluation import snapshots
from trips.models import StatusSnapshot, Traveller

URL = reverse("trips:home")


def snapshot(traveller, **fields) -> StatusSnapshot:
    urgency = {"ok": 0, "attention": 1, "action": 2, "overstay": 3}
    fields.setdefault("status", Status.OK)
    fields.setdefault("urgency", urgency[fields["status"]])
    fields.setdefault("evaluated_on", timezone.localdate())
    return StatusSnapshot.objects.create(traveller=traveller, **fields)


def row_order(content: str, names: list[str]) -> list[str]:
    return sorted(names, key=content.index)


def test_hr_sees_one_row_per_active_traveller_with_the_snapshot_figures(client, hr, traveller):
    today = timezone.localdate()
    snapshot(
        traveller,
        status=Status.ATTENTION,
        location="KZ",
        location_since=today - timedelta(days=25),
        stay_day=26,
        stay_cap=30,
        kz_days_used=61,
        kz_days_left=29,
        latest_legal_exit=today + timedelta(days=4),
        next_deadline=today + timedelta(days=4),
        reason_kind=AlertKind.STAY_DAY,
        reason_params={"day": 26, "exit": str(today + timedelta(days=4))},
        next_deadline_kind=AlertKind.EXIT_SOON,
        next_deadline_params={"exit": str(today + timedelta(days=4)), "days_to_exit": 4},
        tax_days=120,
    )
    inactive = factories.make_traveller(
        organisation=hr.organisation, name="Retired Person", active=False
    )
    snapshot(inactive)
    client.force_login(hr)

    response = client.get(URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Tom Weber" in content
    assert "Retired Person" not in content
    assert 'class="status status-attention"' in content
    assert "Day 26 of a 30-day visa-free stay; leave by" in content
    assert "day 26 of 30" in content
    assert "61 / 29" in content
    assert "in 4 days" in content
    assert "Latest legal exit" in content
    assert ">120<" in content


def test_a_traveller_without_a_snapshot_shows_as_not_assessed_yet(client, hr, traveller):
    client.force_login(hr)

    content = client.get(URL).content.decode()

    assert "Tom Weber" in content
    assert "Not assessed yet" in content


def test_a_traveller_added_with_a_trip_gets_a_snapshot_through_traveller_changed(hr, traveller):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=9), days=None)

    snapshots.traveller_changed(traveller, on=today)

    row = StatusSnapshot.objects.get(traveller=traveller)
    assert row.location == "KZ"
    assert row.stay_day == 10


def test_rows_are_sorted_by_urgency_then_by_the_nearest_deadline(client, hr, organisation):
    today = timezone.localdate()
    names = ["Calm Carla", "Soon Sam", "Later Lena", "Over Otto"]
    calm, soon, later, over = (
        factories.make_traveller(organisation=organisation, name=n) for n in names
    )
    snapshot(calm, status=Status.OK)
    snapshot(later, status=Status.ACTION, next_deadline=today + timedelta(days=6))
    snapshot(soon, status=Status.ACTION, next_deadline=today + timedelta(days=1))
    snapshot(over, status=Status.OVERSTAY)
    client.force_login(hr)

    content = client.get(URL).content.decode()

    assert row_order(content, names) == ["Over Otto", "Soon Sam", "Later Lena", "Calm Carla"]


def test_the_status_filter_keeps_only_that_status(client, hr, traveller, other_traveller):
    snapshot(traveller, status=Status.OVERSTAY)
    snapshot(other_traveller, status=Status.OK)
    client.force_login(hr)

    content = client.get(URL, {"status": "overstay"}).content.decode()

    assert "Tom Weber" in content
    assert "Aigerim Sadykova" not in content


def test_the_country_filter_keeps_travellers_who_are_there_now(
    client, hr, traveller, other_traveller
):
    snapshot(traveller, location="KZ", location_since=date(2026, 1, 5))
    snapshot(other_traveller, location="DE", location_since=date(2026, 1, 5))
    client.force_login(hr)

    content = client.get(URL, {"country": "DE"}).content.decode()

    assert "Aigerim Sadykova" in content
    assert "Tom Weber" not in content


def test_search_finds_by_name_or_employee_number(client, hr, traveller, other_traveller):
    client.force_login(hr)

    by_name = client.get(URL, {"q": "aigerim"}).content.decode()
    by_number = client.get(URL, {"q": "E-1001"}).content.decode()

    assert "Aigerim Sadykova" in by_name and "Tom Weber" not in by_name
    assert "Tom Weber" in by_number and "Aigerim Sadykova" not in by_number


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)
@pytest.mark.parametrize(
    "index",
    [
        # Names and emails are searched without accents (migration 0022), numbers as typed.
        pytest.param("trips_traveller_name_fold_trgm", id="name"),
        pytest.param("trips_traveller_employee_number_trgm", id="employee-number"),
        pytest.param("trips_traveller_email_fold_trgm", id="email"),
    ],
)
def test_search_on_postgresql_can_read_an_index_for_any_part_of_the_text(traveller, index):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as on a table too big to read

    plan = Traveller.objects.search("weber").explain()

    assert index in plan


def test_an_unmatched_search_says_so(client, hr, traveller):
    client.force_login(hr)

    content = client.get(URL, {"q": "nobody-like-this"}).content.decode()

    assert "No traveller matches these filters." in content


def test_the_dashboard_shows_fifty_rows_a_page(client, hr, organisation):
    for i in range(55):
        factories.make_traveller(organisation=organisation, name=f"Person {i:02d}")
    client.force_login(hr)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()

    assert first.count('class="dashboard-row"') == 50
    assert second.count('class="dashboard-row"') == 5
    assert "Page 2 of 2" in second


def test_summary_counts_overstays_actions_due_this_week_and_approaching_limits(
    client, hr, organisation
):
    today = timezone.localdate()
    people = [factories.make_traveller(organisation=organisation) for _ in range(5)]
    snapshot(people[0], status=Status.OVERSTAY)
    snapshot(people[1], status=Status.ACTION, next_deadline=today + timedelta(days=3))
    snapshot(people[2], status=Status.ACTION, next_deadline=today + timedelta(days=20))
    snapshot(people[3], status=Status.ATTENTION)
    client.force_login(hr)

    counts = client.get(URL).context["counts"]

    assert counts == {
        "total": 5,
        "overstays": 1,
        "due_this_week": 1,
        "approaching": 1,
        "not_assessed": 1,
    }


def test_the_htmx_poll_gets_the_live_fragment_only(client, hr, traveller):
    client.force_login(hr)

    response = client.get(URL, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert "<html" not in content
    assert 'id="dashboard-live"' in content
    assert 'hx-trigger="every 60s, traveller-changed from:body"' in content
    assert "Tom Weber" in content


def test_the_poll_interval_comes_from_the_setting(client, hr, settings):
    settings.STAYSITE_DASHBOARD_POLL_SECONDS = 2
    client.force_login(hr)

    content = client.get(URL).content.decode()

    assert 'hx-trigger="every 2s, traveller-changed from:body"' in content


def test_hr_never_sees_another_organisations_travellers(client, hr, foreign_traveller):
    snapshot(foreign_traveller)
    client.force_login(hr)

    content = client.get(URL).content.decode()

    assert "Outsider Person" not in content


def test_a_traveller_is_sent_from_home_to_their_own_page(client, traveller_user, traveller):
    client.force_login(traveller_user)

    home = client.get(URL)
    me = client.get(reverse("trips:me"))

    assert home.url == reverse("trips:me")
    assert me.url == traveller.get_absolute_url()


def test_a_traveller_without_a_record_sees_a_message_not_a_redirect_loop(client, organisation):
    user = factories.make_user(organisation=organisation, role="traveller")
    client.force_login(user)

    response = client.get(reverse("trips:me"))

    assert response.status_code == 200
    assert "not linked to a traveller record" in response.content.decode()


def _dashboard_queries(client, hr, organisation, count, django_assert_num_queries, expected):
    today = timezone.localdate()
    for i in range(count):
        person = factories.make_traveller(organisation=organisation, name=f"Person {i:02d}")
        snapshot(
            person,
            status=[Status.OK, Status.ATTENTION, Status.ACTION][i % 3],
            next_deadline=today + timedelta(days=i),
            location="KZ",
            location_since=today,
        )
    client.force_login(hr)
    with django_assert_num_queries(expected):
        response = client.get(URL)
    assert response.content.decode().count('class="dashboard-row"') == count


# A page whose live part is not cached yet: session, user, whether the user owes a second
# factor, whether today's run has finished or is under way, the data version and the cache
# miss; the summary's two (the kept counts per status, which count the unfiltered list too, and
# the few snapshots that depend on the day) and the page's rows; storing the live part (the
# cache's size, then a savepoint around a look-up and an insert).
DASHBOARD_QUERIES = 15


@pytest.mark.parametrize("count", [3, 30])
def test_the_dashboard_query_count_does_not_grow_with_the_travellers(
    client, hr, organisation, count, django_assert_num_queries
):
    _dashboard_queries(
        client, hr, organisation, count, django_assert_num_queries, DASHBOARD_QUERIES
    )


def test_hr_may_sort_by_name_instead_of_urgency(client, hr, organisation):
    names = ["Zoe Urgent", "Adam Calm"]
    urgent, calm = (factories.make_traveller(organisation=organisation, name=n) for n in names)
    snapshot(urgent, status=Status.OVERSTAY)
    snapshot(calm, status=Status.OK)
    client.force_login(hr)

    by_urgency = client.get(URL).content.decode()
    by_name = client.get(URL, {"sort": "name"}).content.decode()

    assert row_order(by_urgency, names) == ["Zoe Urgent", "Adam Calm"]
    assert row_order(by_name, names) == ["Adam Calm", "Zoe Urgent"]
    assert "sort=name" in by_name  # the poll keeps the chosen order


def test_a_traveller_created_through_the_ui_is_assessed_at_once(client, hr):
    client.force_login(hr)

    client.post(
        reverse("trips:traveller_create"),
        {
            "name": "Nina New",
            "email": "nina@example.com",
            "employee_number": "E-2001",
            "citizenship": "DE",
            "language": "de",
            "active": "on",
        },
    )
    content = client.get(URL).content.decode()

    assert "Nina New" in content
    assert "Not assessed yet" not in content
    assert "Within every limit." in content


@pytest.fixture
def mixed(organisation):
    """Three assessed travellers and two without a snapshot yet, names against the order."""
    today = timezone.localdate()
    for name, status, due in [
        ("Zoe", Status.ACTION, 3),
        ("Yann", Status.ACTION, 9),
        ("Xaver", Status.OK, None),
    ]:
        deadline = None if due is None else today + timedelta(days=due)
        snapshot(
            factories.make_traveller(organisation=organisation, name=name),
            status=status,
            next_deadline=deadline,
            kz_days_left=40 if name == "Zoe" else 10,
        )
    for name in ("Bea", "Al"):
        factories.make_traveller(organisation=organisation, name=name)
    return Traveller.objects.filter(organisation=organisation).select_related("snapshot")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        pytest.param("urgency", ["Zoe", "Yann", "Xaver", "Al", "Bea"], id="urgency"),
        pytest.param("deadline", ["Zoe", "Yann", "Xaver", "Al", "Bea"], id="deadline"),
        pytest.param("kz_left", ["Xaver", "Yann", "Zoe", "Al", "Bea"], id="kz-left"),
    ],
)
def test_assessed_travellers_come_first_in_the_chosen_order_on_every_page(mixed, sort, expected):
    listed = listing.AssessedFirst(mixed, listing.SORTS[sort][1])
    windows = [(start, stop) for start in range(6) for stop in range(start, 7)]

    assert [t.name for t in listed] == expected
    assert listed.count() == len(expected)
    for start, stop in windows:
        assert [t.name for t in listed[start:stop]] == expected[start:stop], (start, stop)
