"""Two people editing the same trip one after the other: the later save never overwrites."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories

CHANGED_MEANWHILE = "Someone else changed this trip meanwhile. Reload the page"


@pytest.fixture
def trip(traveller):
    return factories.make_trip(traveller=traveller, entry=timezone.localdate() - timedelta(20))


def edit(client, user, trip, **fields):
    client.force_login(user)
    data = {
        "country": trip.country,
        "entry": trip.entry,
        "exit": trip.exit,
        "purpose": trip.purpose,
        **fields,
    }
    return client.post(reverse("trips:trip_update", args=[trip.traveller_id, trip.pk]), data)


def test_the_edit_form_carries_the_version_it_was_loaded_at(client, hr, trip):
    client.force_login(hr)

    page = client.get(reverse("trips:trip_update", args=[trip.traveller_id, trip.pk]))

    assert '<input type="hidden" name="version" value="0"' in page.content.decode()


def test_each_save_raises_the_version(client, hr, trip):
    edit(client, hr, trip, version=0, host="First")
    edit(client, hr, trip, version=1, host="Second")

    trip.refresh_from_db()
    assert (trip.version, trip.host) == (2, "Second")


def test_a_save_from_a_form_loaded_before_someone_elses_save_is_refused(client, hr, trip):
    colleague = factories.make_user(organisation=hr.organisation)
    assert edit(client, colleague, trip, version=0, host="Colleague's").status_code == 302

    response = edit(client, hr, trip, version=0, host="Mine")

    assert response.status_code == 200
    assert CHANGED_MEANWHILE in response.content.decode()
    trip.refresh_from_db()
    assert trip.host == "Colleague's"
    assert trip.version == 1


@pytest.mark.parametrize(
    "version",
    [
        pytest.param("-1", id="negative"),
        pytest.param("abc", id="not-a-number"),
        pytest.param("99999999999999999999999", id="huge"),
    ],
)
def test_a_tampered_version_is_refused_with_the_reload_message(client, hr, trip, version):
    response = edit(client, hr, trip, version=version, host="Forged")

    assert response.status_code == 200
    assert CHANGED_MEANWHILE in response.content.decode()
    trip.refresh_from_db()
    assert trip.host == ""
