"""Blind calls: a reviewer's declarations of organisations during the review phase are watched.

Declaring organisations one by one and watching which assignments vanish would tell a reviewer
who applied. Each such declaration is reported to the programme managers, and from the
reviewer's fourth in one call on, a declaration waits for a manager's confirmation before it
removes anything (it keeps the reviewer away from the applications at once).
"""

from datetime import datetime

from sqlalchemy import func, select

from accelerator.accounts.models import User
from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.core.audit import record_audit
from accelerator.core.transactions import take_sqlite_write_lock
from accelerator.extensions import db
from accelerator.reviews import policies
from accelerator.reviews.conflict_notices import tell_managers_of_watched_declaration
from accelerator.reviews.models import Assignment, ConflictDeclaration

# Declarations of organisations that stand at once in one call's review phase.
DECLARATIONS_BEFORE_CONFIRMATION = 3


def needs_confirmation(numbers: dict[int, int]) -> bool:
    """Whether the declaration's number in any watched call is past those that stand at once."""
    return any(number > DECLARATIONS_BEFORE_CONFIRMATION for number in numbers.values())


def watched_calls(reviewer_id: int, *, now: datetime) -> list[Call]:
    """The blind calls in their review phase in which the reviewer is assigned."""
    calls = db.session.scalars(
        select(Call)
        .join(Application, Application.call_id == Call.id)
        .join(Assignment, Assignment.application_id == Application.id)
        .where(Assignment.reviewer_id == reviewer_id)
        .order_by(Call.id)
    ).unique()
    return [call for call in calls if policies.is_blind_review_phase(call, now)]


def numbers_in(calls: list[Call], *, reviewer_id: int) -> dict[int, int]:
    """Per call, the number the new declaration takes among the reviewer's own declarations of
    organisations in the call's review phase; counted under a lock, so that two declarations
    sent at once cannot both be the third."""
    if not calls:
        return {}
    _lock_declarations_of(reviewer_id)
    numbers = {}
    for call in calls:
        earlier = db.session.scalar(
            select(func.count(ConflictDeclaration.id)).where(
                ConflictDeclaration.reviewer_id == reviewer_id,
                ConflictDeclaration.declared_by_id == reviewer_id,
                ConflictDeclaration.organisation_id.is_not(None),
                ConflictDeclaration.created_at >= call.closes_at,
                ConflictDeclaration.created_at < call.review_deadline,
            )
        )
        numbers[call.id] = earlier + 1
    return numbers


def _lock_declarations_of(reviewer_id: int) -> None:
    """SQLite: the database's write lock; PostgreSQL: the reviewer's row, until commit."""
    if not take_sqlite_write_lock():
        db.session.execute(
            select(User.id).where(User.id == reviewer_id).with_for_update(key_share=True)
        )


def report(declaration, call: Call, *, number: int, by: User, now) -> None:
    record_audit(
        "conflict.declared_in_blind_review",
        by=by,
        object_type="call",
        object_id=call.id,
        now=now,
        details={
            "reviewer_id": declaration.reviewer_id,
            "organisation_id": declaration.organisation_id,
            "number": number,
            "awaiting_confirmation": declaration.awaiting_confirmation,
        },
    )
    tell_managers_of_watched_declaration(declaration, call, number=number, now=now)


def awaiting_confirmation_in(call: Call) -> list[ConflictDeclaration]:
    """Declarations that wait for a manager, made in the call's review phase by its reviewers
    (those with an assignment in it)."""
    reviewers_of_the_call = (
        select(Assignment.reviewer_id)
        .join(Application, Application.id == Assignment.application_id)
        .where(Application.call_id == call.id)
    )
    return list(
        db.session.scalars(
            select(ConflictDeclaration)
            .where(
                ConflictDeclaration.awaiting_confirmation.is_(True),
                ConflictDeclaration.reviewer_id.in_(reviewers_of_the_call),
                ConflictDeclaration.created_at >= call.closes_at,
                ConflictDeclaration.created_at < call.review_deadline,
            )
            .order_by(ConflictDeclaration.created_at, ConflictDeclaration.id)
        ).unique()
    )
