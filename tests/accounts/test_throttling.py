"""Login, registration, password reset and confirmation resend are throttled per IP address and
per email address: beyond the limit the form comes back with a 429 and how long to wait."""

import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from accelerator.accounts.models import User
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from tests.accounts.conftest import emails_to, error_fields, field_errors
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user

EMAIL = "ana@example.org"
ATTACKER = "203.0.113.7"


def login(email):
    return {"email": email, "password": "not the password at all"}


def registration(email):
    return {"name": "Ana Puig", "email": email, "password": PASSWORD, "confirm": PASSWORD}


def email_only(email):
    return {"email": email}


PER_EMAIL = {
    "login": ("/login", login),
    "password_reset": ("/password/forgot", email_only),
    "confirmation_resend": ("/confirm", email_only),
}
PER_IP = {**PER_EMAIL, "registration": ("/register", registration)}


class Sender:
    """Posts one form from any IP address, with the CSRF token of the client's session."""

    def __init__(self, client, url: str):
        self.client = client
        self.url = url
        self.token = csrf_token_from(client.get(url).get_data(as_text=True))

    def post(self, data: dict, *, ip: str):
        return self.client.post(
            self.url, data={"csrf_token": self.token, **data}, environ_base={"REMOTE_ADDR": ip}
        )


def limit_of(action: str, kind: str) -> int:
    return current_app.config["THROTTLE_LIMITS"][action][f"per_{kind}"]


def wait_messages(action: str, *, sent_between) -> set[str]:
    """The throttle's message at either end of the time the request took."""
    window = timedelta(minutes=current_app.config["THROTTLE_LIMITS"][action]["window_minutes"])
    seconds = int(window.total_seconds())
    messages = set()
    for moment in sent_between:
        left = seconds - int(moment.timestamp()) % seconds
        minutes = max(1, -(-left // 60))
        messages.add(f"Too many attempts. Please wait {minutes} minute(s) and try again.")
    return messages


def assert_throttled(response, action: str, *, before) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert error_fields(page) == ["email"]
    [message] = field_errors(page, "email")
    assert message in wait_messages(action, sent_between=(before, utcnow()))
    return page


@pytest.mark.parametrize("action", PER_EMAIL)
def test_throttle_per_email_refuses_the_attempt_past_the_limit_from_any_ip(client, action):
    make_user(email=EMAIL, confirmed=False)
    url, form = PER_EMAIL[action]
    sender = Sender(client, url)
    allowed = [
        sender.post(form(EMAIL), ip=f"198.51.100.{n}") for n in range(limit_of(action, "email"))
    ]
    before = utcnow()

    response = sender.post(form(EMAIL), ip="198.51.100.200")

    assert 429 not in [earlier.status_code for earlier in allowed]
    page = assert_throttled(response, action, before=before)
    assert f'value="{EMAIL}"' in page
    assert len(emails_to(EMAIL)) == (0 if action == "login" else limit_of(action, "email"))


@pytest.mark.parametrize("action", PER_IP)
def test_throttle_per_ip_refuses_the_attempt_past_the_limit_for_any_email(client, action):
    url, form = PER_IP[action]
    sender = Sender(client, url)
    limit = limit_of(action, "ip")
    allowed = [sender.post(form(f"person{n}@example.org"), ip=ATTACKER) for n in range(limit)]
    before = utcnow()

    response = sender.post(form(EMAIL), ip=ATTACKER)
    elsewhere = sender.post(form("someone.else@example.org"), ip="198.51.100.1")

    assert 429 not in [earlier.status_code for earlier in allowed]
    page = assert_throttled(response, action, before=before)
    assert f'value="{EMAIL}"' in page
    assert elsewhere.status_code != 429


def test_throttle_per_ip_keeps_the_name_typed_in_the_registration_form(client):
    sender = Sender(client, "/register")
    for n in range(limit_of("registration", "ip")):
        sender.post(registration(f"person{n}@example.org"), ip=ATTACKER)

    response = sender.post(registration(EMAIL), ip=ATTACKER)

    assert response.status_code == 429
    assert 'value="Ana Puig"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == limit_of("registration", "ip")


def test_login_throttle_still_shows_the_lockout_first(client):
    make_user(email=EMAIL)
    sender = Sender(client, "/login")

    responses = [sender.post(login(EMAIL), ip=ATTACKER) for _attempt in range(6)]

    assert [response.status_code for response in responses] == [200] * 6
    assert field_errors(responses[4].get_data(as_text=True), "password") == [
        "Too many failed attempts. This account is locked for 15 more minute(s); "
        "try again later or reset your password."
    ]


@pytest.mark.parametrize("action", ["password_reset", "confirmation_resend"])
def test_throttled_page_is_the_same_for_an_account_and_for_no_account(client, action):
    make_user(email=EMAIL, confirmed=False)
    url, form = PER_EMAIL[action]
    sender = Sender(client, url)
    pages = []
    for email in (EMAIL, "nobody@example.org"):
        for n in range(limit_of(action, "email")):
            sender.post(form(email), ip=f"198.51.100.{n}")
        response = sender.post(form(email), ip="198.51.100.200")
        page = response.get_data(as_text=True).replace(email, "EMAIL")
        # Only the CSRF token and the minutes left (a minute may turn between) may differ.
        page = re.sub(r'value="[^"]{40,}"', "", re.sub(r"wait \d+ minute", "wait N minute", page))
        pages.append((response.status_code, page))

    assert pages[0] == pages[1]
    assert pages[0][0] == 429
