"""Signing in, and the lockout: 5 failures within 15 minutes lock the account for 15 minutes."""

from datetime import timedelta

import pytest

from accelerator.accounts import services
from accelerator.core.clock import utcnow
from tests.accounts.conftest import NOW, audit_trail, emails_to, field_errors, flashes, link_in
from tests.conftest import post_form
from tests.factories import PASSWORD, make_user

WRONG = "not the password at all"
WRONG_CREDENTIALS = "The email address or password is not correct."


def locked_message(minutes: int) -> str:
    return (
        f"Too many failed attempts. This account is locked for {minutes} more minute(s); "
        "try again later or reset your password."
    )


def fail(user, *, at) -> Exception:
    with pytest.raises((services.InvalidCredentials, services.AccountLocked)) as failure:
        services.authenticate(user.email, WRONG, now=at)
    return failure.value


def fail_five_times(user, *, start, every=timedelta(minutes=1)) -> list[Exception]:
    return [fail(user, at=start + every * attempt) for attempt in range(5)]


# --- through the service -------------------------------------------------------------------


def test_authenticate_returns_the_user_for_the_right_password():
    user = make_user(email="ana@example.org")

    assert services.authenticate(" ANA@example.org ", PASSWORD, now=NOW).id == user.id


def test_authenticate_refuses_an_unknown_email_like_a_wrong_password():
    make_user(email="ana@example.org")

    with pytest.raises(services.InvalidCredentials) as refusal:
        services.authenticate("nobody@example.org", PASSWORD, now=NOW)

    assert str(refusal.value) == WRONG_CREDENTIALS


def test_lockout_after_five_failures_within_15_minutes():
    user = make_user()

    failures = fail_five_times(user, start=NOW, every=timedelta(minutes=3, seconds=44))

    assert [type(failure) for failure in failures] == [services.InvalidCredentials] * 4 + [
        services.AccountLocked
    ]
    assert str(failures[-1]) == locked_message(15)
    assert user.locked_until == NOW + timedelta(minutes=14, seconds=56) + timedelta(minutes=15)


def test_lockout_refuses_even_the_right_password():
    user = make_user()
    fail_five_times(user, start=NOW)

    with pytest.raises(services.AccountLocked) as refusal:
        services.authenticate(user.email, PASSWORD, now=NOW + timedelta(minutes=5))

    assert str(refusal.value) == locked_message(14)


def test_lockout_is_audited_without_an_actor():
    user = make_user()

    fail_five_times(user, start=NOW)

    entries = audit_trail("user.locked_out")
    assert [(entry.actor_id, entry.object_type, entry.object_id) for entry in entries] == [
        (None, "user", user.id)
    ]


def test_lockout_does_not_happen_when_failures_spread_over_more_than_15_minutes():
    user = make_user()

    failures = fail_five_times(user, start=NOW, every=timedelta(minutes=3, seconds=45))

    assert [type(failure) for failure in failures] == [services.InvalidCredentials] * 5
    assert user.locked_until is None
    assert services.authenticate(user.email, PASSWORD, now=NOW + timedelta(minutes=16)) == user


def test_lockout_still_holds_one_second_before_15_minutes():
    user = make_user()
    fail_five_times(user, start=NOW)
    locked_at = NOW + timedelta(minutes=4)

    with pytest.raises(services.AccountLocked) as refusal:
        services.authenticate(
            user.email, PASSWORD, now=locked_at + timedelta(minutes=15, seconds=-1)
        )

    assert str(refusal.value) == locked_message(1)


def test_lockout_expires_after_15_minutes():
    user = make_user()
    fail_five_times(user, start=NOW)
    locked_at = NOW + timedelta(minutes=4)

    signed_in = services.authenticate(user.email, PASSWORD, now=locked_at + timedelta(minutes=15))

    assert signed_in.id == user.id
    assert user.locked_until is None


def test_lockout_after_expiry_starts_a_fresh_count():
    user = make_user()
    fail_five_times(user, start=NOW)
    after_lock = NOW + timedelta(minutes=4, seconds=15 * 60)

    failures = [fail(user, at=after_lock + timedelta(seconds=second)) for second in range(4)]

    assert [type(failure) for failure in failures] == [services.InvalidCredentials] * 4


def test_lockout_count_is_reset_by_a_successful_login():
    user = make_user()
    for minute in range(4):
        fail(user, at=NOW + timedelta(minutes=minute))
    services.authenticate(user.email, PASSWORD, now=NOW + timedelta(minutes=4))

    failures = [fail(user, at=NOW + timedelta(minutes=5 + minute)) for minute in range(4)]

    assert [type(failure) for failure in failures] == [services.InvalidCredentials] * 4
    assert services.authenticate(user.email, PASSWORD, now=NOW + timedelta(minutes=9)) == user


def test_lockout_is_cleared_by_a_password_reset():
    user = make_user()
    fail_five_times(user, start=NOW)
    services.request_password_reset(user.email, now=NOW + timedelta(minutes=5))
    token = link_in(emails_to(user.email)[-1]).rsplit("/", 1)[1]
    services.reset_password(token, "a brand new passphrase", now=NOW + timedelta(minutes=6))

    signed_in = services.authenticate(
        user.email, "a brand new passphrase", now=NOW + timedelta(minutes=7)
    )

    assert signed_in.id == user.id


def test_authenticate_refuses_an_unconfirmed_account_with_a_clear_message():
    user = make_user(confirmed=False)

    with pytest.raises(services.EmailNotConfirmed) as refusal:
        services.authenticate(user.email, PASSWORD, now=NOW)

    assert str(refusal.value) == (
        "Please confirm your email address first: follow the link we sent you."
    )


def test_authenticate_refuses_a_deactivated_account():
    user = make_user()
    user.active = False

    with pytest.raises(services.InvalidCredentials) as refusal:
        services.authenticate(user.email, PASSWORD, now=NOW)

    assert str(refusal.value) == "This account has been deactivated."


# --- through the /login form ----------------------------------------------------------------


def log_in(client, email, password):
    return post_form(client, "/login", {"email": email, "password": password})


def test_login_form_signs_in_and_goes_to_the_dashboard(client):
    user = make_user(name="Ana Puig")

    response = log_in(client, user.email, PASSWORD)

    assert (response.status_code, response.location) == (302, "/dashboard")
    assert flashes(client) == [("success", "Welcome, Ana Puig.")]
    assert client.get("/dashboard").status_code == 200


def test_login_form_follows_a_local_next_only(client):
    user = make_user()
    response = post_form(
        client,
        "/login?next=//evil.example.org/",
        {"email": user.email, "password": PASSWORD},
        page="/login",
    )

    assert response.location == "/dashboard"


def test_login_form_shows_a_wrong_password_next_to_the_password(client):
    user = make_user()

    response = log_in(client, user.email, WRONG)

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "password") == [WRONG_CREDENTIALS]


def test_login_form_shows_the_lock_next_to_the_password_on_the_fifth_failure(client):
    user = make_user()
    for _attempt in range(4):
        log_in(client, user.email, WRONG)

    response = log_in(client, user.email, WRONG)

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "password") == [locked_message(15)]


def test_login_form_refuses_the_right_password_while_locked(client):
    user = make_user()
    for _attempt in range(5):
        log_in(client, user.email, WRONG)

    response = log_in(client, user.email, PASSWORD)

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "password") == [locked_message(15)]
    assert client.get("/dashboard").status_code == 302


def test_login_form_accepts_the_right_password_once_the_lock_expired(client):
    user = make_user()
    fail_five_times(user, start=utcnow() - timedelta(minutes=20))

    response = log_in(client, user.email, PASSWORD)

    assert (response.status_code, response.location) == (302, "/dashboard")


def test_login_form_refuses_an_unconfirmed_account_next_to_the_email(client):
    user = make_user(confirmed=False)

    response = log_in(client, user.email, PASSWORD)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, "email") == [
        "Please confirm your email address first: follow the link we sent you."
    ]
    assert 'href="/confirm"' in page
    assert client.get("/dashboard").status_code == 302
