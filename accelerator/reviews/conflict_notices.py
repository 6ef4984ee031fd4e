"""What the programme managers are told about conflicts of interest, by email."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from accelerator.accounts.models import User
from accelerator.accounts.office import email_programme_managers
from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.reviews.enums import ConflictSource
from accelerator.reviews.models import ConflictDeclaration


@dataclass(frozen=True)
class RemovedAssignment:
    application: Application
    reviewer: User
    sources: tuple[ConflictSource, ...]


def tell_managers_of_removed_assignments(removed: list[RemovedAssignment], *, now: datetime):
    """One email per manager lists every assignment a conflict has just removed."""
    calls = {item.application.call_id: item.application.call for item in removed}
    email_programme_managers(
        _("Conflict of interest: %(count)d assignment(s) removed", count=len(removed)),
        "conflict_assignments_removed",
        now=now,
        removed=removed,
        calls=sorted(calls.values(), key=lambda call: call.id),
    )


def tell_managers_of_watched_declaration(
    declaration: ConflictDeclaration, call: Call, *, number: int, now: datetime
):
    """A reviewer of a blind call declared an organisation during its review phase."""
    email_programme_managers(
        _(
            "%(name)s declared a conflict during the blind review of %(call)s",
            name=declaration.reviewer.name,
            call=call.title,
        ),
        "conflict_declaration_watched",
        now=now,
        declaration=declaration,
        call=call,
        number=number,
    )
