"""Builders and readers for the selection tests.

Services take the clock as `now=`; the factories' calls close in 30 days and their review
deadline is 30 days later, so reviews are submitted two days before that deadline.
"""

from datetime import timedelta
from decimal import Decimal
from itertools import count

from flask import current_app
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.core.clock import utcnow
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db
from accelerator.reviews.assignment import assign_reviewer
from accelerator.reviews.services import CriterionInput, save_review
from accelerator.selection import services
from accelerator.selection.models import Decision
from tests.factories import make_application, make_organisation, make_user

_numbers = count(1)


def make_manager(**fields):
    number = next(_numbers)
    fields.setdefault("email", f"manager{number}@office.example.net")
    fields.setdefault("name", f"Manager {number}")
    return make_user(Role.PROGRAMME_MANAGER, **fields)


def make_member(organisation=None, **fields):
    """An applicant in the organisation (a new one unless given)."""
    return make_user(organisation=organisation or make_organisation(), **fields)


def make_decidable(call, *, member=None, **fields) -> Application:
    """A submitted application of the call, in review (so a manager may decide it)."""
    with current_app.test_request_context():  # the submission receipt builds links
        application = make_application(
            call, member=member or make_member(), submitted=True, **fields
        )
    application.status = ApplicationStatus.UNDER_REVIEW
    db.session.commit()
    return application


def end_review_phase(call) -> None:
    """As when the programme office closes the review phase early: results are published only
    once it is over."""
    call.review_closed_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def make_reviewer(**fields):
    """A reviewer at an email domain of their own: factory members share example.org, which
    would make a reviewer there conflicted with every application."""
    number = next(_numbers)
    fields.setdefault("email", f"reviewer{number}@lab{number}.example.net")
    fields.setdefault("name", f"Reviewer {number}")
    return make_user(Role.REVIEWER, **fields)


def add_review(
    application, reviewer, *, scores, comments, overall="A fair application.", submit=True
):
    """The reviewer's review of the application, scores and comments in rubric order."""
    call = application.call
    assignment = assign_reviewer(
        application, reviewer, by=make_manager(), now=utcnow() - timedelta(days=1)
    )
    return save_review(
        assignment,
        scores={
            criterion.id: CriterionInput(Decimal(score), comment)
            for criterion, score, comment in zip(call.criteria, scores, comments, strict=True)
        },
        overall_comment=overall,
        recommendation="select" if submit else None,
        submit=submit,
        by=reviewer,
        now=call.review_deadline - timedelta(days=2),
    )


def decide(application, outcome, *, by, note=""):
    return services.decide(application, outcome, note=note, by=by, now=utcnow())


def statuses(call) -> dict[int, ApplicationStatus]:
    db.session.expire_all()
    query = select(Application.id, Application.status).where(Application.call_id == call.id)
    return dict(db.session.execute(query).all())


def decision_of(application) -> Decision | None:
    db.session.expire_all()
    return db.session.scalar(select(Decision).where(Decision.application_id == application.id))


def outbox_ids() -> set[int]:
    return set(db.session.scalars(select(OutboxMessage.id)))


def outbox_since(before: set[int]) -> list[OutboxMessage]:
    """The messages queued after `before` was read, in order."""
    db.session.expire_all()
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [message for message in messages if message.id not in before]


def audit_trail(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))
