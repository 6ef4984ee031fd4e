"""A newcomer registers, confirms through the emailed link, signs in and reaches the dashboard."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from accelerator.core.models import OutboxMessage
from accelerator.extensions import db

CONFIRM_LINK = re.compile(r"https?://\S+/confirm/\S+")


def confirmation_path_mailed_to(email: str) -> str:
    """The path of the confirmation link in the email the outbox holds for that address."""
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email)
    ).all()
    assert len(messages) == 1, [message.subject for message in messages]
    links = CONFIRM_LINK.findall(messages[0].body_text)
    assert len(links) == 1, messages[0].body_text
    return urlsplit(links[0]).path


def test_registration_confirmation_and_sign_in_reach_the_dashboard(page):
    page.goto("/register")
    page.get_by_label("Full name").fill("Núria Vidal")
    page.get_by_label("Email address").fill("nuria@celltherapy.example.org")
    page.get_by_label("Password", exact=True).fill("a long enough secret")
    page.get_by_label("Repeat the password").fill("a long enough secret")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    confirm_path = confirmation_path_mailed_to("nuria@celltherapy.example.org")
    assert confirm_path.startswith("/confirm/")

    # The link is opened on the live server, whatever host the email names.
    page.goto(confirm_path)
    expect(page.get_by_role("status")).to_have_text(
        "Thank you: your email address is confirmed. You can sign in now."
    )
    assert urlsplit(page.url).path == "/login"

    page.get_by_label("Email address").fill("nuria@celltherapy.example.org")
    page.get_by_label("Password", exact=True).fill("a long enough secret")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Núria Vidal")
    assert urlsplit(page.url).path == "/dashboard"
    expect(page.get_by_role("status")).to_have_text("Welcome, Núria Vidal.")
