"""A mentor creates their calendar address in a real browser: the answer shows it in a
read-only field with a copy button (copy-field.js, allowed by our CSP) that copies it; without
JavaScript the button stays hidden and the field still holds the address. axe-core checks the
page with the feed's box and the address page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_accessibility import report, serious_violations
from tests.factories import PASSWORD
from tests.mentoring.conftest import make_mentor

ADDRESS = re.compile(r"http://127\.0\.0\.1:\d+/mentoring/calendar/[\w-]{43}\.ics")


@pytest.fixture
def mentor(app):
    return make_mentor()


def sign_in_and_create_the_address(page, mentor) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(mentor.user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/mentoring/sessions")
    page.get_by_role("button", name="Create a calendar address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your calendar address")


def test_copy_button_copies_the_new_address(browser, live_server, mentor):
    context = browser.new_context(base_url=live_server)  # our CSP applies
    context.set_default_timeout(TIMEOUT_MS)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    try:
        sign_in_and_create_the_address(page, mentor)
        field = page.get_by_label("Calendar address")
        expect(field).to_have_value(ADDRESS)
        expect(field).to_have_attribute("readonly", "")

        page.get_by_role("button", name="Copy the address").click()

        expect(page.get_by_role("status").last).to_have_text("The address is copied.")
        assert page.evaluate("navigator.clipboard.readText()") == field.input_value()
    finally:
        context.close()


def test_address_field_works_without_javascript(browser, live_server, mentor):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in_and_create_the_address(page, mentor)

        expect(page.get_by_label("Calendar address")).to_have_value(ADDRESS)
        expect(page.get_by_role("button", name="Copy the address")).to_be_hidden()
    finally:
        context.close()


def test_feed_box_and_address_page_have_no_serious_accessibility_violations(page, mentor):
    sign_in_and_create_the_address(page, mentor)
    on_the_address_page = serious_violations(page)
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("button", name="Reset the address")).to_be_visible()

    on_the_sessions_page = serious_violations(page)

    assert on_the_address_page == [], report(on_the_address_page)
    assert on_the_sessions_page == [], report(on_the_sessions_page)
