"""The reviewer pool: a manager invites by email; the emailed link gives an existing user the
reviewer role or creates a confirmed reviewer account; wrong, expired and used links fail."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accelerator.accounts.enums import Role
from accelerator.accounts.models import RoleGrant, User
from accelerator.accounts.services import EmailTaken, LinkAlreadyUsed
from accelerator.accounts.tokens import ExpiredToken
from accelerator.core.clock import utcnow
from accelerator.core.errors import NotAllowed
from accelerator.extensions import db
from accelerator.reviews.models import ReviewerInvitation
from accelerator.reviews.pool import (
    accept_as_existing_user,
    accept_with_new_account,
    invitation_for_token,
    invite_reviewer,
)
from tests.conftest import post_form, sign_in
from tests.factories import PASSWORD, make_user
from tests.reviews.reviewing_helpers import audit_trail, flashes, make_manager, outbox

EMAIL = "ada.lovelace@analytical.example.edu"
NEW_PASSWORD = "a long reviewer password"


@pytest.fixture
def manager(app):
    return make_manager()


@pytest.fixture
def manager_client(app, manager):
    client = app.test_client()
    sign_in(client, manager)
    return client


def _join_path(body: str) -> str:
    [path] = re.findall(r"https?://[^/\s]+(/reviewers/join/\S+)", body)
    return path


def _invite(manager, email=EMAIL, *, now=None) -> str:
    """Invites through the service; returns the path of the emailed link."""
    invite_reviewer(email, by=manager, now=now or utcnow())
    return _join_path(outbox()[-1].body_text)


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.email == email)).unique().one_or_none()


def _grant_count(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RoleGrant)
        .where(RoleGrant.user_id == user.id, RoleGrant.role == Role.REVIEWER)
    )


def _signed_in_client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _invitation() -> ReviewerInvitation:
    db.session.expire_all()
    return db.session.scalars(select(ReviewerInvitation)).one()


# --- inviting ------------------------------------------------------------------------------


def test_reviewer_invitation_by_a_manager_queues_an_email_with_the_join_link(
    manager_client, manager
):
    response = post_form(
        manager_client, "/manage/reviewers", {"email": "Ada.Lovelace@Analytical.example.edu"}
    )

    assert response.status_code == 302
    assert flashes(manager_client) == [
        ("success", "Invitation sent to Ada.Lovelace@Analytical.example.edu.")
    ]
    [message] = outbox()
    assert (message.recipient, message.subject) == (EMAIL, "Invitation to review for ATMP Catalyst")
    assert "Open this link within 14 days to create your reviewer account:" in message.body_text
    path = _join_path(message.body_text)
    assert path.startswith("/reviewers/join/")
    invitation = _invitation()
    assert (invitation.email, invitation.invited_by_id, invitation.accepted_at) == (
        EMAIL,
        manager.id,
        None,
    )
    assert invitation_for_token(path.rpartition("/")[2], now=utcnow()) == invitation
    [entry] = audit_trail("reviewer.invited")
    assert (entry.actor_id, entry.object_id, entry.details) == (
        manager.id,
        invitation.id,
        {"email": EMAIL},
    )
    assert EMAIL in manager_client.get("/manage/reviewers").get_data(as_text=True)


def test_reviewer_invitation_to_an_existing_user_asks_them_to_sign_in(app, manager):
    make_user(email=EMAIL)

    _invite(manager)

    assert "Sign in with this email address and open this link within 14 days to accept:" in (
        outbox()[-1].body_text
    )


def test_reviewer_invitation_by_a_non_manager_is_not_allowed(app):
    reviewer = make_user(Role.REVIEWER)

    with pytest.raises(NotAllowed):
        invite_reviewer(EMAIL, by=reviewer, now=utcnow())

    assert db.session.scalar(select(func.count()).select_from(ReviewerInvitation)) == 0


# --- an existing user accepts --------------------------------------------------------------


def test_reviewer_invitation_link_for_the_signed_in_user_adds_the_role_audited(app, manager):
    user = make_user(Role.APPLICANT, email=EMAIL)
    path = _invite(manager)
    client = _signed_in_client(app, user)

    page = client.get(path).get_data(as_text=True)
    response = post_form(client, path, {})

    assert f"This invitation is for {EMAIL}." in page
    assert response.status_code == 302
    assert response.headers["Location"] == "/reviews"
    assert flashes(client) == [("success", "You are now in the reviewer pool.")]
    assert _user(EMAIL).roles == {Role.APPLICANT, Role.REVIEWER}
    [entry] = audit_trail("role.granted")
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.details) == (
        user.id,
        "user",
        user.id,
        {"role": "reviewer", "via": "reviewer invitation"},
    )
    invitation = _invitation()
    assert (invitation.accepted_by_id, invitation.accepted_at is not None) == (user.id, True)
    assert client.get("/reviews").status_code == 200


def test_reviewer_invitation_link_used_twice_is_refused_and_grants_once(app, manager):
    user = make_user(Role.APPLICANT, email=EMAIL)
    path = _invite(manager)
    client = _signed_in_client(app, user)
    post_form(client, path, {})
    flashes(client)  # read the first flash
    client.get("/reviews")

    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert flashes(client) == [("error", "This invitation has already been accepted.")]
    assert _grant_count(user) == 1
    assert len(audit_trail("role.granted")) == 1
    with pytest.raises(LinkAlreadyUsed):
        accept_as_existing_user(path.rpartition("/")[2], by=_user(EMAIL), now=utcnow())


def test_reviewer_invitation_for_someone_already_reviewing_adds_no_second_role(app, manager):
    user = make_user(Role.REVIEWER, email=EMAIL)
    path = _invite(manager)

    accept_as_existing_user(path.rpartition("/")[2], by=user, now=utcnow())

    assert _grant_count(user) == 1
    assert audit_trail("role.granted") == []
    assert _invitation().accepted_by_id == user.id


def test_reviewer_invitation_link_for_a_different_signed_in_email_is_refused(app, manager):
    other = make_user(Role.APPLICANT, email="someone.else@analytical.example.edu")
    path = _invite(manager)
    client = _signed_in_client(app, other)

    response = post_form(client, path, {})

    assert response.status_code == 302
    assert flashes(client) == [
        (
            "error",
            f"This invitation was sent to {EMAIL}; sign in with that address to accept it.",
        )
    ]
    assert _user(other.email).roles == {Role.APPLICANT}
    assert _invitation().accepted_at is None
    assert audit_trail("role.granted") == []


# --- a new person accepts ------------------------------------------------------------------


def test_reviewer_invitation_link_for_a_new_person_creates_a_confirmed_reviewer(app, manager):
    path = _invite(manager)
    client = app.test_client()

    page = client.get(path).get_data(as_text=True)
    response = post_form(
        client,
        path,
        # The posted address is ignored: the account is for the address invited.
        {
            "name": " Ada Lovelace ",
            "email": "mallory@evil.example.com",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert f"Create your reviewer account for {EMAIL}." in page
    assert response.status_code == 302
    assert response.headers["Location"] == "/reviews"
    user = _user(EMAIL)
    assert (user.name, user.roles, user.email_confirmed) == ("Ada Lovelace", {Role.REVIEWER}, True)
    assert _user("mallory@evil.example.com") is None
    assert _invitation().accepted_by_id == user.id
    [entry] = audit_trail("role.granted")
    assert (entry.actor_id, entry.object_id) == (user.id, user.id)
    assert client.get("/reviews").status_code == 200  # signed in
    assert flashes(client) == []
    assert client.get(path).headers["Location"] == "/"


def test_reviewer_invitation_new_account_with_short_password_is_refused(app, manager):
    path = _invite(manager)
    client = app.test_client()

    response = post_form(
        client, path, {"name": "Ada", "email": EMAIL, "password": "short", "confirm": "short"}
    )

    assert response.status_code == 200
    assert "Use at least 12 characters." in response.get_data(as_text=True)
    assert _user(EMAIL) is None
    assert _invitation().accepted_at is None


def test_reviewer_invitation_new_account_for_a_taken_address_is_refused(app, manager):
    make_user(Role.APPLICANT, email=EMAIL)
    path = _invite(manager)
    client = app.test_client()

    response = post_form(
        client,
        path,
        {"name": "Ada", "email": EMAIL, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "An account with this address exists: sign in to accept." in (
        response.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == EMAIL)) == 1
    assert _invitation().accepted_at is None
    with pytest.raises(EmailTaken):
        accept_with_new_account(
            path.rpartition("/")[2], name="Ada", password=PASSWORD, now=utcnow()
        )


# --- expired, used and broken links --------------------------------------------------------


def test_reviewer_invitation_link_older_than_14_days_is_refused(app, manager):
    path = _invite(manager, now=utcnow() - timedelta(days=14, seconds=1))
    client = app.test_client()

    response = client.get(path)

    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert flashes(client) == [("error", "This link has expired. Please ask for a new one.")]
    with pytest.raises(ExpiredToken):
        accept_with_new_account(
            path.rpartition("/")[2], name="Ada", password=NEW_PASSWORD, now=utcnow()
        )
    assert _user(EMAIL) is None


def test_reviewer_invitation_token_expires_after_14_days_to_the_second(app, manager):
    sent_at = utcnow().replace(microsecond=0)
    token = _invite(manager, now=sent_at).rpartition("/")[2]

    assert invitation_for_token(token, now=sent_at + timedelta(days=14)) == _invitation()
    with pytest.raises(ExpiredToken):
        invitation_for_token(token, now=sent_at + timedelta(days=14, seconds=1))


def test_reviewer_invitation_used_link_refuses_a_new_account(app, manager):
    token = _invite(manager).rpartition("/")[2]
    accept_with_new_account(token, name="Ada", password=NEW_PASSWORD, now=utcnow())

    with pytest.raises(LinkAlreadyUsed):
        accept_with_new_account(token, name="Eve", password=NEW_PASSWORD, now=utcnow())

    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == EMAIL)) == 1


def test_reviewer_invitation_tampered_link_is_refused(app, manager):
    path = _invite(manager)
    client = app.test_client()

    response = client.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))

    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert flashes(client) == [
        ("error", "This link is not valid. Please check that you copied it completely.")
    ]
