"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Mark every test module here with

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

The live server runs in another thread and sees only committed rows, hence transactional
database access. It serves static files (htmx among them) through staticfiles' handler.
"""

import os
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests import factories

# Playwright's sync API runs an event loop in the test's thread, so Django would refuse ORM
# calls from fixtures and tests without this. tests/conftest.py sets it too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# make_user's default password (tests/factories.py).
PASSWORD = "a-long-test-password"


def pytest_collection_modifyitems(items):
    # make test-db runs the browser tests in a process of their own; when a whole run is
    # shared by pytest-xdist workers instead (`pytest -n 2`), they all go to one worker: one
    # Chromium on a two-core machine, not one per worker.
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium (make test installs it); Playwright must never download a browser.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    # The service worker keeps fetching the traveller's page in the background; a fetch still
    # running when a test ends holds the live server's test database, which then cannot be
    # flushed. Only the offline tests, in a context of their own, let it run.
    return {**browser_context_args, "service_workers": "block"}


@pytest.fixture
def log_in(page: Page, live_server) -> Callable[..., Page]:
    """Logs a user in through the real login form and returns the page after login.

    `page = log_in(hr)` for the personas of tests/conftest.py, `log_in("ana", "secret")`
    for anyone else. A user with an authenticator app then gives its current code on the
    two-factor page, as a person would.
    """

    def log_in(user: AbstractBaseUser | str, password: str = PASSWORD) -> Page:
        username = user if isinstance(user, str) else user.get_username()
        page.goto(live_server.url + reverse("login"))
        # The login page may hold other forms (the language switch): use the one with a
        # password field.
        form = page.locator("form", has=page.locator("input[name=password]"))
        form.locator("input[name=username]").fill(username)
        form.locator("input[name=password]").fill(password)
        form.locator("[type=submit]").click()
        expect(page).not_to_have_url(re.compile(re.escape(reverse("login"))))
        device = (
            None
            if isinstance(user, str)
            else TOTPDevice.objects.filter(user=user, confirmed=True).first()
        )
        if device is not None:
            expect(page).to_have_url(re.compile(re.escape(reverse("two_factor_verify"))))
            page.get_by_label("Code").fill(factories.current_code(device))
            page.get_by_role("button", name="Log in").click()
            expect(page).not_to_have_url(re.compile(re.escape(reverse("two_factor_verify"))))
        return page

    return log_in
