"""Point 12b: a conflict that arises on a standing assignment, declared or detected, removes the
assignment and tells the programme managers (an email and an audit entry). Detection arises
when a person joins the applying organisation, when a reviewer joins it, and when the
organisation's email domain or legal name changes; submitted reviews stay on the record.
"""

import re

from sqlalchemy import select

from accelerator.accounts import organisation_changes, organisations
from accelerator.accounts.models import User
from accelerator.applications.models import Application
from accelerator.core.clock import utcnow
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db
from accelerator.reviews.conflicts import declare_conflict
from accelerator.reviews.models import Assignment
from tests.factories import make_call, make_organisation, make_user
from tests.reviews.conftest import (
    make_assignment,
    make_manager,
    make_reviewable,
    make_reviewer,
    pairs_in,
)
from tests.reviews.test_conflicts import submit_review

REMOVED_SUBJECT = "Conflict of interest: 1 assignment(s) removed"


def join(organisation, person) -> None:
    """The person accepts a member's emailed invitation to the organisation."""
    member = db.session.scalar(select(User).where(User.organisation_id == organisation.id))
    organisations.invite_to_organisation(organisation, email=person.email, by=member, now=utcnow())
    [invitation] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == person.email)
    ).all()
    token = re.search(r"/organisations/join/(\S+)", invitation.body_text)[1]
    organisations.accept_invitation(token, by=person, now=utcnow())


def standing(call) -> list[tuple[str, str]]:
    """(application title, reviewer name) of the call's assignments."""
    names = {user.id: user.name for user in db.session.scalars(select(User))}
    titles = {a.id: a.title for a in db.session.scalars(select(Application))}
    return sorted((titles[app_id], names[reviewer_id]) for app_id, reviewer_id in pairs_in(call))


def removal_notices() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subject == REMOVED_SUBJECT)
            .order_by(OutboxMessage.id)
        )
    )


def removal_audit() -> list[tuple[int, dict]]:
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "assignment.removed").order_by(AuditEntry.id)
    )
    return [(entry.object_id, entry.details) for entry in entries]


def scene(reviewer_email="ana@hospital.example.com"):
    """A call with two reviewed applications (Alpha, Beta), a reviewer on both, a manager."""
    call = make_call()
    manager = make_manager()
    alpha = make_reviewable(call, title="Alpha")
    beta = make_reviewable(call, title="Beta")
    reviewer = make_reviewer(name="Ana Reviewer", email=reviewer_email)
    make_assignment(alpha, reviewer, by=manager)
    make_assignment(beta, reviewer, by=manager)
    return call, manager, alpha, beta, reviewer


def assert_alpha_removed_and_told(call, manager, alpha, reviewer, sources):
    assert standing(call) == [("Beta", "Ana Reviewer")]
    assert removal_audit() == [
        (
            alpha.id,
            {"reviewer_id": reviewer.id, "because": "conflict of interest", "sources": sources},
        )
    ]
    [notice] = removal_notices()
    assert notice.recipient == manager.email
    assert f"- Alpha ({call.title}): Ana Reviewer — " in notice.body_text
    assert f"/manage/calls/{call.id}/assignments" in notice.body_text


def test_conflict_12b_a_member_joining_at_the_reviewer_domain_removes_the_assignment(app):
    call, manager, alpha, _beta, reviewer = scene()
    newcomer = make_user(email="cmo@hospital.example.com")

    join(alpha.organisation, newcomer)

    assert_alpha_removed_and_told(call, manager, alpha, reviewer, ["same_email_domain"])


def test_conflict_12b_the_reviewer_joining_the_organisation_removes_the_assignment(app):
    call, manager, alpha, _beta, reviewer = scene(reviewer_email="ana.reviewer@gmail.com")

    join(alpha.organisation, reviewer)

    assert_alpha_removed_and_told(call, manager, alpha, reviewer, ["same_organisation"])


def test_conflict_12b_a_manager_changing_the_email_domain_removes_the_assignment(app):
    call, manager, alpha, _beta, reviewer = scene()

    organisations.update_organisation(
        alpha.organisation, by=manager, now=utcnow(), email_domain="clinic.hospital.example.com"
    )

    assert_alpha_removed_and_told(call, manager, alpha, reviewer, ["same_email_domain"])


def test_conflict_12b_a_confirmed_email_domain_change_removes_the_assignment(app):
    call, manager, alpha, _beta, reviewer = scene()
    member = db.session.get(User, alpha.created_by_id)
    [change] = organisations.update_organisation(
        alpha.organisation, by=member, now=utcnow(), email_domain="hospital.example.com"
    )
    assert standing(call) == [("Alpha", "Ana Reviewer"), ("Beta", "Ana Reviewer")]

    organisation_changes.decide_organisation_change(change, accepted=True, by=manager, now=utcnow())

    assert_alpha_removed_and_told(call, manager, alpha, reviewer, ["same_email_domain"])


def test_conflict_12b_a_declared_conflict_removes_the_assignment_and_tells_managers(app):
    call, manager, alpha, _beta, reviewer = scene()

    declare_conflict(
        reviewer,
        reason="I advised them last year.",
        by=reviewer,
        now=utcnow(),
        application_id=alpha.id,
    )

    assert_alpha_removed_and_told(call, manager, alpha, reviewer, ["declared"])


def test_conflict_12b_a_submitted_review_stays_on_the_record(app):
    call, manager, alpha, _beta, reviewer = scene()
    alpha_assignment = db.session.scalar(
        select(Assignment).where(Assignment.application_id == alpha.id)
    )
    submit_review(alpha_assignment, reviewer)

    join(alpha.organisation, make_user(email="cmo@hospital.example.com"))

    assert standing(call) == [("Alpha", "Ana Reviewer"), ("Beta", "Ana Reviewer")]
    assert removal_notices() == []


def test_conflict_12b_an_unrelated_change_removes_nothing(app):
    call, manager, alpha, _beta, _reviewer = scene()
    other = make_organisation(email_domain="elsewhere.example.com")
    make_user(organisation=other, email="boss@elsewhere.example.com")

    join(alpha.organisation, make_user(email="postdoc@university.example.edu"))
    organisations.update_organisation(
        alpha.organisation, by=manager, now=utcnow(), city="Girona", legal_name="Alpha Bio SL"
    )

    assert standing(call) == [("Alpha", "Ana Reviewer"), ("Beta", "Ana Reviewer")]
    assert (removal_notices(), removal_audit()) == ([], [])
