"""The API's travellers and trips: the HR forms' validation and words, history, idempotency."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from tests import factories
from trips.forms import TravellerForm, TripForm
from trips.models import Alert, StatusSnapshot, Traveller, Trip

TODAY = date(2026, 3, 20)


@pytest.fixture
def write_token(compliance):
    return factories.make_api_token(created_by=compliance, name="Personio sync")


@pytest.fixture
def api(write_token):
    return Client(headers={"Authorization": f"Bearer {write_token[1]}"})


def send(client, method: str, url: str, body=None, **headers):
    data = json.dumps(body if body is not None else {})
    return getattr(client, method)(url, data, content_type="application/json", headers=headers)


def trips_url(traveller) -> str:
    return f"/api/v1/travellers/{traveller.pk}/trips"


# --- Trips -------------------------------------------------------------------------------


def test_a_created_trip_is_saved_and_returned(api, traveller):
    body = {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-11", "host": "Astana LLP"}

    response = send(api, "post", trips_url(traveller), body)

    assert response.status_code == 201
    trip = Trip.objects.get(traveller=traveller)
    assert response.json() == {
        "id": trip.pk,
        "traveller": traveller.pk,
        "country": "KZ",
        "entry": "2026-03-02",
        "exit": "2026-03-11",
        "purpose": "business_meeting",
        "visa": None,
        "host": "Astana LLP",
        "address": "",
        "notes": "",
    }


def test_a_created_trip_refreshes_the_snapshot_and_the_alerts(
    api, traveller, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    # Day 40 of a visa-free stay in Kazakhstan: over the 30-day cap, an overstay.
    body = {"country": "KZ", "entry": str(today - timedelta(days=39))}

    with django_capture_on_commit_callbacks(execute=True):
        response = send(api, "post", trips_url(traveller), body)

    assert response.status_code == 201
    snapshot = StatusSnapshot.objects.get(traveller=traveller)
    assert snapshot.location == "KZ"
    assert snapshot.status == "overstay"
    assert Alert.objects.filter(traveller=traveller, severity="overstay").exists()


def form_errors(traveller, data: dict, instance=None) -> dict:
    """What the HR page's trip form says about the same data, field by field."""
    form = TripForm(data, instance=instance, traveller=traveller)
    assert not form.is_valid()
    return {
        None if field == "__all__" else field: [(e.code or "invalid", e.messages[0]) for e in errs]
        for field, errs in form.errors.as_data().items()
    }


def api_errors(response) -> dict:
    errors = {}
    for problem in response.json()["errors"]:
        errors.setdefault(problem["field"], []).append((problem["code"], problem["message"]))
    return errors


def trip(entry: str, exit: str | None = None, **fields) -> dict:
    return {"country": "KZ", "entry": entry} | ({"exit": exit} if exit else {}) | fields


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        pytest.param(trip("2026-03-10", "2026-03-02"), "exit", "exit_before_entry", id="exit"),
        pytest.param(trip("2026-03-05", "2026-03-08"), "entry", "overlap", id="overlap"),
        pytest.param(trip("2026-04-01"), "exit", "open_trip", id="two-open"),
        pytest.param(trip("1800-04-01", "1800-04-02"), "entry", "out_of_range", id="long-ago"),
    ],
)
def test_an_invalid_trip_gets_the_forms_words_with_field_and_code(
    api, traveller, body, field, code
):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 20), days=None)
    before = Trip.objects.count()

    response = send(api, "post", trips_url(traveller), body)

    assert response.status_code == 422
    errors = api_errors(response)
    assert code in [c for c, _message in errors[field]]
    # The page's form comes with the purpose chosen: the default the API starts from too.
    expected = form_errors(traveller, {"purpose": "business_meeting"} | body)
    assert errors == expected
    assert Trip.objects.count() == before


def test_a_visa_of_another_traveller_is_refused_as_on_the_page(api, traveller, other_traveller):
    visa = factories.make_visa(traveller=other_traveller)
    body = {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05", "visa": visa.pk}

    response = send(api, "post", trips_url(traveller), body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "visa",
            "code": "invalid_choice",
            "message": "Choose one of this traveller's own visas.",
        }
    ]


@pytest.mark.parametrize(
    ("body", "field", "code", "message"),
    [
        pytest.param(
            {"entry": "2026-03-02"},
            "country",
            "missing",
            "This field is required.",
            id="missing-country",
        ),
        pytest.param(
            trip("2026-02-30"),
            "entry",
            "date_from_datetime_parsing",
            "Enter a date as YYYY-MM-DD.",
            id="bad-date",
        ),
        pytest.param(
            trip("2026-05-01", country="XX"),
            "country",
            "enum",
            "Choose one of the values the schema lists.",
            id="land",
        ),
        pytest.param(
            trip("2026-05-01", purpose="fun"),
            "purpose",
            "enum",
            "Choose one of the values the schema lists.",
            id="why",
        ),
        pytest.param(
            trip("2026-05-01", country=7),
            "country",
            "enum",
            "Choose one of the values the schema lists.",
            id="number-for-text",
        ),
        pytest.param(
            trip("2026-05-01", host=7), "host", "string_type", "Enter text.", id="number-for-host"
        ),
        pytest.param(
            trip("2026-05-01", visa=True),
            "visa",
            "int_type",
            "Enter a whole number.",
            id="true-for-id",
        ),
        pytest.param(
            trip("2026-05-01", visa=2**64),
            "visa",
            "less_than_equal",
            f"Give at most {2**63 - 1}.",
            id="id-too-big",
        ),
        pytest.param(
            trip("2026-05-01", colour="red"),
            "colour",
            "extra_forbidden",
            "There is no such field.",
            id="unknown-field",
        ),
        pytest.param(
            trip("2026-05-01", purpose=None),
            "purpose",
            "null_not_allowed",
            "Leave this field out instead of sending null.",
            id="null-for-a-choice",
        ),
    ],
)
def test_a_body_that_does_not_fit_the_schema_names_the_field(
    api, traveller, body, field, code, message
):
    response = send(api, "post", trips_url(traveller), body)

    assert response.status_code == 422
    assert [(p["field"], p["code"], p["message"]) for p in response.json()["errors"]] == [
        (field, code, message)
    ]
    assert not Trip.objects.exists()


def test_a_body_that_is_not_json_is_a_400(api, traveller):
    response = api.post(trips_url(traveller), "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The body is not valid JSON."


def test_an_update_changes_only_the_fields_sent(api, traveller):
    trip = factories.make_trip(traveller=traveller, host="Old host", address="Abay Ave 1")

    response = send(api, "patch", f"{trips_url(traveller)}/{trip.pk}", {"host": "New host"})

    assert response.status_code == 200
    trip.refresh_from_db()
    assert (trip.host, trip.address, trip.exit) == ("New host", "Abay Ave 1", date(2026, 3, 11))


def test_an_update_with_a_null_exit_leaves_the_trip_open(api, traveller):
    trip = factories.make_trip(traveller=traveller)

    response = send(api, "patch", f"{trips_url(traveller)}/{trip.pk}", {"exit": None})

    assert response.status_code == 200
    assert response.json()["exit"] is None


def test_an_invalid_update_keeps_the_trip_as_it_was(api, traveller):
    trip = factories.make_trip(traveller=traveller)

    response = send(api, "patch", f"{trips_url(traveller)}/{trip.pk}", {"exit": "2026-01-01"})

    assert response.status_code == 422
    assert api_errors(response) == form_errors(
        traveller,
        {"country": "KZ", "entry": "2026-03-02", "exit": "2026-01-01", "purpose": trip.purpose},
        instance=trip,
    )
    trip.refresh_from_db()
    assert trip.exit == date(2026, 3, 11)


def test_a_deleted_trip_is_gone_and_its_deletion_recorded(api, traveller, compliance):
    trip = factories.make_trip(traveller=traveller)

    response = api.delete(f"{trips_url(traveller)}/{trip.pk}")

    assert response.status_code == 204
    assert not Trip.objects.filter(pk=trip.pk).exists()
    deleted = Trip.history.filter(id=trip.pk, history_type="-").get()
    assert deleted.history_user == compliance
    assert deleted.history_change_reason == "API token: Personio sync"


def test_a_trip_list_shows_the_travellers_trips_newest_first(api, traveller, other_traveller):
    old = factories.make_trip(traveller=traveller, entry=date(2026, 1, 5))
    new = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))
    factories.make_trip(traveller=other_traveller)

    response = api.get(trips_url(traveller))

    assert [trip["id"] for trip in response.json()["items"]] == [new.pk, old.pk]


def test_every_write_is_recorded_as_the_creator_naming_the_token(api, traveller, compliance):
    body = {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05"}
    trip_id = send(api, "post", trips_url(traveller), body).json()["id"]
    send(api, "patch", f"{trips_url(traveller)}/{trip_id}", {"host": "Changed"})
    send(api, "patch", f"/api/v1/travellers/{traveller.pk}", {"name": "Tom W."})

    records = [*Trip.history.filter(id=trip_id), *traveller.history.filter(history_type="~")]

    assert {(r.history_type, r.history_user, r.history_change_reason) for r in records} == {
        ("+", compliance, "API token: Personio sync"),
        ("~", compliance, "API token: Personio sync"),
    }
    assert len(records) == 3


# --- Idempotent creates ------------------------------------------------------------------


def test_a_retried_create_with_the_same_key_creates_one_trip(api, traveller):
    body = {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05"}

    first = send(api, "post", trips_url(traveller), body, **{"Idempotency-Key": "trip-77"})
    retry = send(api, "post", trips_url(traveller), body, **{"Idempotency-Key": "trip-77"})

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Trip.objects.filter(traveller=traveller).count() == 1


def test_the_same_key_with_another_request_is_refused(api, traveller):
    body = {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05"}
    send(api, "post", trips_url(traveller), body, **{"Idempotency-Key": "k-1"})

    other = send(
        api, "post", trips_url(traveller), body | {"host": "Else"}, **{"Idempotency-Key": "k-1"}
    )

    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert Trip.objects.filter(traveller=traveller).count() == 1


def test_a_refused_create_stores_no_key_so_the_corrected_retry_creates(api, traveller):
    key = {"Idempotency-Key": "fix-me"}
    bad = send(api, "post", trips_url(traveller), {"country": "KZ"}, **key)
    good = send(api, "post", trips_url(traveller), {"country": "KZ", "entry": "2026-03-02"}, **key)

    assert (bad.status_code, good.status_code) == (422, 201)
    assert Trip.objects.filter(traveller=traveller).count() == 1


def test_keys_belong_to_one_token(api, traveller, compliance):
    other_key = factories.make_api_token(created_by=compliance, name="Workday")[1]
    other = Client(headers={"Authorization": f"Bearer {other_key}"})
    key = {"Idempotency-Key": "shared"}

    first = {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05"}
    second = {"country": "DE", "entry": "2026-05-02", "exit": "2026-05-05"}
    send(api, "post", trips_url(traveller), first, **key)
    response = send(other, "post", trips_url(traveller), second, **key)

    assert response.status_code == 201
    assert Trip.objects.filter(traveller=traveller).count() == 2


def test_a_retried_traveller_create_creates_one_traveller(api, organisation):
    body = {"name": "Nina New", "employee_number": "E-9", "citizenship": "DE"}

    for _attempt in range(2):
        response = send(api, "post", "/api/v1/travellers", body, **{"Idempotency-Key": "nina"})

    assert response.status_code == 201
    assert Traveller.objects.filter(employee_number="E-9").count() == 1


def test_an_overlong_idempotency_key_is_refused(api, traveller):
    body = {"country": "KZ", "entry": "2026-03-02"}

    response = send(api, "post", trips_url(traveller), body, **{"Idempotency-Key": "k" * 201})

    assert response.status_code == 400
    assert not Trip.objects.exists()


# --- Travellers --------------------------------------------------------------------------


def test_a_created_traveller_gets_the_forms_defaults(api, organisation, hr):
    body = {"name": "Nina New", "employee_number": "E-9", "citizenship": "DE", "hr_owner": hr.pk}

    response = send(api, "post", "/api/v1/travellers", body)

    assert response.status_code == 201
    nina = Traveller.objects.get(employee_number="E-9")
    assert (nina.organisation, nina.active, nina.language, nina.hr_owner) == (
        organisation,
        True,
        "en",
        hr,
    )
    assert response.json()["status"] == "ok"


def test_a_taken_employee_number_gets_the_forms_words(api, organisation, traveller):
    body = {"name": "Twin", "employee_number": traveller.employee_number, "citizenship": "DE"}

    response = send(api, "post", "/api/v1/travellers", body)

    form = TravellerForm(body | {"language": "en", "active": True}, organisation=organisation)
    assert not form.is_valid()
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "employee_number",
            "code": "invalid",
            "message": form.errors["employee_number"][0],
        }
    ]


def test_an_hr_owner_of_another_organisation_is_refused(api, traveller, foreign_hr):
    response = send(api, "patch", f"/api/v1/travellers/{traveller.pk}", {"hr_owner": foreign_hr.pk})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "hr_owner"
    traveller.refresh_from_db()
    assert traveller.hr_owner_id != foreign_hr.pk


def test_deactivating_keeps_the_traveller_and_their_trips(api, traveller):
    factories.make_trip(traveller=traveller)

    response = api.post(f"/api/v1/travellers/{traveller.pk}/deactivate")

    assert response.status_code == 200
    assert response.json()["active"] is False
    traveller.refresh_from_db()
    assert not traveller.active
    assert traveller.trips.count() == 1
    assert traveller.user is not None


def test_the_list_filters_and_pages(api, organisation, traveller, other_traveller):
    factories.make_traveller(organisation=organisation, name="Zara Inactive", active=False)

    def names(query: str) -> list[str]:
        return [t["name"] for t in api.get(f"/api/v1/travellers?{query}").json()["items"]]

    assert names("") == ["Aigerim Sadykova", "Tom Weber", "Zara Inactive"]
    assert names("q=weber") == ["Tom Weber"]
    assert names("active=false") == ["Zara Inactive"]
    assert names("employee_number=E-1002") == ["Aigerim Sadykova"]
    assert names("status=overstay") == []
    assert names("page_size=2&page=2") == ["Zara Inactive"]
    page = api.get("/api/v1/travellers?page_size=2").json()
    assert (page["count"], page["page"], page["pages"]) == (3, 1, 2)


@pytest.mark.parametrize(
    "query", [pytest.param("page=0", id="page-0"), pytest.param("page_size=201", id="too-big")]
)
def test_a_bad_page_is_a_422_naming_the_parameter(api, traveller, query):
    response = api.get(f"/api/v1/travellers?{query}")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == query.split("=")[0]


def test_the_traveller_pages_history_names_the_token(api, client, hr, traveller):
    send(api, "post", trips_url(traveller), {"country": "KZ", "entry": "2026-03-02"})
    client.force_login(hr)

    page = client.get(traveller.get_absolute_url()).content.decode()

    assert "(API token: Personio sync)" in page


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_retries_create_one_trip(compliance, traveller):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL.")
    key = factories.make_api_token(created_by=compliance)[1]
    body = {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05"}
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def retry():
        try:
            client = Client(headers={"Authorization": f"Bearer {key}"})
            barrier.wait()
            answers.append(
                send(client, "post", trips_url(traveller), body, **{"Idempotency-Key": "r"})
            )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Trip.objects.filter(traveller=traveller).count() == 1


def test_a_key_is_kept_for_a_day(api, traveller, write_token):
    body = {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05"}
    send(api, "post", trips_url(traveller), body, **{"Idempotency-Key": "old"})
    write_token[0].idempotency_keys.update(created_at=timezone.now() - timedelta(days=1, hours=1))
    Trip.objects.all().delete()

    response = send(api, "post", trips_url(traveller), body, **{"Idempotency-Key": "old"})

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert Trip.objects.count() == 1
    assert write_token[0].idempotency_keys.count() == 1
