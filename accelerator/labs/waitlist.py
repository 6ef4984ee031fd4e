"""Waiting for a taken time of a resource: whoever joins is emailed once when a booking over
that time is cancelled or rejected (notices.waitlist_freed)."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import policies, queries
from accelerator.labs.models import Resource, WaitlistEntry


class WaitlistTimeInvalid(DomainError):
    pass


class AlreadyWaiting(DomainError):
    pass


def join_waitlist(
    resource: Resource,
    project: Project,
    *,
    starts_at: datetime,
    ends_at: datetime,
    by: User,
    now: datetime,
) -> WaitlistEntry:
    """The person waits for the time for the project; one entry per person and time until
    they have been told (a second request would only send a second email)."""
    require(policies.can_book(by, project))
    if ends_at <= starts_at:
        raise WaitlistTimeInvalid(_("The end must be after the start."))
    if starts_at < now:
        raise WaitlistTimeInvalid(_("This time has passed."))
    existing = db.session.scalar(
        queries.waiting_entry(resource.id, by.id, starts_at=starts_at, ends_at=ends_at)
    )
    if existing is not None:
        raise AlreadyWaiting(_("You are already on the waiting list for this time."))
    entry = WaitlistEntry(
        resource_id=resource.id,
        project_id=project.id,
        user_id=by.id,
        starts_at=starts_at,
        ends_at=ends_at,
        created_at=now,
    )
    db.session.add(entry)
    try:
        db.session.flush()  # the unique index speaks when two clicks arrive at once
    except IntegrityError as error:
        db.session.rollback()
        raise AlreadyWaiting(_("You are already on the waiting list for this time.")) from error
    record_audit(
        "lab_waitlist.joined",
        by=by,
        object_type="lab_resource",
        object_id=resource.id,
        now=now,
        details={
            "entry_id": entry.id,
            "project_id": project.id,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
    )
    db.session.commit()
    return entry
