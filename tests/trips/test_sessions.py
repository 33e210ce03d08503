"""Every request of a logged-in user reads its session and its user, each with one SQL
statement written out (trips/accounts/sessions.py, trips/accounts/backends.py): they answer
as Django's own did."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from trips.accounts.backends import StaysiteBackend, user_by_id
from trips.accounts.sessions import SessionStore
from trips.accounts.sso import OrganisationOIDCBackend

HOME = reverse("trips:home")


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_logged_in_session_is_read_back(client, hr):
    client.force_login(hr)

    assert client.get(HOME).status_code == 200
    assert SessionStore(session_key(client))["_auth_user_id"] == str(hr.pk)


def test_an_expired_session_logs_nobody_in(client, hr):
    client.force_login(hr)
    Session.objects.filter(session_key=session_key(client)).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_unknown_session_key_logs_nobody_in_and_stores_nothing(client, db):
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32

    response = client.get(HOME)
    store = SessionStore("x" * 32)

    assert response.status_code == 302
    assert store.load() == {}
    assert store.session_key is None
    assert not Session.objects.exists()


def test_a_user_deactivated_while_logged_in_is_logged_out(client, hr):
    client.force_login(hr)
    type(hr).objects.filter(pk=hr.pk).update(is_active=False)

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_user_is_read_with_every_field_as_the_orm_reads_it(client, hr):
    client.force_login(hr)  # sets last_login: a date and time to convert
    expected = type(hr).objects.get(pk=hr.pk)

    loaded = user_by_id(hr.pk)

    assert loaded == expected
    for field in type(hr)._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded.last_login.tzinfo is not None
    assert loaded.is_active is True


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param(StaysiteBackend, id="password"),
        pytest.param(OrganisationOIDCBackend, id="single-sign-on"),
    ],
)
def test_each_backend_a_session_names_finds_the_user_or_nobody(hr, backend):
    assert backend().get_user(hr.pk) == hr
    assert backend().get_user(hr.pk + 1000) is None
