"""API tokens: made and revoked on the settings page or by command, hashed, limited, capped."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories, pages
from trips.api import auth
from trips.models import ApiRequestCount, ApiToken, Trip, User


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


def create_on_the_page(client, **fields):
    data = {"name": "Personio sync", "role": "read_write"}
    data["valid_until"] = timezone.localdate() + timedelta(days=30)
    return client.post(reverse("trips:api_token_create"), data | fields)


def test_a_compliance_admin_creates_a_token_and_sees_its_key_once(client, compliance):
    client.force_login(compliance)

    response = create_on_the_page(client)

    assert response.status_code == 200
    token = ApiToken.objects.get()
    key = response.context["new_key"]
    assert key in response.content.decode()
    assert "not shown again" in response.content.decode()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert (token.name, token.role, token.created_by) == ("Personio sync", "read_write", compliance)
    assert key not in json.dumps(list(ApiToken.objects.values()), default=str)
    page = client.get(reverse("trips:organisation_settings")).content.decode()
    assert "Personio sync" in page
    assert token.prefix in page
    assert key not in page
    assert bearer(key).get("/api/v1/travellers").status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"valid_until": "2000-01-01"}, "The last valid day is in the past.", id="past"
        ),
        pytest.param(
            {"name": "Taken"}, "Another token of this organisation has this name.", id="taken"
        ),
        pytest.param({"name": ""}, "This field is required.", id="no-name"),
    ],
)
def test_an_invalid_token_form_says_why_and_creates_nothing(client, compliance, fields, message):
    factories.make_api_token(created_by=compliance, name="Taken")
    client.force_login(compliance)

    response = create_on_the_page(client, **fields)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "new_key" not in response.context
    assert ApiToken.objects.count() == 1


def test_a_revoked_token_is_refused_and_its_revocation_recorded(client, compliance):
    token, key = factories.make_api_token(created_by=compliance)
    client.force_login(compliance)

    response = client.post(reverse("trips:api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.history.first().history_user == compliance
    refused = bearer(key).get("/api/v1/travellers")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert refused.json()["errors"][0]["code"] == "unauthorised"


def test_a_revoked_tokens_name_may_be_used_again(client, compliance):
    token, _key = factories.make_api_token(created_by=compliance, name="Personio sync")
    client.force_login(compliance)
    client.post(reverse("trips:api_token_revoke", args=[token.pk]))

    response = create_on_the_page(client, name="Personio sync")

    assert "new_key" in response.context


def test_the_settings_offer_a_live_token_a_posted_revoke_button(client, compliance):
    token, _key = factories.make_api_token(created_by=compliance, name="Personio sync")
    client.force_login(compliance)

    page = client.get(reverse("trips:organisation_settings")).content.decode()

    url = reverse("trips:api_token_revoke", args=[token.pk])
    form = pages.posted_form(page, url)
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'class="button small danger">Revoke</button>' in form


@pytest.mark.parametrize(
    ("days", "status"),
    [
        pytest.param(0, 200, id="last-valid-day"),
        pytest.param(-1, 401, id="expired-yesterday"),
    ],
)
def test_a_token_works_through_its_last_valid_day(compliance, days, status):
    valid_until = timezone.localdate() + timedelta(days=days)
    _token, key = factories.make_api_token(created_by=compliance, valid_until=valid_until)

    assert bearer(key).get("/api/v1/travellers").status_code == status


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Bearer", id="no-key"),
        pytest.param("Bearer sts_guessed", id="unknown-key"),
        pytest.param("Token sts_x", id="other-scheme"),
    ],
)
def test_a_missing_or_unknown_key_is_a_401(compliance, header):
    response = Client(headers={"Authorization": header}).get("/api/v1/travellers")

    assert response.status_code == 401


def test_a_login_session_does_not_open_the_api(client, compliance):
    client.force_login(compliance)

    assert client.get("/api/v1/travellers").status_code == 401


def test_a_tokens_last_use_is_recorded(compliance):
    token, key = factories.make_api_token(created_by=compliance)

    bearer(key).get("/api/v1/travellers")

    token.refresh_from_db()
    assert token.last_used_at is not None


# --- The command -------------------------------------------------------------------------


def test_the_command_prints_a_working_read_write_token(capsys, compliance, traveller):
    call_command("create_api_token", compliance.username, "--name", "script")

    key = capsys.readouterr().out.strip()
    body = {"country": "KZ", "entry": "2026-03-02"}
    response = bearer(key).post(
        f"/api/v1/travellers/{traveller.pk}/trips", body, content_type="application/json"
    )
    assert response.status_code == 201
    assert ApiToken.objects.get().role == "read_write"


def test_a_read_only_token_reads_but_may_not_write(capsys, compliance, traveller):
    call_command("create_api_token", compliance.username, "--name", "bi", "--read-only")
    client = bearer(capsys.readouterr().out.strip())

    response = client.post(
        f"/api/v1/travellers/{traveller.pk}/trips",
        {"country": "KZ", "entry": "2026-03-02"},
        content_type="application/json",
    )

    assert client.get(f"/api/v1/travellers/{traveller.pk}").status_code == 200
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == (
        "This token is read-only: it may not change anything."
    )
    assert not Trip.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["nobody", "--name", "x"], "There is no user 'nobody'.", id="no-user"),
        pytest.param(["staff", "--name", "x"], "belongs to no organisation", id="no-org"),
        pytest.param(["carl.compliance", "--name", " "], "--name must be", id="blank-name"),
        pytest.param(["carl.compliance", "--name", "x", "--days", "0"], "--days", id="days"),
        pytest.param(["carl.compliance", "--name", "Taken"], "already has a token", id="taken"),
    ],
)
def test_the_command_refuses_bad_arguments_with_a_message(compliance, arguments, message):
    factories.make_user(organisation=None, username="staff", is_staff=True)
    factories.make_api_token(created_by=compliance, name="Taken")

    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *arguments)

    assert ApiToken.objects.count() == 1


# --- A token is its creator's delegate, never more -----------------------------------------


def _deactivate(user):
    user.is_active = False
    user.save()


def _lower_to_traveller(user):
    user.role = "traveller"
    user.save()


def _move_to_another_organisation(user):
    user.organisation = factories.make_organisation(name="Elsewhere Ltd")
    user.save()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_deactivate, id="deactivated"),
        pytest.param(_lower_to_traveller, id="role-lowered"),
        pytest.param(_move_to_another_organisation, id="organisation-changed"),
    ],
)
def test_a_change_to_its_creator_revokes_a_token_for_good(compliance, traveller, change):
    token, key = factories.make_api_token(created_by=compliance)
    assert bearer(key).get("/api/v1/travellers").status_code == 200

    change(compliance)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.history.first().history_change_reason.startswith("Its creator")
    assert bearer(key).get("/api/v1/travellers").status_code == 401
    assert bearer(key).get(f"/api/v1/travellers/{traveller.pk}").status_code == 401
    # Restored, the creator does not bring a revoked token back.
    User.objects.filter(pk=compliance.pk).update(
        is_active=True, role="compliance", organisation=traveller.organisation
    )
    assert bearer(key).get("/api/v1/travellers").status_code == 401


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"is_active": False}, id="deactivated"),
        pytest.param({"role": "hr"}, id="role-lowered"),
    ],
)
def test_a_token_is_refused_even_when_its_creator_changed_without_a_save(compliance, fields):
    _token, key = factories.make_api_token(created_by=compliance)

    User.objects.filter(pk=compliance.pk).update(**fields)

    assert bearer(key).get("/api/v1/travellers").status_code == 401


def test_a_deactivated_creators_token_changes_nothing_in_their_name(compliance, traveller):
    _token, key = factories.make_api_token(created_by=compliance)
    _deactivate(compliance)

    response = bearer(key).post(
        f"/api/v1/travellers/{traveller.pk}/trips",
        {"country": "KZ", "entry": "2020-02-03", "exit": "2020-02-07", "purpose": "business"},
        content_type="application/json",
    )

    assert response.status_code == 401
    assert not Trip.objects.exists()


def test_a_change_of_an_unrelated_field_keeps_the_token(compliance):
    token, key = factories.make_api_token(created_by=compliance)

    compliance.first_name = "Carl"
    compliance.save()

    token.refresh_from_db()
    assert token.revoked_at is None
    assert bearer(key).get("/api/v1/travellers").status_code == 200


def test_the_settings_page_says_what_revokes_a_token(client, compliance):
    client.force_login(compliance)

    page = client.get(reverse("trips:organisation_settings")).content.decode()

    assert "deactivating a user, or changing their role or organisation, revokes" in page


@pytest.mark.parametrize("role", ["traveller", "hr"])
def test_the_command_refuses_a_user_who_may_not_have_tokens(organisation, role):
    factories.make_user(organisation=organisation, role=role, username="someone")

    with pytest.raises(CommandError, match="may not have API tokens"):
        call_command("create_api_token", "someone", "--name", "x")

    assert not ApiToken.objects.exists()


# --- Rate limit and body cap -------------------------------------------------------------


def test_past_the_rate_limit_a_token_gets_a_clear_429(settings, monkeypatch, compliance):
    settings.STAYSITE_API_RATE_LIMIT = 3
    # 30 seconds into this minute, so that no request of the test falls into the next one.
    half_past = time.time() // 60 * 60 + 30
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: half_past))
    client = bearer(factories.make_api_token(created_by=compliance)[1])
    other = bearer(factories.make_api_token(created_by=compliance)[1])

    statuses = [client.get("/api/v1/travellers").status_code for _ in range(4)]
    refused = client.get("/api/v1/travellers")

    assert statuses == [200, 200, 200, 429]
    assert refused.headers["Retry-After"] == "30"
    problem = refused.json()["errors"][0]
    assert problem["code"] == "rate_limited"
    assert problem["message"] == (
        "Too many requests for this token: at most 3 a minute. Try again in 30 seconds."
    )
    assert other.get("/api/v1/travellers").status_code == 200


def test_the_request_count_is_kept_where_every_process_sees_it(compliance):
    token, key = factories.make_api_token(created_by=compliance)

    bearer(key).get("/api/v1/travellers")
    bearer(key).get("/api/v1/travellers")

    # In the database, which every process reads (Redis instead where REDIS_URL is set).
    counts = ApiRequestCount.objects.filter(token=token).values_list("count", flat=True)
    assert sum(counts) == 2


def test_a_body_over_the_cap_is_a_413_and_nothing_is_saved(settings, compliance, traveller):
    settings.STAYSITE_API_MAX_BODY_BYTES = 100
    client = bearer(factories.make_api_token(created_by=compliance)[1])
    body = {"country": "KZ", "entry": "2026-03-02", "notes": "x" * 200}

    response = client.post(
        f"/api/v1/travellers/{traveller.pk}/trips", body, content_type="application/json"
    )

    assert response.status_code == 413
    problem = response.json()["errors"][0]
    assert problem["code"] == "body_too_large"
    assert "at most 100 are accepted" in problem["message"]
    assert not Trip.objects.exists()
