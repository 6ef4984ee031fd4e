"""Two people acting on one row at the same instant: the prepare functions the
at_the_same_instant fixture runs, and what the race left behind (audit entries, emails)."""

from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db


def acting(service, model, row_id: int, user_id: int, won: str, *, now, **arguments):
    """A prepare function: loads the row and the person in the thread, then acts on the row;
    the action returns `won` when the service did not refuse."""

    def prepare():
        row = db.session.get(model, row_id)
        by = db.session.get(User, user_id)

        def act():
            service(row, by=by, now=now, **arguments)
            return won

        return act

    return prepare


def last_message_id() -> int:
    return db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())) or 0


def left_behind(model, row_id: int, *, object_type: str, since_message_id: int):
    """The row's status now, its audit actions other than the request, and the subjects of the
    emails queued since the given message."""
    db.session.expire_all()
    status = db.session.get(model, row_id).status
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(
            AuditEntry.object_type == object_type,
            AuditEntry.object_id == row_id,
            AuditEntry.action != f"{object_type}.requested",
        )
        .order_by(AuditEntry.id)
    ).all()
    subjects = db.session.scalars(
        select(OutboxMessage.subject)
        .where(OutboxMessage.id > since_message_id)
        .order_by(OutboxMessage.id)
    ).all()
    return status, actions, subjects
