"""Hostile input to every page: a specific message or a clean 4xx, never a server error.

Hypothesis posts (and puts in the query string) random and hostile values to every URL of
the site: dates at the calendar's ends (0001-01-01, 9999-12-31), impossible dates and
non-dates, huge strings, control characters and unicode, negative and huge numbers, SQL and
HTML fragments, fields left out or sent twice, with and without htmx. For each answer:
- the status is a success, a redirect or a 4xx, never a 5xx;
- a refused change leaves every row of the app as it was, and says why on the page;
- no HTML that was sent comes back unescaped.
Valid values are mixed in, so that requests get past the first check and reach the engine.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from trips.forms import AddressChangeForm, NotificationForm, TravellerForm, TripForm, VisaForm
from trips.models import Alert, Trip, User
from trips.views.planner import PlanForm
from trips.views.settings import OrganisationSettingsForm

# Random examples per URL. Every class of input (the HOSTILE table, random text, integers,
# dates, valid values, a field sent twice, a field left out, with and without htmx) still
# reaches every page at 10, as it did at 25; which HOSTILE value reaches which page was
# left to chance (65% of the pairs at 25), and test_every_hostile_value_reaches_every_page
# now sends them all.
EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HTML = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert('x')>",
]
HOSTILE = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-02",
    "9999-12-30",
    "2026-02-30",
    "2026-13-45",
    "31.12.9999",
    "tomorrow",
    "",
    " ",
    "-1",
    "0",
    "2147483648",
    "99999999999999999999999999",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "\x00",
    "a\x00b",
    "\x1b[31m\x07\x08",
    "\u202eevil\u202c",
    "😀" * 40,
    "Ж" * 5000,
    "x" * 20_000,
    "'; DROP TABLE trips_trip; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(10)",
    "{{ request }}",
    "{% debug %}",
    "../../../etc/passwd",
    "%00",
    "https://evil.example/",
    "//evil.example",
    *HTML,
]

today = timezone.localdate()
DATES = [
    (today - timedelta(days=40)).isoformat(),
    (today - timedelta(days=5)).isoformat(),
    (today + timedelta(days=30)).isoformat(),
]
# Values a field would accept, so that some requests get past the first check.
VALID = {
    "country": ["KZ", "DE", "FR"],
    "citizenship": ["DE", "KZ"],
    "purpose": ["business_meeting", "montage", "Tourism"],
    "kind": ["b2_multiple", "schengen_c", "stay_day"],
    "reason": ["arrival", "address_change"],
    "language": ["en", "de"],
    "state": ["open", "all", "resolved"],
    "status": ["ok", "attention", "overstay"],
    "sort": ["urgency", "name", "kz_left"],
    "part": ["records", "history"],
    "active": ["on"],
    "tax_window": ["12_months", "365_days"],
    "montage_year": ["calendar", "rolling_365"],
    "page": ["1", "2", "last"],
    "plan-length": ["1", "10", "1000", "1001"],
    "entries_allowed": ["1", "2"],
    "days_allowed": ["30", "90"],
    "stay_day_warning": ["25", "30"],
}
DATE_FIELDS = {
    "entry",
    "exit",
    "valid_from",
    "valid_until",
    "changed_on",
    "filed_on",
    "plan-entry",
    "plan-exit",
}
LIST_FIELDS = ["q", "page", "sort", "status", "country", "kind", "state", "part", "next"]
# The fields each page reads: the forms' own lists, so that the table keeps up with them.
RECORD_FORMS = {
    "traveller": TravellerForm,
    "trip": TripForm,
    "visa": VisaForm,
    "address_change": AddressChangeForm,
    "notification": NotificationForm,
}
FORM_FIELDS = {
    **{
        f"trips:{name}_{verb}": [*form.Meta.fields, "version"]
        for name, form in RECORD_FORMS.items()
        for verb in ("create", "update")
    },
    "trips:traveller_plan": [f"plan-{name}" for name in PlanForm.base_fields],
    "trips:alert_assign": ["assignee", "next"],
    "trips:alert_resolve": ["note", "next"],
    "trips:alert_acknowledge": ["next"],
    "trips:traveller_erase": ["confirm"],
    "trips:organisation_settings": OrganisationSettingsForm.Meta.fields,
    "set_language": ["language", "next"],
    "login": ["username", "password", "next"],
}

MISSING = object()
OK_STATUSES = {200, 201, 204, 301, 302, 400, 401, 403, 404, 405, 409, 413, 422, 429}
# Django's own views with tests of their own; the admin is Django's.
SKIPPED_NAMES = {"logout", "password_reset_confirm"}


def url_names(patterns=None, namespace: str = ""):
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = entry.namespace or ""
            yield from url_names(entry.url_patterns, inner or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            if name not in SKIPPED_NAMES:
                yield name, list(entry.pattern.converters)


URLS = sorted(url_names())
API_URLS = [(name, converters) for name, converters in URLS if name.startswith("api:")]
PAGE_URLS = [(name, converters) for name, converters in URLS if not name.startswith("api:")]


def field_value(name: str):
    choices = [st.sampled_from(HOSTILE), st.text(max_size=30), st.integers().map(str)]
    if name in DATE_FIELDS:
        choices += [st.sampled_from(DATES), st.dates().map(lambda d: d.isoformat())]
    if name in VALID:
        choices.append(st.sampled_from(VALID[name]))
    single = st.one_of(*choices)
    return st.one_of(
        single,
        single,
        st.lists(single, min_size=2, max_size=3),  # the field sent twice or more
        st.just(MISSING),
    )


def request_data(fields: list[str]):
    return st.fixed_dictionaries({name: field_value(name) for name in fields}).map(
        lambda data: {k: v for k, v in data.items() if v is not MISSING}
    )


@pytest.fixture
def world(compliance, traveller, hr):
    """One of everything, so that every URL has an object to work on."""
    hr.email = "hanna@example.com"
    hr.save()
    trip = factories.make_trip(traveller=traveller, entry=today - timedelta(days=20), days=None)
    visa = factories.make_visa(traveller=traveller)
    change = factories.make_address_change(trip=trip)
    notification = factories.make_notification(trip=trip)
    alert = Alert.objects.create(
        traveller=traveller,
        kind="stay_day",
        subject=f"trip:{trip.pk}",
        severity="attention",
        opened_on=today,
        params={"day": 21, "exit": today.isoformat()},
    )
    return {
        "traveller": traveller.pk,
        "trip_pk": trip.pk,
        "visa_pk": visa.pk,
        "change_pk": change.pk,
        "notification_pk": notification.pk,
        "alert": alert.pk,
    }


def url_for(name: str, converters: list[str], world: dict) -> str:
    kwargs = {}
    for key in converters:
        if key == "pk":
            kwargs[key] = world["alert"] if ":alert_" in name else world["traveller"]
        elif key in world:
            kwargs[key] = world[key]
        else:
            kwargs[key] = "x" if key in {"uidb64", "token"} else 1
    return reverse(name, kwargs=kwargs)


# Bookkeeping that any request may write: a token's last use, a replayed request's key.
BOOKKEEPING = {"trips.ApiToken", "trips.IdempotencyKey", "trips.DailyRun", "trips.ApiRequestCount"}


def rows() -> dict:
    """Every row of the app's tables, history included."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("trips").get_models()
        if model._meta.label not in BOOKKEEPING
    }


def sent_values(data: dict) -> list[str]:
    found = []
    for value in data.values():
        found.extend(value if isinstance(value, list) else [value])
    return found


def assert_answered_safely(response, data: dict, *, name: str = "") -> None:
    # The health check says 503 by design while no daily run has finished.
    allowed = OK_STATUSES | {503} if name == "trips:healthz" else OK_STATUSES
    assert response.status_code in allowed, response.content[:2000]
    if not response.get("Content-Type", "").startswith("text/html"):
        return  # JSON and CSV are data, not markup (and sent with nosniff)
    content = response.content.decode(errors="replace")
    for value in sent_values(data):
        if value in HTML:
            assert value not in content, f"{value!r} came back unescaped"


# Pages whose change answers with a page of its result (a secret shown once), not a redirect.
ANSWERED_WITH_A_PAGE = {"trips:feed_create"}


def accepted(response, name: str) -> bool:
    """A change was made: a redirect after a save, or an htmx swap announcing the change."""
    if name in ANSWERED_WITH_A_PAGE and response.status_code == 200:
        return True
    return response.status_code in {301, 302} or "HX-Trigger" in response.headers


def shows_an_error(response) -> bool:
    content = response.content.decode(errors="replace")
    return any(mark in content for mark in ('class="errorlist', 'role="alert"', "error"))


FORM_FIELDS |= {
    "api:trip_create": TripForm.Meta.fields,
    "api:trip_update": TripForm.Meta.fields,
    "api:traveller_create": TravellerForm.Meta.fields,
    "api:traveller_update": TravellerForm.Meta.fields,
    "api:alert_assign": ["assignee"],
    "api:alert_resolve": ["note"],
    "api:check": ["regime", "on", "stays", "planned_entry", "reentry_lengths"],
    "api:trip_list": ["entry_after", "entry_before", "country", "page", "limit", "offset"],
    "api:traveller_list": ["q", "status", "page", "limit", "offset"],
    "api:alert_list": ["state", "kind", "page", "limit", "offset"],
}


def as_json(values: dict) -> str:
    """The values as a JSON body; numbers that look like numbers go as numbers, sometimes."""
    body = {}
    for key, value in values.items():
        if isinstance(value, str) and value.lstrip("-").isdecimal() and len(value) < 30:
            body[key] = int(value)
        else:
            body[key] = value
    return json.dumps(body)


@pytest.mark.parametrize(("name", "converters"), API_URLS, ids=[name for name, _c in API_URLS])
@settings(EXAMPLES, max_examples=10)
@given(data=st.data())
def test_hostile_json_to_the_api_never_causes_a_server_error(
    name, converters, data, world, compliance
):
    """The API with a valid token: hostile query parameters and JSON bodies, and bodies that
    are no JSON at all, to every method."""
    _token, key = factories.make_api_token(created_by=compliance)
    client = Client(raise_request_exception=True, headers={"Authorization": f"Bearer {key}"})
    url = url_for(name, converters, world)
    values = data.draw(request_data(FORM_FIELDS.get(name, []) + LIST_FIELDS))
    body = data.draw(st.one_of(st.just(as_json(values)), st.sampled_from(NOT_JSON)))

    assert_answered_safely(client.get(url, values), values)
    before = rows()
    refused = True
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(url, body, content_type="application/json")
        assert_answered_safely(response, values)
        refused = refused and response.status_code >= 400
        if response.status_code in {400, 409, 422}:
            assert "application/json" in response["Content-Type"], "the API says why in JSON"
    if refused:
        assert rows() == before, "a refused request changed the data"


NOT_JSON = ["", "{", "[]", "null", '"text"', "{'single': 'quotes'}", "\x00", "1e999", "[" * 5000]


@pytest.mark.parametrize(("name", "converters"), PAGE_URLS, ids=[name for name, _c in PAGE_URLS])
@EXAMPLES
@given(data=st.data(), htmx=st.booleans())
def test_hostile_values_never_cause_a_server_error(name, converters, data, htmx, world, compliance):
    client = Client(raise_request_exception=True)
    if name != "login":
        client.force_login(compliance)
    url = url_for(name, converters, world)
    fields = FORM_FIELDS.get(name, []) + LIST_FIELDS
    values = data.draw(request_data(fields))
    headers = {"HX-Request": "true"} if htmx else {}
    if name == "trips:trip_import":
        values["file"] = SimpleUploadedFile("trips.csv", data.draw(csv_files()))

    get_and_post_safely(client, url, name, values, headers)


def get_and_post_safely(client: Client, url: str, name: str, values: dict, headers: dict) -> None:
    """The values in the query string, then posted: answered safely, and a refused post
    changes nothing and says why."""
    got = client.get(url, values, headers=headers)
    assert_answered_safely(got, values, name=name)
    before = rows()
    posted = client.post(url, values, headers=headers)
    assert_answered_safely(posted, values, name=name)
    if not accepted(posted, name) and posted.status_code != 405:
        assert rows() == before, "a refused request changed the data"
        if posted.status_code == 200 and FORM_FIELDS.get(name) and name != "trips:traveller_plan":
            assert shows_an_error(posted), "refused without saying why"


def hostile_rotation(fields: list[str]) -> list[dict]:
    """As few requests as send every HOSTILE value once, one value in each field."""
    count = -(-len(HOSTILE) // len(fields))
    return [
        {field: HOSTILE[(k * len(fields) + i) % len(HOSTILE)] for i, field in enumerate(fields)}
        for k in range(count)
    ]


@pytest.mark.parametrize(("name", "converters"), PAGE_URLS, ids=[name for name, _c in PAGE_URLS])
def test_every_hostile_value_reaches_every_page(name, converters, world, compliance):
    """What the random examples above reach only by chance: each HOSTILE value in some field
    of every page, in the query string and posted, plain and with htmx."""
    client = Client(raise_request_exception=True)
    if name != "login":
        client.force_login(compliance)
    url = url_for(name, converters, world)

    for k, values in enumerate(hostile_rotation(FORM_FIELDS.get(name, []) + LIST_FIELDS)):
        headers = {"HX-Request": "true"} if k % 2 else {}
        get_and_post_safely(client, url, name, values, headers)


HEADER = "employee_number,country,entry,exit,purpose,host,address\n"


@st.composite
def csv_files(draw) -> bytes:
    cell = st.one_of(
        st.sampled_from(HOSTILE[:-4]),
        st.sampled_from(["E-1001", "KZ", *DATES, "conference"]),
        st.text(max_size=20),
    )
    lines = draw(st.lists(st.lists(cell, min_size=0, max_size=8), max_size=5))
    body = "\n".join(
        ",".join(c.replace(",", " ").replace("\n", " ") for c in line) for line in lines
    )
    header = draw(st.sampled_from([HEADER, "", "a;b;c\n", HEADER.replace(",", ";")]))
    text = header + body
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@EXAMPLES
@given(content=csv_files())
def test_a_hostile_csv_import_imports_everything_or_nothing(content, world, hr):
    client = Client(raise_request_exception=True)
    client.force_login(hr)
    before = rows()

    response = client.post(
        reverse("trips:trip_import"), {"file": SimpleUploadedFile("trips.csv", content)}
    )

    assert response.status_code in {200, 302}
    if response.status_code == 200:
        assert rows() == before
        assert shows_an_error(response)


def test_the_table_covers_the_forms_of_the_site():
    names = {name for name, _converters in URLS}
    assert set(FORM_FIELDS) - {"set_language", "login"} <= names
    assert User.Role.COMPLIANCE  # the persona reaching every page


RANGE_MESSAGE = "Give a date between"


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        pytest.param(
            "trips:traveller_plan",
            "get",
            {"plan-country": "KZ", "plan-entry": "9999-12-31", "plan-length": "10"},
            id="plan-ending-after-9999",
        ),
        pytest.param(
            "trips:traveller_plan",
            "get",
            {"plan-country": "KZ", "plan-entry": "9999-12-20", "plan-exit": "9999-12-31"},
            id="plan-in-9999",
        ),
        pytest.param(
            "trips:trip_create",
            "post",
            {"country": "KZ", "entry": "9999-12-31", "exit": "9999-12-31", "purpose": "tourism"},
            id="trip-in-9999",
        ),
        pytest.param(
            "trips:trip_create",
            "post",
            {"country": "DE", "entry": "0001-01-01", "exit": "0001-01-05", "purpose": "tourism"},
            id="trip-in-year-1",
        ),
        pytest.param(
            "trips:visa_create",
            "post",
            {
                "country": "KZ",
                "kind": "b2_multiple",
                "valid_from": "0001-01-01",
                "valid_until": "9999-12-31",
            },
            id="visa-valid-for-ever",
        ),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused_with_the_range(
    name, method, data, compliance, traveller
):
    client = Client(raise_request_exception=True)
    client.force_login(compliance)
    before = rows()

    response = getattr(client, method)(reverse(name, args=[traveller.pk]), data)

    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    assert rows() == before


LISTS = {
    "trips:home": ["q", "status", "country", "sort", "page"],
    "trips:traveller_list": ["q", "status", "page"],
    "trips:alert_list": ["q", "kind", "state", "page"],
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_every_list_answers_any_hostile_query_parameter(name, compliance, world, subtests):
    """Each hostile value in every parameter of every list at once, plain and with htmx.

    One subtest per value: the world is built once per list, not once per value."""
    client = Client(raise_request_exception=True)
    client.force_login(compliance)

    for index, value in enumerate(HOSTILE):
        with subtests.test(value=index):
            query = dict.fromkeys(LISTS[name], value)
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(reverse(name), query, headers=headers)

                assert_answered_safely(response, query)
                assert response.status_code == 200


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            (HEADER + "E-1001\x00,KZ,2026-01-05,2026-01-09,conference,,\n").encode(),
            id="nul-character",
        ),
        pytest.param("x".encode("utf-16"), id="utf-16"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), id="binary"),
    ],
)
def test_an_import_file_that_is_no_trip_list_is_refused_with_a_message(content, hr, traveller):
    client = Client(raise_request_exception=True)
    client.force_login(hr)
    before = rows()

    response = client.post(
        reverse("trips:trip_import"), {"file": SimpleUploadedFile("trips.csv", content)}
    )

    assert response.status_code == 200
    assert 'id="id_file_error"' in response.content.decode()
    assert rows() == before


@pytest.mark.parametrize(
    "cells",
    [
        pytest.param("E-1001,KZ,9999-12-31,9999-12-31,conference,,", id="year-9999"),
        pytest.param("E-1001,KZ,0001-01-01,0001-01-02,conference,,", id="year-1"),
    ],
)
def test_import_rows_at_the_ends_of_the_calendar_are_refused_in_the_preview(cells, hr, traveller):
    client = Client(raise_request_exception=True)
    client.force_login(hr)
    content = (HEADER + cells + "\n").encode()

    response = client.post(
        reverse("trips:trip_import"),
        {"file": SimpleUploadedFile("trips.csv", content)},
        follow=True,
    )

    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    assert not Trip.objects.exists()


@pytest.mark.django_db
def test_a_login_with_a_username_longer_than_any_is_refused_like_a_wrong_password():
    client = Client(raise_request_exception=True)

    response = client.post(reverse("login"), {"username": "x" * 300, "password": "secret"})

    assert response.status_code == 200
    assert "did not match" in response.content.decode()


def test_the_api_finds_nobody_by_an_employee_number_with_a_nul(compliance, traveller):
    _token, key = factories.make_api_token(created_by=compliance)
    client = Client(raise_request_exception=True, headers={"Authorization": f"Bearer {key}"})

    response = client.get(reverse("api:traveller_list"), {"employee_number": "E-1001\x00"})

    assert response.status_code == 200
    assert traveller.name not in response.content.decode()
