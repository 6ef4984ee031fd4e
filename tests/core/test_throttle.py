"""The throttle's counters: fixed windows, atomic under parallel requests, no raw addresses."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from accelerator.accounts import services
from accelerator.core.models import ThrottleCounter
from accelerator.core.throttle import Throttled, count_attempt
from accelerator.extensions import db
from tests.accounts.conftest import emails_to
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user

# 10:07:30 is half-way through the fixed 15-minute window 10:00–10:15.
NOW = datetime(2030, 3, 4, 10, 7, 30, tzinfo=UTC)


def counters() -> list[tuple[str, int, datetime, datetime]]:
    rows = db.session.scalars(select(ThrottleCounter).order_by(ThrottleCounter.scope))
    return [(row.scope, row.attempts, row.window_start, row.expires_at) for row in rows]


def test_throttle_refuses_the_attempt_after_the_limit_and_says_how_long_to_wait(app):
    for _attempt in range(10):
        count_attempt("login", now=NOW, email="ana@example.org")

    with pytest.raises(Throttled) as refusal:
        count_attempt("login", now=NOW, email="ana@example.org")

    assert str(refusal.value) == "Too many attempts. Please wait 8 minute(s) and try again."
    assert refusal.value.retry_after == timedelta(minutes=7, seconds=30)


def test_throttle_counts_each_key_kind_and_each_key_apart(app):
    for _attempt in range(3):
        count_attempt("password_reset", now=NOW, ip="203.0.113.7", email="ana@example.org")

    count_attempt("password_reset", now=NOW, ip="203.0.113.7", email="joan@example.org")
    with pytest.raises(Throttled):
        count_attempt("password_reset", now=NOW, ip="198.51.100.1", email="ana@example.org")

    window = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)
    assert sorted(counters()) == [
        ("password_reset:email", 1, window, window + timedelta(hours=1)),
        ("password_reset:email", 4, window, window + timedelta(hours=1)),
        ("password_reset:ip", 1, window, window + timedelta(hours=1)),
        ("password_reset:ip", 4, window, window + timedelta(hours=1)),
    ]


def test_throttle_starts_afresh_in_the_next_window(app):
    for _attempt in range(3):
        count_attempt("password_reset", now=NOW, email="ana@example.org")

    count_attempt(
        "password_reset", now=datetime(2030, 3, 4, 11, 0, tzinfo=UTC), email="ana@example.org"
    )

    assert [attempts for _scope, attempts, _start, _end in counters()] == [1]


def test_throttle_deletes_expired_windows_as_it_goes(app):
    count_attempt("login", now=NOW, email="ana@example.org", ip="203.0.113.7")

    count_attempt("registration", now=NOW + timedelta(minutes=8), ip="203.0.113.7")

    assert [scope for scope, _attempts, _start, _end in counters()] == ["registration:ip"]


def test_throttle_stores_neither_the_email_nor_the_ip_address(app):
    count_attempt("login", now=NOW, email="ana@example.org", ip="203.0.113.7")
    count_attempt("registration", now=NOW, ip="203.0.113.7")
    count_attempt("password_reset", now=NOW, email="ana@example.org", ip="203.0.113.7")
    count_attempt("confirmation_resend", now=NOW, email="ana@example.org", ip="203.0.113.7")

    rows = db.session.execute(select(ThrottleCounter.__table__)).all()

    assert len(rows) == 7
    stored = " ".join(str(value) for row in rows for value in row).lower()
    for fragment in ("ana@example.org", "ana", "example.org", "203.0.113.7", "203.0.113"):
        assert fragment not in stored
    assert all(len(row.key_hash) == 64 for row in rows)


def test_throttle_lets_exactly_the_limit_through_at_the_same_instant(app, at_the_same_instant):
    make_user(email="ana@example.org")

    def ask_for_reset():
        return lambda: services.request_password_reset("ana@example.org", now=NOW)

    results = at_the_same_instant([ask_for_reset] * 8)

    assert sorted(map(str, results)) == ["None"] * 3 + ["Throttled"] * 5
    assert len(emails_to("ana@example.org")) == 3
    assert [attempts for _scope, attempts, _start, _end in counters()] == [8]


def test_throttle_behind_a_proxy_counts_the_forwarded_client_address(make_app):
    proxied = make_app(PROXY_FIX_HOPS=1).test_client()
    token = csrf_token_from(proxied.get("/register").get_data(as_text=True))

    def register(email, client_ip):
        form = {"name": "Ana Puig", "email": email, "password": PASSWORD, "confirm": PASSWORD}
        return proxied.post(
            "/register",
            data={"csrf_token": token, **form},
            headers={"X-Forwarded-For": client_ip},
        )

    allowed = [register(f"person{n}@example.org", "203.0.113.7") for n in range(5)]
    refused = register("ana@example.org", "203.0.113.7")
    other_client = register("joan@example.org", "198.51.100.1")

    assert [response.status_code for response in allowed] == [200] * 5
    assert (refused.status_code, other_client.status_code) == (429, 200)
