"""Changes to the organisation details that conflict detection reads (legal name, email domain).

Once the organisation has a submitted application, a member's change to them is recorded as
waiting and the programme managers confirm or refuse it; until then conflict detection keeps
reading the old value.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts import policies
from accelerator.accounts.enums import GuardedField
from accelerator.accounts.models import Organisation, OrganisationChange, User
from accelerator.accounts.office import email_programme_managers
from accelerator.core import events
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.core.transactions import take_sqlite_write_lock, update_while
from accelerator.extensions import db

GUARDED_FIELDS = frozenset(field.value for field in GuardedField)
# Application states in which the organisation has a submitted application.
UNSUBMITTED = ("draft", "withdrawn")


class ChangeAlreadyPending(DomainError):
    def __init__(self, message: str, field: GuardedField):
        super().__init__(message)
        self.field = field


class ChangeAlreadyDecided(DomainError):
    pass


def has_submitted_application(organisation: Organisation) -> bool:
    # Read through the table, not the model: accounts sits below applications in the layers.
    applications = db.metadata.tables["applications"]
    query = (
        select(applications.c.id)
        .where(
            applications.c.organisation_id == organisation.id,
            applications.c.status.not_in(UNSUBMITTED),
        )
        .limit(1)
    )
    return db.session.execute(query).first() is not None


def pending_changes_of(organisation: Organisation) -> list[OrganisationChange]:
    return list(
        db.session.scalars(
            select(OrganisationChange)
            .where(
                OrganisationChange.organisation_id == organisation.id,
                OrganisationChange.decided_at.is_(None),
            )
            .order_by(OrganisationChange.id)
        ).unique()
    )


def guarded_changes(organisation: Organisation, fields: dict, *, by: User) -> dict:
    """The guarded fields among `fields` whose change must wait: {field: new value}. Refuses a
    second waiting change of one detail (the first must be decided); asking again for the
    value already waiting asks nothing new."""
    changed = {
        GuardedField(name): value
        for name, value in fields.items()
        if name in GUARDED_FIELDS and value != getattr(organisation, name)
    }
    if not changed or not policies.needs_confirmation_of_details(
        by, has_submitted_application=has_submitted_application(organisation)
    ):
        return {}
    waiting = {change.field: change.new_value for change in pending_changes_of(organisation)}
    for field, value in changed.items():
        if field in waiting and waiting[field] != value:
            raise ChangeAlreadyPending(
                _(
                    "A change of this detail already waits for the programme office; it must be"
                    " decided before you ask for another."
                ),
                field,
            )
    return {field: value for field, value in changed.items() if field not in waiting}


def request_changes(
    organisation: Organisation, changes: dict, *, by: User, now: datetime
) -> list[OrganisationChange]:
    """Records each change as waiting, audits it and emails the programme managers; the caller
    commits."""
    requested = [
        OrganisationChange(
            organisation_id=organisation.id,
            field=field,
            old_value=getattr(organisation, field.value),
            new_value=value,
            requested_by_id=by.id,
            requested_at=now,
        )
        for field, value in changes.items()
    ]
    db.session.add_all(requested)
    try:
        db.session.flush()
    except IntegrityError as error:  # another request for the detail got there first
        db.session.rollback()
        raise ChangeAlreadyPending(
            _("A change of this detail already waits for the programme office."),
            requested[0].field,
        ) from error
    for change in requested:
        record_audit(
            "organisation.change_requested",
            by=by,
            object_type="organisation",
            object_id=organisation.id,
            now=now,
            details=_audit_details(change),
        )
        _tell_managers(change, now=now)
    return requested


def decide_organisation_change(
    change: OrganisationChange, *, accepted: bool, by: User, now: datetime
) -> None:
    """A manager confirms (the new value applies, and conflict detection reads it at once) or
    refuses a waiting change. Two managers deciding at once: one wins, the other is told."""
    require(policies.can_decide_organisation_change(by))
    change_id = change.id
    take_sqlite_write_lock()
    decided = update_while(
        OrganisationChange,
        change_id,
        OrganisationChange.decided_at.is_(None),
        values={"decided_at": now, "decided_by_id": by.id, "accepted": accepted},
    )
    if not decided:
        db.session.rollback()
        raise ChangeAlreadyDecided(_("This change has already been confirmed or refused."))
    change = db.session.get(OrganisationChange, change_id, populate_existing=True)
    organisation = change.organisation
    if accepted:
        setattr(organisation, change.field.value, change.new_value)
    record_audit(
        "organisation.change_confirmed" if accepted else "organisation.change_refused",
        by=by,
        object_type="organisation",
        object_id=organisation.id,
        now=now,
        details=_audit_details(change),
    )
    if accepted:
        events.publish(
            events.ORGANISATION_DETAILS_CHANGED, organisation=organisation, by=by, now=now
        )
    db.session.commit()


def _audit_details(change: OrganisationChange) -> dict:
    return {
        "change_id": change.id,
        "field": change.field.value,
        "old": change.old_value,
        "new": change.new_value,
    }


def _tell_managers(change: OrganisationChange, *, now: datetime) -> None:
    email_programme_managers(
        _(
            "%(organisation)s asks to change a detail: %(field)s",
            organisation=change.organisation.legal_name,
            field=change.field.label,
        ),
        "organisation_change_requested",
        now=now,
        change=change,
    )
