"""Single sign-on end to end, against a real OpenID Connect provider started for these tests.

The provider is django-oauth-toolkit in a Django project of its own (tests/oidc_provider/),
with its own users, served over HTTP on 127.0.0.1 in a subprocess. The person's browser is
a `requests` session at the provider and Django's test client at staysite; staysite talks
to the provider over HTTP itself (code for tokens, the signing keys, userinfo).
"""

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.conftest import PASSWORD
from trips.models import User

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CLIENT_ID = "staysite-tests"
CLIENT_SECRET = "a-client-secret-for-tests"
CALLBACK = "http://testserver/accounts/sso/callback/"
PEOPLE = [
    {"username": "nina", "email": "nina.new@steppe.example", "groups": ["staysite-hr"],
     "given_name": "Nina", "family_name": "New"},
    {"username": "hanna", "email": "Hanna@Steppe.example", "groups": ["staysite-compliance"]},
    {"username": "stranger", "email": "stranger@unknown.example", "groups": ["staysite-hr"]},
    {"username": "moved", "email": "moved@steppe.example", "groups": ["staysite-hr"]},
    {"username": "nogroup", "email": "nogroup@steppe.example", "groups": ["sales"]},
    {"username": "unverified", "email": "hanna@steppe.example", "groups": ["staysite-hr"],
     "email_verified": False},
]  # fmt: skip
PROVIDER_PASSWORD = "provider-password"


# Under pytest-xdist the module runs on one worker, so the provider starts once.
pytestmark = pytest.mark.xdist_group("sso")


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The identity provider's base URL and endpoints, from its discovery document."""
    directory = tmp_path_factory.mktemp("provider")
    setup = directory / "setup.json"
    people = [{**person, "password": PROVIDER_PASSWORD} for person in PEOPLE]
    setup.write_text(
        json.dumps(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uri": CALLBACK,
                "people": people,
            }
        )
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(setup)],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "PROVIDER_DATABASE": str(directory / "provider.sqlite3")},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = process.stdout.readline().strip()
        assert port.isdigit(), "the identity provider did not start"
        base = f"http://127.0.0.1:{port}"
        discovery = requests.get(f"{base}/o/.well-known/openid-configuration", timeout=10)
        yield {"base": base, **discovery.json()}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(settings, provider, organisation, other_organisation):
    """staysite configured as README.md says, with the provider's endpoints."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = provider["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = provider["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = provider["jwks_uri"]
    settings.STAYSITE_SSO_ORGANISATIONS = (
        f"steppe.example={organisation.name};other.example={other_organisation.name}"
    )
    return provider


def sign_in(client: Client, username: str):
    """What a browser does: staysite -> provider's login -> provider -> staysite's callback.

    Returns staysite's answer to the callback.
    """
    start = client.get(reverse("sso_login"))
    assert start.status_code == 302
    browser = requests.Session()
    to_login = browser.get(start.url, allow_redirects=False, timeout=10)
    login_url = urljoin(start.url, to_login.headers["Location"])
    next_url = requests.utils.unquote(login_url.split("next=", 1)[1])
    logged_in = browser.post(
        login_url,
        {"username": username, "password": PROVIDER_PASSWORD, "next": next_url},
        allow_redirects=False,
        timeout=10,
    )
    authorized = browser.get(
        urljoin(login_url, logged_in.headers["Location"]), allow_redirects=False, timeout=10
    )
    back = urlsplit(authorized.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return client.get(f"{back.path}?{back.query}")


def logged_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def login_page_says(client: Client, text: str) -> bool:
    return text in client.get(reverse("login")).content.decode()


def test_the_login_page_offers_single_sign_on_when_it_is_configured(client, sso):
    page = client.get(reverse("login")).content.decode()

    assert "Log in with your company account" in page
    assert 'name="password"' in page


def test_a_new_person_gets_an_account_in_their_organisation_with_their_groups_role(
    client, sso, organisation
):
    response = sign_in(client, "nina")

    assert response.status_code == 302
    assert response.url == reverse("trips:home")
    user = logged_in_user(client)
    assert user.email == "nina.new@steppe.example"
    assert user.organisation == organisation
    assert user.role == User.Role.HR
    assert user.get_full_name() == "Nina New"
    assert not user.has_usable_password()
    assert client.get(reverse("trips:traveller_list")).status_code == 200


def test_a_known_user_is_found_by_email_and_gets_the_role_the_provider_gives(
    client, sso, organisation, hr
):
    hr.email = "hanna@steppe.example"
    hr.save()

    response = sign_in(client, "hanna")

    assert response.url == reverse("trips:home")
    assert logged_in_user(client) == hr
    hr.refresh_from_db()
    assert hr.role == User.Role.COMPLIANCE
    assert User.objects.filter(email__iexact="hanna@steppe.example").count() == 1


def test_an_email_domain_of_no_organisation_is_refused_with_a_message(client, sso):
    response = sign_in(client, "stranger")

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert logged_in_user(client) is None
    assert login_page_says(client, "Single sign-on is not set up for your email domain")
    assert not User.objects.filter(email="stranger@unknown.example").exists()


def test_an_account_of_another_organisation_is_not_taken_over(client, sso, other_organisation):
    other = factories.make_user(
        organisation=other_organisation, role=User.Role.COMPLIANCE, email="moved@steppe.example"
    )

    response = sign_in(client, "moved")

    assert response.url == reverse("login")
    assert logged_in_user(client) is None
    assert login_page_says(client, "An account of another organisation has this email address")
    other.refresh_from_db()
    assert (other.organisation, other.role) == (other_organisation, User.Role.COMPLIANCE)


def test_refused_sign_ins_lock_nobody_out(client, sso, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        assert sign_in(Client(), "stranger").url == reverse("login")

    assert sign_in(client, "nina").url == reverse("trips:home")
    assert not AccessAttempt.objects.exists()


def test_an_email_the_provider_does_not_vouch_for_is_refused(client, sso, hr):
    hr.email = "hanna@steppe.example"
    hr.save()

    response = sign_in(client, "unverified")

    assert response.url == reverse("login")
    assert logged_in_user(client) is None
    assert login_page_says(client, "Your company account sent no confirmed email address")
    assert User.objects.filter(email__iexact="hanna@steppe.example").get() == hr


def test_a_user_deactivated_after_signing_in_is_logged_out(client, sso, organisation):
    assert sign_in(client, "nina").url == reverse("trips:home")
    assert client.get(reverse("trips:traveller_list")).status_code == 200

    User.objects.filter(email="nina.new@steppe.example").update(is_active=False)

    response = client.get(reverse("trips:traveller_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_person_without_a_staysite_group_is_refused(client, sso):
    response = sign_in(client, "nogroup")

    assert response.url == reverse("login")
    assert logged_in_user(client) is None
    assert login_page_says(client, "Your company account gives you no role in staysite")


def test_where_the_organisation_requires_it_single_sign_on_asks_for_the_second_factor(
    client, sso, organisation
):
    organisation.require_two_factor = True
    organisation.save()
    sign_in(client, "nina")

    response = client.get(reverse("trips:home"))

    assert response.url.startswith(reverse("two_factor_verify"))


def test_without_single_sign_on_there_is_no_button_and_no_way_in(client, hr, settings):
    settings.OIDC_RP_CLIENT_ID = ""

    page = client.get(reverse("login")).content.decode()

    assert "company account" not in page
    assert client.get(reverse("sso_login")).status_code == 404
    assert client.get(reverse("sso_callback"), {"code": "x", "state": "y"}).status_code == 404
    password = client.post(reverse("login"), {"username": hr.username, "password": PASSWORD})
    assert password.url == reverse("trips:home")


def test_with_password_login_off_only_single_sign_on_logs_in(client, sso, settings, hr):
    settings.STAYSITE_PASSWORD_LOGIN = False

    page = client.get(reverse("login")).content.decode()
    password = client.post(reverse("login"), {"username": hr.username, "password": PASSWORD})
    reset = client.post(reverse("password_reset"), {"email": "hanna@example.com"})

    assert 'name="password"' not in page
    assert password.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Password login is switched off" in reset.content.decode()
    assert sign_in(client, "nina").url == reverse("trips:home")


def test_with_password_login_off_platform_staff_still_log_in_to_the_admin(client, settings, db):
    settings.STAYSITE_PASSWORD_LOGIN = False
    factories.make_user(organisation=None, username="platform", is_staff=True)

    response = client.post(reverse("admin:login"), {"username": "platform", "password": PASSWORD})

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
