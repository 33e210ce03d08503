"""Two-factor login: setting up an authenticator app, the code after the password, recovery
codes, and organisations that require it."""

import re
from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.conftest import PASSWORD, log_in
from trips import access


def password_login(client: Client, user, next_url: str = ""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def code_for_key_on_page(page: str) -> str:
    """What an authenticator app would show after the key on the set-up page was typed in."""
    key = re.search(r'<code class="otp-key">([A-Z2-7 ]+)</code>', page).group(1)
    return f"{TOTP(b32decode(key.replace(' ', ''))).token():06d}"


def test_the_setup_page_shows_the_key_as_a_qr_code_and_as_text(client, hr):
    client.force_login(hr)

    page = client.get(reverse("two_factor_setup")).content.decode()

    assert 'src="data:image/svg+xml' in page
    assert re.search(r'<code class="otp-key">[A-Z2-7]{4}( [A-Z2-7]{4})+</code>', page)
    assert "otpauth://totp/staysite%3Ahanna.hr?secret=" in page


def test_setting_up_an_app_turns_two_factor_login_on_and_shows_recovery_codes_once(client, hr):
    client.force_login(hr)
    page = client.get(reverse("two_factor_setup")).content.decode()

    response = client.post(reverse("two_factor_setup"), {"code": code_for_key_on_page(page)})

    assert response.status_code == 302
    assert response.url == reverse("two_factor_recovery_codes")
    codes_page = client.get(response.url).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10
    again = client.get(reverse("two_factor_recovery_codes")).content.decode()
    assert not set(codes) & set(re.findall(r"<code>([a-z2-7]{8})</code>", again))
    assert "You have 10 unused recovery codes." in again
    assert TOTPDevice.objects.get(user=hr).confirmed
    assert client.get(reverse("trips:traveller_list")).status_code == 200


def test_a_wrong_code_at_set_up_says_so_and_turns_nothing_on(client, hr):
    client.force_login(hr)
    client.get(reverse("two_factor_setup"))

    response = client.post(reverse("two_factor_setup"), {"code": "12345x"})

    assert response.status_code == 200
    assert "This code does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=hr).exists()


def test_with_an_app_a_login_asks_for_the_code_and_then_goes_where_it_was_going(client, hr):
    device = factories.make_authenticator(user=hr)
    target = reverse("trips:traveller_list")

    after_password = password_login(client, hr, next_url=target)
    blocked = client.get(target)
    verified = client.post(
        reverse("two_factor_verify"), {"code": factories.current_code(device), "next": target}
    )

    assert after_password.status_code == 302
    assert blocked.status_code == 302
    assert blocked.url == f"{reverse('two_factor_verify')}?next={target}"
    assert verified.status_code == 302
    assert verified.url == target
    assert client.get(target).status_code == 200


def test_a_wrong_code_is_refused_with_a_message(client, hr):
    factories.make_authenticator(user=hr)
    password_login(client, hr)

    response = client.post(reverse("two_factor_verify"), {"code": "000000"})

    assert response.status_code == 200
    assert "This code is not valid" in response.content.decode()
    assert client.get(reverse("trips:traveller_list")).status_code == 302


@pytest.mark.parametrize(
    ("factor", "says"),
    [
        pytest.param(30, r"wait (29|30) seconds, then enter the current code", id="seconds"),
        pytest.param(600, r"wait 10 minutes, then enter the current code", id="minutes"),
    ],
)
def test_a_right_code_during_the_pause_after_a_wrong_one_says_how_long_to_wait(
    client, hr, settings, factor, says
):
    settings.OTP_TOTP_THROTTLE_FACTOR = factor
    device = factories.make_authenticator(user=hr)
    password_login(client, hr)
    client.post(reverse("two_factor_verify"), {"code": "000000"})

    response = client.post(reverse("two_factor_verify"), {"code": factories.current_code(device)})

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(says, page)
    assert "This code is not valid" not in page
    assert client.get(reverse("trips:traveller_list")).status_code == 302


def test_the_code_after_the_password_gives_the_session_a_new_key(client, hr):
    device = factories.make_authenticator(user=hr)
    password_login(client, hr)
    before_the_code = client.cookies["sessionid"].value

    client.post(reverse("two_factor_verify"), {"code": factories.current_code(device)})

    assert client.cookies["sessionid"].value != before_the_code
    stale = Client()
    stale.cookies["sessionid"] = before_the_code
    assert stale.get(reverse("trips:traveller_list")).status_code == 302
    assert client.get(reverse("trips:traveller_list")).status_code == 200


def test_setting_up_an_app_gives_the_session_a_new_key(client, hr):
    password_login(client, hr)
    page = client.get(reverse("two_factor_setup")).content.decode()
    before = client.cookies["sessionid"].value

    client.post(reverse("two_factor_setup"), {"code": code_for_key_on_page(page)})

    assert client.cookies["sessionid"].value != before
    assert client.get(reverse("trips:traveller_list")).status_code == 200


def test_a_code_works_only_once(client, hr):
    device = factories.make_authenticator(user=hr)
    code = factories.current_code(device)
    password_login(client, hr)
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    client.logout()

    password_login(client, hr)
    response = client.post(reverse("two_factor_verify"), {"code": code})

    assert response.status_code == 200
    assert "This code is not valid" in response.content.decode()


def test_a_recovery_code_replaces_the_app_once(client, hr):
    factories.make_authenticator(user=hr, recovery_codes=["abcd2345", "efgh6723"])
    password_login(client, hr)
    assert client.post(reverse("two_factor_verify"), {"code": "abcd2345"}).status_code == 302
    client.logout()

    password_login(client, hr)
    assert client.post(reverse("two_factor_verify"), {"code": "EFGH 6723"}).status_code == 302
    client.logout()

    password_login(client, hr)
    reused = client.post(reverse("two_factor_verify"), {"code": "abcd2345"})

    assert reused.status_code == 200
    assert "This code is not valid" in reused.content.decode()


def test_an_organisation_that_requires_it_makes_everyone_set_up_an_app_first(
    client, organisation, hr
):
    organisation.require_two_factor = True
    organisation.save()

    password_login(client, hr)
    dashboard = client.get(reverse("trips:home"))
    code_page = client.get(dashboard.url)

    assert dashboard.url.startswith(reverse("two_factor_verify"))
    assert code_page.status_code == 302
    assert code_page.url == reverse("two_factor_setup")
    assert client.get(code_page.url).status_code == 200


# A required first set-up: tied to the account's email, or to an administrator's reset


@pytest.fixture
def required(organisation, hr):
    organisation.require_two_factor = True
    organisation.save()
    hr.email = "hanna@example.com"
    hr.save()
    return hr


def test_under_a_requirement_the_password_alone_cannot_set_up_an_app(client, required):
    password_login(client, required)

    page = client.get(reverse("two_factor_setup")).content.decode()
    guessed = client.post(reverse("two_factor_setup"), {"code": "123456"})

    assert "through a link sent to your email address" in page
    assert "h***@example.com" in page
    assert 'class="otp-key"' not in page
    assert guessed.status_code == 200
    assert not TOTPDevice.objects.filter(user=required).exists()


def test_the_emailed_link_lets_this_session_set_up_the_required_app(client, required, mailoutbox):
    password_login(client, required)

    client.post(reverse("two_factor_setup_link"))
    link = re.search(
        r"https?://[^/\s]+(/accounts/two-factor/setup/confirm/\?token=\S+)", mailoutbox[0].body
    )
    opened = client.get(link.group(1))
    page = client.get(reverse("two_factor_setup")).content.decode()
    enrolled = client.post(reverse("two_factor_setup"), {"code": code_for_key_on_page(page)})

    assert mailoutbox[0].to == ["hanna@example.com"]
    assert opened.url == reverse("two_factor_setup")
    assert enrolled.url == reverse("two_factor_recovery_codes")
    assert TOTPDevice.objects.get(user=required).confirmed
    assert client.get(reverse("trips:traveller_list")).status_code == 200


def test_another_accounts_link_opens_nothing(client, required, compliance, mailoutbox):
    compliance.email = "carl@example.com"
    compliance.save()
    other = Client()
    password_login(other, compliance)
    other.post(reverse("two_factor_setup_link"))
    link = re.search(r"(/accounts/two-factor/setup/confirm/\?token=\S+)", mailoutbox[0].body).group(
        1
    )
    password_login(client, required)

    client.get(link)

    assert "through a link sent to your email address" in (
        client.get(reverse("two_factor_setup")).content.decode()
    )


def test_an_administrators_reset_allows_a_set_up_without_the_link(client, required, organisation):
    factories.make_authenticator(user=required, recovery_codes=["abcd2345"])
    admin = factories.make_user(organisation=None, is_staff=True, is_superuser=True)
    factories.make_authenticator(user=admin)
    staff_client = Client()
    log_in(staff_client, admin)

    staff_client.post(
        reverse("admin:trips_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [required.pk]},
    )
    password_login(client, required)
    page = client.get(reverse("two_factor_setup")).content.decode()

    assert not StaticDevice.objects.filter(user=required).exists()
    assert not TOTPDevice.objects.filter(user=required).exists()
    assert 'class="otp-key"' in page
    client.post(reverse("two_factor_setup"), {"code": code_for_key_on_page(page)})
    required.refresh_from_db()
    assert required.two_factor_setup_allowed_until is None, "the reset is used up"


# Staff and the Django admin


def test_staff_are_asked_for_a_second_factor_before_the_admin(client, db):
    admin = factories.make_user(organisation=None, username="platform", is_staff=True)
    factories.make_authenticator(user=admin)

    client.post(reverse("admin:login"), {"username": "platform", "password": PASSWORD})
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_verify"))


def test_staff_without_an_app_must_set_one_up_before_the_admin(client, db):
    admin = factories.make_user(
        organisation=None, username="platform", is_staff=True, email="ops@example.com"
    )

    client.post(reverse("admin:login"), {"username": "platform", "password": PASSWORD})
    verify = client.get(client.get(reverse("admin:index")).url)

    assert verify.url == reverse("two_factor_setup")
    assert access.needs_second_factor(admin)
    assert "through a link sent to your email address" in client.get(verify.url).content.decode()


def test_without_the_requirement_or_an_app_the_password_alone_logs_in(client, hr):
    response = password_login(client, hr)

    assert response.url == reverse("trips:home")
    assert client.get(reverse("trips:traveller_list")).status_code == 200


def test_an_htmx_request_before_the_code_is_sent_to_the_code_page(client, hr):
    factories.make_authenticator(user=hr)
    client.force_login(hr)

    response = client.get(reverse("trips:traveller_list"), headers={"HX-Request": "true"})

    assert response.headers["HX-Redirect"] == reverse("two_factor_verify")


def test_replacing_the_app_needs_the_old_one_first(client, hr):
    factories.make_authenticator(user=hr)
    client.force_login(hr)

    response = client.get(reverse("two_factor_setup"))

    assert response.url == reverse("two_factor_verify")


def test_new_recovery_codes_replace_the_old_ones(client, hr):
    device = factories.make_authenticator(user=hr, recovery_codes=["oldcode22"])
    client.force_login(hr)
    client.post(reverse("two_factor_verify"), {"code": factories.current_code(device)})

    response = client.post(reverse("two_factor_recovery_codes"))
    page = client.get(response.url).content.decode()
    client.logout()
    password_login(client, hr)

    assert len(re.findall(r"<li><code>[a-z2-7]{8}</code></li>", page)) == 10
    assert client.post(reverse("two_factor_verify"), {"code": "oldcode22"}).status_code == 200


@pytest.mark.parametrize(
    ("checked", "required"),
    [pytest.param("on", True, id="switched-on"), pytest.param("", False, id="switched-off")],
)
def test_compliance_admins_require_two_factor_login_in_the_settings(
    client, compliance, organisation, checked, required
):
    client.force_login(compliance)
    form = client.get(reverse("trips:organisation_settings")).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["eqonaq_counts_arrival_day"] = "on"
    data["require_two_factor"] = checked

    response = client.post(reverse("trips:organisation_settings"), data)

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.require_two_factor is required


def test_public_pages_stay_open_before_the_code(client, hr):
    factories.make_authenticator(user=hr)
    client.force_login(hr)

    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("password_reset")).status_code == 200
    assert client.get(reverse("trips:home")).status_code == 302


@pytest.mark.parametrize(
    ("required", "authenticator", "recovery_codes", "owed"),
    [
        pytest.param(False, None, None, False, id="nothing"),
        pytest.param(True, None, None, True, id="the-organisation-requires-it"),
        pytest.param(False, True, None, True, id="a-confirmed-app"),
        pytest.param(False, False, None, False, id="an-app-never-confirmed"),
        pytest.param(False, None, True, True, id="confirmed-recovery-codes"),
        pytest.param(False, None, False, False, id="recovery-codes-never-confirmed"),
    ],
)
def test_a_second_factor_is_owed_when_required_or_set_up(
    hr, compliance, organisation, required, authenticator, recovery_codes, owed
):
    organisation.require_two_factor = required
    organisation.save()
    if authenticator is not None:
        TOTPDevice.objects.create(user=hr, name="app", confirmed=authenticator)
    if recovery_codes is not None:
        StaticDevice.objects.create(user=hr, name="codes", confirmed=recovery_codes)
    factories.make_authenticator(user=compliance, recovery_codes=["abcd2345"])  # not hr's

    assert access.needs_second_factor(hr) is owed
