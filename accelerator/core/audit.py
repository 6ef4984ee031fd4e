"""Writing and reading the audit trail."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from accelerator.core.models import AuditEntry
from accelerator.extensions import db


def record_audit(
    action: str,
    *,
    by,
    object_type: str,
    object_id: int | None,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Adds an entry to the caller's transaction; the caller commits."""
    entry = AuditEntry(
        created_at=now,
        actor_id=by.id if by is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details or {},
    )
    db.session.add(entry)
    return entry


def audit_entries(
    *,
    action: str | None = None,
    object_type: str | None = None,
    actor_email: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select:
    """The audit trail, newest first, narrowed by the filters given."""
    from accelerator.accounts.models import User

    query = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if action:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if actor_email:
        query = query.join(AuditEntry.actor).where(
            User.email.contains(actor_email.lower(), autoescape=True)
        )
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at < until)
    return query


def audit_actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )
