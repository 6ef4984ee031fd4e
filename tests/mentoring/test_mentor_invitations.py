"""Mentor invitations: a manager invites by email from the mentor pool page; the emailed link
gives an existing user the mentor role or creates a confirmed mentor account."""

import re

import pytest
from sqlalchemy import func, select

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.core.clock import utcnow
from accelerator.core.errors import NotAllowed
from accelerator.extensions import db
from accelerator.reviews.models import ReviewerInvitation
from accelerator.reviews.pool import invite_to_pool
from tests.cohorts.conftest import make_project, member_of
from tests.conftest import post_form, sign_in
from tests.factories import make_user
from tests.mentoring.conftest import make_mentor
from tests.reviews.reviewing_helpers import audit_trail, flashes, make_manager, outbox

EMAIL = "rosalind.franklin@kings.example.ac.uk"
NEW_PASSWORD = "a long mentor password"


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


def _invite(manager, email=EMAIL) -> str:
    """Invites a mentor through the service; returns the path of the emailed link."""
    invite_to_pool(email, role=Role.MENTOR, by=manager, now=utcnow())
    return _join_path(outbox()[-1].body_text)


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.email == email)).unique().one_or_none()


def _invitations() -> list[ReviewerInvitation]:
    db.session.expire_all()
    return list(db.session.scalars(select(ReviewerInvitation).order_by(ReviewerInvitation.id)))


def _signed_in_client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _pool_rows(html: str) -> list[tuple[str, str, str]]:
    """(name, email, profile) for each mentor row of the pool page."""
    return re.findall(
        r'<tr id="mentor-\d+"><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html
    )


# --- inviting ------------------------------------------------------------------------------


def test_mentor_invitation_by_a_manager_queues_an_email_with_the_join_link(manager_client, manager):
    response = post_form(
        manager_client, "/mentoring/pool", {"email": "Rosalind.Franklin@Kings.example.ac.uk"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/mentoring/pool"
    assert flashes(manager_client) == [
        ("success", "Invitation sent to Rosalind.Franklin@Kings.example.ac.uk.")
    ]
    [message] = outbox()
    assert (message.recipient, message.subject) == (EMAIL, "Invitation to mentor for ATMP Catalyst")
    assert "invites you to join the mentor pool of ATMP Catalyst" in message.body_text
    assert "Open this link within 14 days to create your mentor account:" in message.body_text
    assert _join_path(message.body_text).startswith("/reviewers/join/")
    [invitation] = _invitations()
    assert (invitation.role, invitation.email, invitation.invited_by_id) == (
        Role.MENTOR,
        EMAIL,
        manager.id,
    )
    [entry] = audit_trail("mentor.invited")
    assert (entry.actor_id, entry.object_id, entry.details) == (
        manager.id,
        invitation.id,
        {"email": EMAIL},
    )
    assert audit_trail("reviewer.invited") == []


def test_mentor_invitation_to_an_existing_user_asks_them_to_sign_in(app, manager):
    make_user(email=EMAIL)

    _invite(manager)

    assert "Sign in with this email address and open this link within 14 days to accept:" in (
        outbox()[-1].body_text
    )


def test_mentor_invitation_with_an_invalid_email_shows_the_message_next_to_the_field(
    manager_client,
):
    response = post_form(manager_client, "/mentoring/pool", {"email": "not-an-address"})

    assert response.status_code == 200
    [error] = re.findall(r'<div id="email-error"[^>]*>\s*<span>([^<]*)</span>', response.text)
    assert error == "Enter a valid email address, like name@example.org."
    assert 'aria-invalid="true"' in response.text
    assert _invitations() == []
    assert outbox() == []


def test_mentor_invitation_by_a_non_manager_is_not_allowed(app):
    mentor = make_user(Role.MENTOR)

    with pytest.raises(NotAllowed):
        invite_to_pool(EMAIL, role=Role.MENTOR, by=mentor, now=utcnow())

    assert _invitations() == []


@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.REVIEWER, Role.MENTOR, Role.LAB_MANAGER], ids=str
)
def test_mentor_pool_page_is_forbidden_to_non_managers(app, role):
    client = _signed_in_client(app, make_user(role))

    page = client.get("/mentoring/pool")
    posted = post_form(client, "/mentoring/pool", {"email": EMAIL}, page="/confirm")

    assert (page.status_code, posted.status_code) == (403, 403)
    assert _invitations() == []


def test_mentor_pool_page_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/mentoring/pool")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- the pool page -------------------------------------------------------------------------


def test_mentor_pool_lists_mentors_with_their_profile_state_and_pending_mentor_invitations(
    manager_client, manager
):
    with_profile = make_mentor(name="Ana Profiled").user
    without_profile = make_user(Role.MENTOR, name="Bea Newcomer", email="bea@mentors.example.net")
    make_user(Role.REVIEWER, name="Carl Reviewer")
    invite_to_pool("pending.mentor@example.net", role=Role.MENTOR, by=manager, now=utcnow())
    invite_to_pool("pending.reviewer@example.net", role=Role.REVIEWER, by=manager, now=utcnow())

    page = manager_client.get("/mentoring/pool").text

    assert _pool_rows(page) == [
        ("Ana Profiled", with_profile.email, "Filled in"),
        ("Bea Newcomer", without_profile.email, "Not yet"),
    ]
    [pending] = re.findall(r'<ul id="invitations"><li>([^ <]+) —', page)
    assert pending == "pending.mentor@example.net"


def test_mentor_pool_link_is_shown_to_managers_only_on_the_directory(app, manager_client):
    member = member_of()
    make_project(member=member)
    member_client = _signed_in_client(app, member)

    manager_page = manager_client.get("/mentoring/mentors").text
    member_page = member_client.get("/mentoring/mentors")

    assert 'href="/mentoring/pool"' in manager_page
    assert member_page.status_code == 200
    assert 'href="/mentoring/pool"' not in member_page.text


@pytest.mark.parametrize("mentors", [1, 3])
def test_mentor_pool_page_runs_the_same_queries_for_1_and_3_mentors(
    manager_client, manager, count_queries, mentors
):
    for number in range(mentors):
        make_mentor(name=f"Mentor {number}")
        make_user(Role.MENTOR, email=f"newcomer{number}@mentors.example.net")
        invite_to_pool(f"invitee{number}@example.net", role=Role.MENTOR, by=manager, now=utcnow())

    with count_queries() as statements:
        response = manager_client.get("/mentoring/pool")

    assert response.status_code == 200
    # the signed-in manager and their roles, the mentors and their roles, profiles, invitations
    assert len(statements) == 6


# --- accepting -----------------------------------------------------------------------------


def test_mentor_invitation_link_for_a_new_person_creates_a_confirmed_mentor(app, manager):
    path = _invite(manager)
    client = app.test_client()

    page = client.get(path).text
    response = post_form(
        client,
        path,
        {
            "name": " Rosalind Franklin ",
            "email": EMAIL,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert "Join the mentor pool" in page
    assert f"Create your mentor account for {EMAIL}." in page
    assert "reviewer" not in page.lower().replace("/reviewers/join/", "")
    assert response.status_code == 302
    assert response.headers["Location"] == "/mentoring/profile"
    user = _user(EMAIL)
    assert (user.name, user.roles, user.email_confirmed) == (
        "Rosalind Franklin",
        {Role.MENTOR},
        True,
    )
    [invitation] = _invitations()
    assert invitation.accepted_by_id == user.id
    [entry] = audit_trail("role.granted")
    assert (entry.actor_id, entry.object_id, entry.details) == (
        user.id,
        user.id,
        {"role": "mentor", "via": "mentor invitation"},
    )
    assert flashes(client) == [("success", "Welcome to the mentor pool, Rosalind Franklin.")]
    assert client.get("/mentoring/profile").status_code == 200  # signed in, as a mentor
    assert client.get("/reviews").status_code == 403


def test_mentor_invitation_link_for_the_signed_in_user_adds_the_mentor_role(app, manager):
    user = make_user(Role.APPLICANT, email=EMAIL)
    path = _invite(manager)
    client = _signed_in_client(app, user)

    page = client.get(path).text
    response = post_form(client, path, {})

    assert "Accept and become a mentor" in page
    assert response.status_code == 302
    assert response.headers["Location"] == "/mentoring/profile"
    assert flashes(client) == [("success", "You are now in the mentor pool.")]
    assert _user(EMAIL).roles == {Role.APPLICANT, Role.MENTOR}
    [entry] = audit_trail("role.granted")
    assert entry.details == {"role": "mentor", "via": "mentor invitation"}
    assert client.get("/mentoring/profile").status_code == 200


def test_mentor_invitation_link_for_a_different_signed_in_email_is_refused(app, manager):
    other = make_user(Role.APPLICANT, email="someone.else@kings.example.ac.uk")
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
    [invitation] = _invitations()
    assert invitation.accepted_at is None
    assert audit_trail("role.granted") == []


def test_reviewer_invitation_still_grants_only_the_reviewer_role(app, manager):
    user = make_user(Role.APPLICANT, email=EMAIL)
    invite_to_pool(EMAIL, role=Role.REVIEWER, by=manager, now=utcnow())
    client = _signed_in_client(app, user)

    response = post_form(client, _join_path(outbox()[-1].body_text), {})

    assert response.headers["Location"] == "/reviews"
    assert outbox()[-1].subject == "Invitation to review for ATMP Catalyst"
    assert _user(EMAIL).roles == {Role.APPLICANT, Role.REVIEWER}
    assert db.session.scalar(select(func.count()).select_from(ReviewerInvitation)) == 1
