import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_renders_with_htmx_loaded(page: Page, live_server):
    page.goto(live_server.url + reverse("login"))

    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    # htmx comes from our own static files, served by the live server.
    assert page.evaluate("typeof htmx") == "object"


def test_wrong_password_shows_an_error(page: Page, live_server, hr):
    page.goto(live_server.url + reverse("login"))

    page.get_by_label("Username").fill(hr.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("login"))))
    expect(page.get_by_role("alert")).to_be_visible()


def test_right_password_leaves_the_login_page(log_in, hr):
    page = log_in(hr)

    expect(page.get_by_label("Password")).to_have_count(0)
