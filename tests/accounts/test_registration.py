"""Self-registration: applicant role only, unique email, confirmation before signing in."""

import pytest
from sqlalchemy import func, select

from accelerator.accounts import services
from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.accounts.passwords import password_matches
from accelerator.extensions import db
from tests.accounts.conftest import NOW, audit_trail, emails_to, field_errors, link_in, path_of
from tests.conftest import post_form, sign_in
from tests.factories import PASSWORD, make_user

EMAIL_TAKEN = "An account with this email address already exists."


def registration(**overrides) -> dict:
    return {
        "name": "Ana Puig",
        "email": "ana@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        **overrides,
    }


def user_with_email(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).unique().one()


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


# --- through the service -------------------------------------------------------------------


def test_register_user_grants_the_applicant_role_only():
    user = services.register_user(email="ana@example.org", name="Ana", password=PASSWORD, now=NOW)

    assert user.roles == {Role.APPLICANT}


def test_register_user_stores_a_normalised_email_and_a_hashed_password():
    user = services.register_user(
        email="  Ana@Example.ORG ", name=" Ana Puig ", password=PASSWORD, now=NOW
    )

    assert (user.email, user.name, user.email_confirmed_at) == ("ana@example.org", "Ana Puig", None)
    assert user.password_hash.startswith("$argon2id$")
    assert password_matches(user.password_hash, PASSWORD)


def test_register_user_is_audited():
    user = services.register_user(email="ana@example.org", name="Ana", password=PASSWORD, now=NOW)

    (entry,) = audit_trail("user.registered")
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.created_at) == (
        user.id,
        "user",
        user.id,
        NOW,
    )


def test_register_user_refuses_an_email_taken_in_another_case():
    make_user(email="ana@example.org")

    with pytest.raises(services.EmailTaken) as refusal:
        services.register_user(email="ANA@example.org", name="Ana", password=PASSWORD, now=NOW)

    assert str(refusal.value) == EMAIL_TAKEN
    assert user_count() == 1
    assert emails_to("ana@example.org") == []


def test_register_user_refuses_a_password_shorter_than_12_characters():
    with pytest.raises(services.PasswordTooShort) as refusal:
        services.register_user(email="ana@example.org", name="Ana", password="x" * 11, now=NOW)

    assert str(refusal.value) == "Use at least 12 characters."
    assert user_count() == 0


def test_resend_confirmation_emails_an_unconfirmed_account_only():
    unconfirmed = make_user(confirmed=False)
    confirmed = make_user()

    services.resend_confirmation(unconfirmed.email.upper(), now=NOW)
    services.resend_confirmation(confirmed.email, now=NOW)
    services.resend_confirmation("nobody@example.org", now=NOW)

    assert [message.subject for message in emails_to(unconfirmed.email)] == [
        "Confirm your email address"
    ]
    assert emails_to(confirmed.email) == []
    assert emails_to("nobody@example.org") == []


# --- through /register ----------------------------------------------------------------------


def test_register_page_creates_an_applicant_and_emails_a_link(client):
    response = post_form(client, "/register", registration())

    assert response.status_code == 200
    assert "We have sent a confirmation link to ana@example.org." in response.get_data(as_text=True)
    user = user_with_email("ana@example.org")
    assert user.roles == {Role.APPLICANT}
    assert not user.email_confirmed
    assert link_in(emails_to("ana@example.org")[0]).startswith("http://127.0.0.1:5000/confirm/")


@pytest.mark.parametrize(
    "extra",
    [
        {"roles": "programme_manager"},
        {"roles": ["programme_manager", "reviewer"]},
        {"role": "programme_manager"},
        {"role_grants": "lab_manager"},
        {"email_confirmed_at": "2020-01-01T00:00:00"},
        {"active": "y", "organisation_id": "1"},
    ],
    ids=["roles", "several-roles", "role", "role-grants", "confirmed", "organisation"],
)
def test_register_page_ignores_extra_fields_and_grants_only_applicant(client, extra):
    post_form(client, "/register", registration(**extra))

    user = user_with_email("ana@example.org")
    assert user.roles == {Role.APPLICANT}
    assert user.email_confirmed_at is None
    assert user.organisation_id is None


def test_register_page_refuses_a_duplicate_email_in_another_case(client):
    make_user(email="ana@example.org")

    response = post_form(client, "/register", registration(email="Ana@EXAMPLE.org"))

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "email") == [EMAIL_TAKEN]
    assert user_count() == 1


def test_register_page_redirects_a_signed_in_user_to_the_dashboard(client):
    sign_in(client, make_user())

    response = client.get("/register")

    assert (response.status_code, response.location) == (302, "/dashboard")


def test_registered_user_cannot_sign_in_before_confirming(client):
    post_form(client, "/register", registration())

    response = post_form(client, "/login", {"email": "ana@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "email") == [
        "Please confirm your email address first: follow the link we sent you."
    ]


def test_registered_user_signs_in_after_following_the_emailed_link(client):
    post_form(client, "/register", registration())
    client.get(path_of(link_in(emails_to("ana@example.org")[0])))

    response = post_form(client, "/login", {"email": "ana@example.org", "password": PASSWORD})

    assert (response.status_code, response.location) == (302, "/dashboard")


def test_resend_confirmation_page_answers_the_same_for_unknown_addresses(client):
    unconfirmed = make_user(confirmed=False)

    known = post_form(client, "/confirm", {"email": unconfirmed.email})
    unknown = post_form(client, "/confirm", {"email": "nobody@example.org"})

    assert (known.status_code, known.location) == (302, "/login")
    assert (unknown.status_code, unknown.location) == (302, "/login")
    assert len(emails_to(unconfirmed.email)) == 1
    assert emails_to("nobody@example.org") == []


def test_forgot_password_page_answers_the_same_for_unknown_addresses(client):
    user = make_user()

    known = post_form(client, "/password/forgot", {"email": user.email})
    unknown = post_form(client, "/password/forgot", {"email": "nobody@example.org"})

    assert (known.status_code, known.location) == (302, "/login")
    assert (unknown.status_code, unknown.location) == (302, "/login")
    assert [message.subject for message in emails_to(user.email)] == ["Reset your password"]
    assert emails_to("nobody@example.org") == []
