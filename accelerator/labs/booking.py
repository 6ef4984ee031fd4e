"""Booking lab resources: request, approval, rejection, cancellation, outcome.

Two pending-or-approved bookings of one resource never overlap: a request takes the project's
and the resource's locks first (lock_for_booking), then re-reads the resource's bookings;
on PostgreSQL the exclusion constraint refuses an overlap in any case. The project's quarter
quota is counted under the same lock. Each rule (booking_rules) refuses with its own message.
"""

from datetime import datetime

from flask_babel import gettext as _

from accelerator.accounts.models import User
from accelerator.cohorts.locks import lock_for_booking
from accelerator.cohorts.models import Project
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.core.transactions import (
    change_status,
    releases_lock_on_refusal,
    statuses_leading_to,
)
from accelerator.extensions import db
from accelerator.labs import notices, policies
from accelerator.labs.availability import calendar_of
from accelerator.labs.booking_rules import (
    Request,
    check_free,
    check_lab_rules,
    check_shape,
    check_trainings,
    chosen_operator,
    flush_or_overlap,
)
from accelerator.labs.enums import HOLDING_STATUSES, NEXT, BookingStatus
from accelerator.labs.models import LabBooking, Resource
from accelerator.labs.quota import check_quota, quarter_of
from accelerator.labs.staff import is_on_staff


class BookingNotOpen(DomainError):
    pass


class RejectionReasonMissing(DomainError):
    pass


class BookingNotOver(DomainError):
    pass


class BookingStarted(DomainError):
    pass


@releases_lock_on_refusal
def book_resource(
    resource: Resource, project: Project, request: Request, *, by: User, now: datetime
) -> LabBooking:
    """A booking of the resource for the project: pending until the lab approves it, or
    approved at once when the resource needs no approval.

    Refused, each with its own message: an end not after the start, times off the resource's
    step, a time past or closer than the notice, a length outside the limits, outside opening
    hours, on a closure or a blackout, an operator outside the project or without a valid
    authorisation for a training the resource requires, the project's quarter quota at the lab
    exceeded, or a time already taken (with the next free time of the same length).
    """
    require(policies.can_book(by, project))
    check_shape(resource, request, now=now)
    calendar = calendar_of(resource, first=request.starts_at, last=request.ends_at)
    check_lab_rules(resource, request, calendar)
    operator = chosen_operator(project, request.operator_id)
    check_trainings(resource, operator, request)

    project_id, resource_id, by_id = project.id, resource.id, by.id
    resource = lock_for_booking(Resource, resource_id, project_id=project_id)
    minutes = int((request.ends_at - request.starts_at).total_seconds() // 60)
    check_quota(resource.lab, project_id, starts_at=request.starts_at, minutes=minutes)
    check_free(resource, request, now=now)  # and, again, closures and blackouts
    year, quarter = quarter_of(request.starts_at)
    approved = not resource.needs_approval
    booking = LabBooking(
        resource_id=resource_id,
        project_id=project_id,
        booked_by_id=by_id,
        operator_id=operator.id,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        year=year,
        quarter=quarter,
        purpose=request.purpose.strip(),
        status=BookingStatus.APPROVED if approved else BookingStatus.PENDING,
        created_at=now,
        decided_at=now if approved else None,
    )
    db.session.add(booking)
    flush_or_overlap(resource, request, now=now)
    by = db.session.get(User, by_id)
    _record(booking, "requested", by=by, now=now, details={"approved_at_once": approved})
    if approved:
        notices.booking_decided(booking, now=now)
    else:
        notices.booking_requested(booking, now=now)
    db.session.commit()
    return booking


@releases_lock_on_refusal
def approve_booking(booking: LabBooking, *, by: User, now: datetime) -> LabBooking:
    """The lab manager approves: the booker receives the calendar invitation.

    Under the booking's locks the time is checked again (a closure, a blackout or another
    booking may have come since the request), and the approval applies only while the
    booking is still pending, so a rejection or a cancellation at the same instant cannot
    also win."""
    require(policies.can_manage_lab(by, is_staff=_staffs_lab_of(by, booking)))
    booking_id, by_id = booking.id, by.id
    resource = lock_for_booking(Resource, booking.resource_id, project_id=booking.project_id)
    booking = db.session.get(LabBooking, booking_id, populate_existing=True)
    if booking.status != BookingStatus.PENDING:
        raise _lost_race(booking, _("This booking has already been decided."))
    check_free(resource, _request_of(booking), now=now, ignoring=booking_id)
    _decide(booking, BookingStatus.APPROVED, reason="", by=db.session.get(User, by_id), now=now)
    notices.booking_decided(booking, now=now)
    db.session.commit()
    return booking


@releases_lock_on_refusal
def reject_booking(booking: LabBooking, *, reason: str, by: User, now: datetime) -> LabBooking:
    """The lab manager says no, with a reason the booker reads; the time is free again."""
    if not reason.strip():
        raise RejectionReasonMissing(_("Tell the project why the booking is rejected."))
    require(policies.can_manage_lab(by, is_staff=_staffs_lab_of(by, booking)))
    _decide(booking, BookingStatus.REJECTED, reason=reason.strip(), by=by, now=now)
    notices.booking_decided(booking, now=now)
    notices.waitlist_freed(booking, now=now)
    db.session.commit()
    return booking


@releases_lock_on_refusal
def cancel_booking(booking: LabBooking, *, reason: str, by: User, now: datetime) -> LabBooking:
    """The project or the lab calls the booking off; the time is free again and whoever waits
    for it hears once. It applies only while the booking is as the person saw it: approved or
    rejected meanwhile, they look again before cancelling."""
    project = db.session.get(Project, booking.project_id)
    require(policies.can_cancel_booking(by, project=project, is_staff=_staffs_lab_of(by, booking)))
    _require_holding(booking)
    if has_started(booking, now=now):
        raise BookingStarted(
            _("This booking has started: the lab records whether it was used or a no-show.")
        )
    values = {
        "status": BookingStatus.CANCELLED,
        "cancelled_at": now,
        "cancelled_by_id": by.id,
        "cancellation_reason": reason.strip(),
        "sequence": LabBooking.sequence + 1,
    }
    if not change_status(booking, from_statuses=(booking.status,), values=values):
        raise _lost_race(booking, _("This booking has just been decided: look at it again."))
    _record(booking, "cancelled", by=by, now=now, details={"reason": reason.strip()})
    notices.booking_cancelled(booking, by=by, now=now)
    notices.waitlist_freed(booking, now=now)
    db.session.commit()
    return booking


def has_started(booking: LabBooking, *, now: datetime) -> bool:
    """A started booking is no longer cancelled: its hours were held, and the lab records it."""
    return now >= booking.starts_at


@releases_lock_on_refusal
def record_outcome(
    booking: LabBooking, *, outcome: BookingStatus, by: User, now: datetime
) -> LabBooking:
    """After the end, the lab records that the booking was used (completed) or a no-show."""
    require(policies.can_manage_lab(by, is_staff=_staffs_lab_of(by, booking)))
    if outcome not in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        raise BookingNotOpen(_("Choose completed or no-show."))
    if booking.status != BookingStatus.APPROVED:
        raise BookingNotOpen(_("Only an approved booking can be completed or a no-show."))
    if now < booking.ends_at:
        raise BookingNotOver(_("The booking has not ended yet."))
    if not change_status(
        booking, from_statuses=statuses_leading_to(NEXT, outcome), values={"status": outcome}
    ):
        raise _lost_race(booking, _("The outcome of this booking has already been recorded."))
    _record(booking, outcome.value, by=by, now=now)
    db.session.commit()
    return booking


def _decide(booking: LabBooking, status: BookingStatus, *, reason: str, by: User, now: datetime):
    """Approves or rejects, only while the booking is still pending."""
    values = {
        "status": status,
        "rejection_reason": reason,
        "decided_at": now,
        "decided_by_id": by.id,
    }
    if status == BookingStatus.REJECTED:
        values["sequence"] = LabBooking.sequence + 1
    if not change_status(booking, from_statuses=statuses_leading_to(NEXT, status), values=values):
        raise _lost_race(booking, _("This booking has already been decided."))
    _record(booking, status.value, by=by, now=now, details={"reason": reason} if reason else None)


def _lost_race(booking: LabBooking, message: str) -> BookingNotOpen:
    """The refusal of a change that found the booking changed: cancelled, or the message."""
    if booking.status == BookingStatus.CANCELLED:
        return BookingNotOpen(_("This booking has been cancelled."))
    return BookingNotOpen(message)


def _request_of(booking: LabBooking) -> Request:
    return Request(
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        operator_id=booking.operator_id,
        purpose=booking.purpose,
    )


def _require_holding(booking: LabBooking) -> None:
    if booking.status not in HOLDING_STATUSES:
        raise BookingNotOpen(_("This booking is no longer open."))


def _record(booking: LabBooking, action: str, *, by: User, now: datetime, details=None) -> None:
    record_audit(
        f"lab_booking.{action}",
        by=by,
        object_type="lab_booking",
        object_id=booking.id,
        now=now,
        details=details,
    )


def _staffs_lab_of(user: User, booking: LabBooking) -> bool:
    """Whether the user is on the staff of the booking's lab."""
    return is_on_staff(user, db.session.get(Resource, booking.resource_id).lab_id)
