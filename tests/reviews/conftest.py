"""Fixtures and factories for the review tests.

Factory users share the domain example.org, which would make every such reviewer conflicted
with every application (same email domain as a member). Reviewers made here therefore get an
address at a registrable domain of their own (independent7.example) unless a test gives one.
"""

from itertools import count

from flask import current_app
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.accounts.models import UserExpertise
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.core.clock import utcnow
from accelerator.core.models import AuditEntry
from accelerator.extensions import db
from accelerator.reviews.assignment import assign_reviewer
from accelerator.reviews.models import Assignment
from tests.factories import make_application, make_user

_numbers = count(1)


def make_reviewer(*, email=None, organisation=None, tags=(), name=None):
    """A user with the reviewer role, at an email domain nobody else has unless given."""
    number = next(_numbers)
    reviewer = make_user(
        Role.REVIEWER,
        email=email or f"reviewer{number}@independent{number}.example",
        name=name or f"Reviewer {number:03d}",
        organisation=organisation,
    )
    for tag in tags:
        db.session.add(UserExpertise(user_id=reviewer.id, tag=tag))
    db.session.commit()
    return reviewer


def make_manager():
    return make_user(Role.PROGRAMME_MANAGER, email=f"manager{next(_numbers)}@programme.example.net")


def make_reviewable(call, *, member=None, **fields):
    """A submitted application of the call, screened eligible (so reviewable)."""
    with current_app.test_request_context():  # the receipt email needs a request for its links
        application = make_application(call, member=member, submitted=True, **fields)
    application.status = ApplicationStatus.ELIGIBLE
    db.session.commit()
    return application


def make_assignment(application, reviewer, *, by=None) -> Assignment:
    return assign_reviewer(application, reviewer, by=by or make_manager(), now=utcnow())


def pairs_in(call) -> set[tuple[int, int]]:
    """Every (application_id, reviewer_id) assignment of the call, declined ones too."""
    rows = db.session.execute(
        select(Assignment.application_id, Assignment.reviewer_id)
        .join(Application, Application.id == Assignment.application_id)
        .where(Application.call_id == call.id)
    )
    return {tuple(row) for row in rows}


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
