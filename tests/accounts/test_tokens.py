"""Confirmation (48 h) and password-reset (1 h, single use) links: valid, expired, reused,
tampered; through the services and through the routes the emails point to."""

from datetime import timedelta

import pytest

from accelerator.accounts import services
from accelerator.accounts.passwords import password_matches
from accelerator.accounts.tokens import ExpiredToken, InvalidToken
from accelerator.core.clock import utcnow
from tests.accounts.conftest import NOW, audit_trail, emails_to, flashes, link_in, path_of
from tests.conftest import post_form
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new passphrase"
INVALID = "This link is not valid. Please check that you copied it completely."
EXPIRED = "This link has expired. Please ask for a new one."
ALREADY_USED = "This link has already been used. Please ask for a new one if you need it."


def confirmation_token(user, *, now) -> str:
    services.resend_confirmation(user.email, now=now)
    return link_in(emails_to(user.email)[-1]).rsplit("/", 1)[1]


def reset_token(user, *, now) -> str:
    services.request_password_reset(user.email, now=now)
    return link_in(emails_to(user.email)[-1]).rsplit("/", 1)[1]


def with_one_character_changed(token: str, index: int) -> str:
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


# Index 5 falls in the signed payload, -5 in the signature.
TAMPERED_POSITIONS = pytest.mark.parametrize("index", [5, -5], ids=["payload", "signature"])


# --- confirmation, through the service ------------------------------------------------------


def test_confirmation_link_is_emailed_on_registration():
    user = services.register_user(email="ana@example.org", name="Ana", password=PASSWORD, now=NOW)

    (message,) = emails_to("ana@example.org")

    assert message.subject == "Confirm your email address"
    assert link_in(message).startswith("http://127.0.0.1:5000/confirm/")
    assert user.email_confirmed_at is None


def test_confirmation_token_confirms_email_when_valid():
    user = make_user(confirmed=False)
    token = confirmation_token(user, now=NOW)

    confirmed = services.confirm_email(token, now=NOW + timedelta(hours=1))

    assert confirmed.id == user.id
    assert user.email_confirmed_at == NOW + timedelta(hours=1)


def test_confirmation_token_is_accepted_at_exactly_48_hours():
    user = make_user(confirmed=False)
    token = confirmation_token(user, now=NOW)

    services.confirm_email(token, now=NOW + timedelta(hours=48))

    assert user.email_confirmed_at == NOW + timedelta(hours=48)


def test_confirmation_token_is_refused_one_second_after_48_hours():
    user = make_user(confirmed=False)
    token = confirmation_token(user, now=NOW)

    with pytest.raises(ExpiredToken) as refusal:
        services.confirm_email(token, now=NOW + timedelta(hours=48, seconds=1))

    assert str(refusal.value) == EXPIRED
    assert user.email_confirmed_at is None


def test_confirmation_token_used_twice_is_harmless():
    user = make_user(confirmed=False)
    token = confirmation_token(user, now=NOW)
    services.confirm_email(token, now=NOW + timedelta(minutes=5))

    again = services.confirm_email(token, now=NOW + timedelta(minutes=10))

    assert again.id == user.id
    assert user.email_confirmed_at == NOW + timedelta(minutes=5)
    assert len(audit_trail("user.email_confirmed")) == 1


@TAMPERED_POSITIONS
def test_confirmation_token_with_one_character_changed_is_refused(index):
    user = make_user(confirmed=False)
    token = with_one_character_changed(confirmation_token(user, now=NOW), index)

    with pytest.raises(InvalidToken) as refusal:
        services.confirm_email(token, now=NOW)

    assert str(refusal.value) == INVALID
    assert user.email_confirmed_at is None


def test_confirmation_token_refuses_a_reset_token():
    user = make_user(confirmed=False)
    token = reset_token(user, now=NOW)

    with pytest.raises(InvalidToken):
        services.confirm_email(token, now=NOW)

    assert user.email_confirmed_at is None


def test_confirmation_token_for_a_former_email_address_is_refused():
    user = make_user(confirmed=False, email="old@example.org")
    token = confirmation_token(user, now=NOW)
    user.email = "new@example.org"

    with pytest.raises(InvalidToken):
        services.confirm_email(token, now=NOW)

    assert user.email_confirmed_at is None


# --- password reset, through the service ----------------------------------------------------


def test_reset_link_is_emailed_for_a_known_address_only():
    user = make_user(email="ana@example.org")

    services.request_password_reset("ANA@example.org", now=NOW)
    services.request_password_reset("nobody@example.org", now=NOW)

    assert [message.subject for message in emails_to(user.email)] == ["Reset your password"]
    assert emails_to("nobody@example.org") == []


def test_reset_token_changes_the_password_when_valid():
    user = make_user()
    token = reset_token(user, now=NOW)

    services.reset_password(token, NEW_PASSWORD, now=NOW + timedelta(minutes=30))

    assert password_matches(user.password_hash, NEW_PASSWORD)
    assert not password_matches(user.password_hash, PASSWORD)
    assert [entry.actor_id for entry in audit_trail("user.password_reset")] == [user.id]


def test_reset_token_is_accepted_at_exactly_one_hour():
    user = make_user()
    token = reset_token(user, now=NOW)

    found = services.user_for_reset_token(token, now=NOW + timedelta(hours=1))

    assert found.id == user.id


def test_reset_token_is_refused_one_second_after_one_hour():
    user = make_user()
    token = reset_token(user, now=NOW)

    with pytest.raises(ExpiredToken) as refusal:
        services.reset_password(token, NEW_PASSWORD, now=NOW + timedelta(hours=1, seconds=1))

    assert str(refusal.value) == EXPIRED
    assert password_matches(user.password_hash, PASSWORD)


def test_reset_token_is_refused_once_the_password_has_changed():
    user = make_user()
    token = reset_token(user, now=NOW)
    services.reset_password(token, NEW_PASSWORD, now=NOW + timedelta(minutes=1))

    with pytest.raises(services.LinkAlreadyUsed) as refusal:
        services.reset_password(token, "yet another passphrase", now=NOW + timedelta(minutes=2))

    assert str(refusal.value) == ALREADY_USED
    assert password_matches(user.password_hash, NEW_PASSWORD)


def test_reset_token_of_an_earlier_request_is_refused_after_a_later_one_is_used():
    user = make_user()
    first = reset_token(user, now=NOW)
    second = reset_token(user, now=NOW + timedelta(minutes=1))
    services.reset_password(second, NEW_PASSWORD, now=NOW + timedelta(minutes=2))

    with pytest.raises(services.LinkAlreadyUsed):
        services.user_for_reset_token(first, now=NOW + timedelta(minutes=3))


@TAMPERED_POSITIONS
def test_reset_token_with_one_character_changed_is_refused(index):
    user = make_user()
    token = with_one_character_changed(reset_token(user, now=NOW), index)

    with pytest.raises(InvalidToken) as refusal:
        services.reset_password(token, NEW_PASSWORD, now=NOW)

    assert str(refusal.value) == INVALID
    assert password_matches(user.password_hash, PASSWORD)


def test_reset_token_refuses_a_confirmation_token():
    user = make_user(confirmed=False)
    token = confirmation_token(user, now=NOW)

    with pytest.raises(InvalidToken):
        services.reset_password(token, NEW_PASSWORD, now=NOW)

    assert password_matches(user.password_hash, PASSWORD)


def test_reset_password_confirms_an_unconfirmed_email():
    user = make_user(confirmed=False)
    token = reset_token(user, now=NOW)

    services.reset_password(token, NEW_PASSWORD, now=NOW + timedelta(minutes=1))

    assert user.email_confirmed_at == NOW + timedelta(minutes=1)


# --- confirmation, through /confirm/<token> ----------------------------------------------------


def test_confirm_route_confirms_and_sends_to_login(client):
    user = make_user(confirmed=False)
    token = confirmation_token(user, now=utcnow())

    response = client.get(f"/confirm/{token}")

    assert response.status_code == 302
    assert response.location == "/login"
    assert flashes(client) == [
        ("success", "Thank you: your email address is confirmed. You can sign in now.")
    ]
    assert user.email_confirmed


def test_confirm_route_link_from_the_email_works_twice(client):
    services.register_user(email="ana@example.org", name="Ana", password=PASSWORD, now=utcnow())
    path = path_of(link_in(emails_to("ana@example.org")[0]))

    first = client.get(path)
    second = client.get(path)

    assert (first.status_code, first.location) == (302, "/login")
    assert (second.status_code, second.location) == (302, "/login")
    assert len(audit_trail("user.email_confirmed")) == 1


def test_confirm_route_accepts_a_link_just_inside_48_hours(client):
    user = make_user(confirmed=False)
    token = confirmation_token(user, now=utcnow() - timedelta(hours=48) + timedelta(minutes=1))

    response = client.get(f"/confirm/{token}")

    assert response.location == "/login"
    assert user.email_confirmed


def test_confirm_route_refuses_a_link_just_after_48_hours(client):
    user = make_user(confirmed=False)
    token = confirmation_token(user, now=utcnow() - timedelta(hours=48, minutes=1))

    response = client.get(f"/confirm/{token}")

    assert (response.status_code, response.location) == (302, "/confirm")
    assert flashes(client) == [("error", EXPIRED)]
    assert not user.email_confirmed


@TAMPERED_POSITIONS
def test_confirm_route_refuses_a_link_with_one_character_changed(client, index):
    user = make_user(confirmed=False)
    token = with_one_character_changed(confirmation_token(user, now=utcnow()), index)

    response = client.get(f"/confirm/{token}")

    assert (response.status_code, response.location) == (302, "/confirm")
    assert flashes(client) == [("error", INVALID)]
    assert not user.email_confirmed


def test_confirm_route_refuses_a_reset_link(client):
    user = make_user(confirmed=False)
    token = reset_token(user, now=utcnow())

    response = client.get(f"/confirm/{token}")

    assert (response.status_code, response.location) == (302, "/confirm")
    assert flashes(client) == [("error", INVALID)]
    assert not user.email_confirmed


# --- password reset, through /password/reset/<token> -------------------------------------------


def test_reset_route_shows_the_form_for_a_valid_link(client):
    user = make_user()
    token = reset_token(user, now=utcnow())

    response = client.get(f"/password/reset/{token}")

    assert response.status_code == 200
    assert 'name="password"' in response.get_data(as_text=True)


def test_reset_route_changes_the_password_and_sends_to_login(client):
    user = make_user()
    path = f"/password/reset/{reset_token(user, now=utcnow())}"

    response = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert (response.status_code, response.location) == (302, "/login")
    assert flashes(client) == [
        ("success", "Your password has been changed. You can sign in with it now.")
    ]
    assert password_matches(user.password_hash, NEW_PASSWORD)


def test_reset_route_refuses_the_link_once_used(client):
    user = make_user()
    path = f"/password/reset/{reset_token(user, now=utcnow())}"
    post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    client.get("/login")  # shows, and so clears, the success message

    response = client.get(path)

    assert (response.status_code, response.location) == (302, "/password/forgot")
    assert flashes(client) == [("error", ALREADY_USED)]
    assert password_matches(user.password_hash, NEW_PASSWORD)


def test_reset_route_accepts_a_link_just_inside_one_hour(client):
    user = make_user()
    token = reset_token(user, now=utcnow() - timedelta(minutes=59))

    response = client.get(f"/password/reset/{token}")

    assert response.status_code == 200


def test_reset_route_refuses_a_link_just_after_one_hour(client):
    user = make_user()
    path = f"/password/reset/{reset_token(user, now=utcnow() - timedelta(minutes=61))}"

    response = post_form(
        client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page="/password/forgot"
    )

    assert (response.status_code, response.location) == (302, "/password/forgot")
    assert flashes(client) == [("error", EXPIRED)]
    assert password_matches(user.password_hash, PASSWORD)


@TAMPERED_POSITIONS
def test_reset_route_refuses_a_link_with_one_character_changed(client, index):
    user = make_user()
    token = with_one_character_changed(reset_token(user, now=utcnow()), index)

    response = client.get(f"/password/reset/{token}")

    assert (response.status_code, response.location) == (302, "/password/forgot")
    assert flashes(client) == [("error", INVALID)]


def test_reset_route_refuses_a_confirmation_link(client):
    user = make_user(confirmed=False)
    token = confirmation_token(user, now=utcnow())

    response = client.get(f"/password/reset/{token}")

    assert (response.status_code, response.location) == (302, "/password/forgot")
    assert flashes(client) == [("error", INVALID)]
