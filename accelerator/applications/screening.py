"""Eligibility screening: a manager's verdict once the call has closed, and what the screening
panel says of an application in every state."""

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from accelerator.accounts.models import User
from accelerator.applications import policies
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.applications.services import StatusDoesNotAllow, _members_of, _move
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.mail import queue_email
from accelerator.core.policies import require
from accelerator.extensions import db


def screen_eligibility(
    application: Application, *, eligible: bool, reason: str, by: User, now: datetime
) -> None:
    """A manager's verdict after the call has closed, audited and emailed to the applicants."""
    require(policies.can_screen_eligibility(by))
    if not policies.is_open_for_screening(application, now):
        raise StatusDoesNotAllow(screening_note(application, now))
    target = ApplicationStatus.ELIGIBLE if eligible else ApplicationStatus.INELIGIBLE
    if target == application.status:
        raise StatusDoesNotAllow(
            _("The application is already %(status)s.", status=target.label.lower())
        )
    if not eligible and not reason.strip():
        raise DomainError(_("Give the reason the application is ineligible."))
    _move(application, target)
    application.eligibility_reason = reason.strip() or None
    record_audit(
        "application.eligibility_screened",
        by=by,
        object_type="application",
        object_id=application.id,
        now=now,
        details={"eligible": eligible, "reason": application.eligibility_reason},
    )
    for member in _members_of(application):
        queue_email(
            member.email,
            _("Eligibility of %(title)s", title=application.title),
            "eligibility_decision",
            now=now,
            user=member,
            application=application,
            eligible=eligible,
        )
    db.session.commit()


def screening_note(application: Application, now: datetime) -> str:
    """What the screening panel says of the application: its verdict so far when it may be
    screened, or why it may not."""
    status, closes_at = application.status, application.call.closes_at
    if policies.is_open_for_screening(application, now):
        if status == ApplicationStatus.SUBMITTED:
            return _("Submitted before the call closed: record whether it is eligible.")
        return _(
            "Screened %(verdict)s. Record the other verdict to change it.",
            verdict=status.label.lower(),
        )
    if status == ApplicationStatus.DRAFT:
        if now < closes_at:
            return _("A draft: only a submitted application is screened.")
        return _("Never submitted: the call closed before the applicants submitted it.")
    if status in policies.SCREENABLE_STATUSES:
        return _(
            "Eligibility is screened once the call has closed, on %(when)s (Madrid time):"
            " until then the applicants may still change the application.",
            when=format_datetime(closes_at, "medium"),
        )
    if status == ApplicationStatus.WITHDRAWN:
        return _("Withdrawn by the applicants: a withdrawn application is not screened.")
    if status == ApplicationStatus.UNDER_REVIEW:
        return _("Under review: reviewers are assigned, so the verdict can no longer change.")
    return _(
        "Decided (%(outcome)s): the verdict can no longer change.", outcome=status.label.lower()
    )
