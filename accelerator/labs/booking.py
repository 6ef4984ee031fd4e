"""Booking lab resources: request, approval, rejection, cancellation, outcome.

Two pending-or-approved bookings of one resource never overlap: a request takes the project's
and the resource's locks first (lock_resource_booking), then re-reads the resource's bookings;
on PostgreSQL the exclusion constraint refuses an overlap in any case. The project's quarter
quota is counted under the same lock. Each rule refuses with its own message.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.audit import record_audit
from accelerator.core.clock import as_madrid
from accelerator.core.durations import hours
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.core.transactions import releases_lock_on_refusal
from accelerator.extensions import db
from accelerator.labs import notices, policies
from accelerator.labs.availability import (
    blackout_over,
    booking_over,
    calendar_of,
    closure_on,
    next_free_slot,
    within_opening_hours,
)
from accelerator.labs.enums import HOLDING_STATUSES, NEXT, BookingStatus
from accelerator.labs.locks import lock_resource_booking
from accelerator.labs.models import Authorisation, LabBooking, LabStaff, Resource
from accelerator.labs.quota import check_quota, quarter_of

# How messages name a moment: "11 Mar 2026, 10:00" (Madrid time, the locale's month names).
MOMENT = "d MMM y, HH:mm"


class EndNotAfterStart(DomainError):
    pass


class OffStep(DomainError):
    pass


class InThePast(DomainError):
    pass


class TooLittleNotice(DomainError):
    pass


class TooShort(DomainError):
    pass


class TooLong(DomainError):
    pass


class OutsideOpeningHours(DomainError):
    pass


class LabClosed(DomainError):
    pass


class BlackedOut(DomainError):
    pass


class ResourceUnavailable(DomainError):
    pass


class OperatorNotInProject(DomainError):
    pass


class MissingTraining(DomainError):
    pass


class BookingOverlap(DomainError):
    """A taken time; `next_free` is the first free interval of the same length, if any."""

    def __init__(self, message: str, next_free=None):
        super().__init__(message)
        self.next_free = next_free


class BookingNotOpen(DomainError):
    pass


class RejectionReasonMissing(DomainError):
    pass


class BookingNotOver(DomainError):
    pass


@dataclass(frozen=True)
class Request:
    """What a project member asks for; the service checks every rule."""

    starts_at: datetime
    ends_at: datetime
    operator_id: int | None
    purpose: str


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
    _check_shape(resource, request, now=now)
    calendar = calendar_of(resource, first=request.starts_at, last=request.ends_at)
    _check_lab_rules(resource, request, calendar)
    operator = _operator(project, request.operator_id)
    _check_trainings(resource, operator, request)

    project_id, resource_id, by_id = project.id, resource.id, by.id
    resource = lock_resource_booking(project_id=project_id, resource_id=resource_id)
    minutes = int((request.ends_at - request.starts_at).total_seconds() // 60)
    check_quota(resource.lab, project_id, starts_at=request.starts_at, minutes=minutes)
    _check_free(resource, request, now=now)  # and, again, closures and blackouts
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
    _flush_or_overlap(resource, request, now=now)
    by = db.session.get(User, by_id)
    _record(booking, "requested", by=by, now=now, details={"approved_at_once": approved})
    if approved:
        notices.booking_decided(booking, now=now)
    else:
        notices.booking_requested(booking, now=now)
    db.session.commit()
    return booking


def approve_booking(booking: LabBooking, *, by: User, now: datetime) -> LabBooking:
    """The lab manager approves: the booker receives the calendar invitation."""
    _decide(booking, BookingStatus.APPROVED, reason="", by=by, now=now)
    notices.booking_decided(booking, now=now)
    db.session.commit()
    return booking


def reject_booking(booking: LabBooking, *, reason: str, by: User, now: datetime) -> LabBooking:
    """The lab manager says no, with a reason the booker reads; the time is free again."""
    if not reason.strip():
        raise RejectionReasonMissing(_("Tell the project why the booking is rejected."))
    _decide(booking, BookingStatus.REJECTED, reason=reason.strip(), by=by, now=now)
    notices.booking_decided(booking, now=now)
    notices.waitlist_freed(booking, now=now)
    db.session.commit()
    return booking


def cancel_booking(booking: LabBooking, *, reason: str, by: User, now: datetime) -> LabBooking:
    """The project or the lab calls the booking off; the time is free again and whoever waits
    for it hears once."""
    project = db.session.get(Project, booking.project_id)
    require(policies.can_cancel_booking(by, project=project, is_staff=is_lab_staff(by, booking)))
    _require_holding(booking)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by_id = by.id
    booking.cancellation_reason = reason.strip()
    booking.sequence += 1
    _record(booking, "cancelled", by=by, now=now, details={"reason": reason.strip()})
    notices.booking_cancelled(booking, by=by, now=now)
    notices.waitlist_freed(booking, now=now)
    db.session.commit()
    return booking


def record_outcome(
    booking: LabBooking, *, outcome: BookingStatus, by: User, now: datetime
) -> LabBooking:
    """After the end, the lab records that the booking was used (completed) or a no-show."""
    require(policies.can_manage_lab(by, is_staff=is_lab_staff(by, booking)))
    if outcome not in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        raise BookingNotOpen(_("Choose completed or no-show."))
    if booking.status != BookingStatus.APPROVED:
        raise BookingNotOpen(_("Only an approved booking can be completed or a no-show."))
    if now < booking.ends_at:
        raise BookingNotOver(_("The booking has not ended yet."))
    booking.status = outcome
    _record(booking, outcome.value, by=by, now=now)
    db.session.commit()
    return booking


def is_lab_staff(user: User, booking_or_resource) -> bool:
    """Whether the user is on the staff of the lab of a booking (or of a resource)."""
    if not user.is_authenticated:
        return False
    resource = (
        booking_or_resource
        if isinstance(booking_or_resource, Resource)
        else db.session.get(Resource, booking_or_resource.resource_id)
    )
    return (
        db.session.scalar(
            select(LabStaff.id).where(
                LabStaff.lab_id == resource.lab_id, LabStaff.user_id == user.id
            )
        )
        is not None
    )


# --- the rules ---------------------------------------------------------------------------


def _check_shape(resource: Resource, request: Request, *, now: datetime) -> None:
    starts_at, ends_at = request.starts_at, request.ends_at
    if ends_at <= starts_at:
        raise EndNotAfterStart(_("The end must be after the start."))
    if not resource.active:
        raise ResourceUnavailable(_("This resource is not bookable at the moment."))
    step = resource.booking_step_minutes
    if any(_minute_of_day(moment) % step for moment in (starts_at, ends_at)):
        second = 7 * 60 + step
        raise OffStep(
            _(
                "Bookings start and end on %(step)d-minute steps, such as 07:00 and %(next)s.",
                step=step,
                next=f"{second // 60:02d}:{second % 60:02d}",
            )
        )
    if starts_at < now:
        raise InThePast(_("This time has passed."))
    if starts_at < now + timedelta(hours=resource.minimum_notice_hours):
        raise TooLittleNotice(
            _(
                "This resource is booked at least %(hours)d hours ahead.",
                hours=resource.minimum_notice_hours,
            )
        )
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    if minutes < resource.minimum_minutes:
        raise TooShort(
            _("Book at least %(hours)s h.", hours=format_decimal(hours(resource.minimum_minutes)))
        )
    if minutes > resource.maximum_minutes:
        raise TooLong(
            _("Book at most %(hours)s h.", hours=format_decimal(hours(resource.maximum_minutes)))
        )


def _check_lab_rules(resource: Resource, request: Request, calendar) -> None:
    starts_at, ends_at = request.starts_at, request.ends_at
    closure = closure_on(as_madrid(starts_at).date(), calendar.closures)
    if closure is not None:
        raise LabClosed(
            _(
                "%(lab)s is closed on %(day)s%(reason)s.",
                lab=resource.lab.name,
                day=format_datetime(starts_at, "EEEE d MMMM"),
                reason=f" ({closure.reason})" if closure.reason else "",
            )
        )
    if not within_opening_hours(starts_at, ends_at, calendar.opening_hours, calendar.closures):
        raise OutsideOpeningHours(_opening_hours_message(resource, starts_at, calendar))
    blackout = blackout_over(starts_at, ends_at, calendar.blackouts)
    if blackout is not None:
        raise BlackedOut(
            _(
                "The resource cannot be booked from %(start)s to %(end)s%(reason)s.",
                start=format_datetime(blackout.starts_at, MOMENT),
                end=format_datetime(blackout.ends_at, MOMENT),
                reason=f": {blackout.reason}" if blackout.reason else "",
            )
        )


def _opening_hours_message(resource: Resource, starts_at: datetime, calendar) -> str:
    weekday = as_madrid(starts_at).weekday()
    windows = [
        f"{hours.opens_at:%H:%M}–{hours.closes_at:%H:%M}"
        for hours in sorted(calendar.opening_hours, key=lambda h: h.opens_at)
        if hours.weekday == weekday
    ]
    day = format_datetime(starts_at, "EEEE")
    if not windows:
        return _("%(lab)s is closed on %(day)s.", lab=resource.lab.name, day=day)
    return _(
        "%(lab)s is open %(hours)s on %(day)s (Madrid time); book within these hours.",
        lab=resource.lab.name,
        hours=", ".join(windows),
        day=day,
    )


def _operator(project: Project, operator_id: int | None) -> User:
    operator = db.session.get(User, operator_id) if operator_id else None
    if (
        operator is None
        or operator.organisation_id != project.organisation_id
        or not operator.active
    ):
        raise OperatorNotInProject(_("Choose the operator among the project's members."))
    return operator


def _check_trainings(resource: Resource, operator: User, request: Request) -> None:
    """The operator holds, for each training the resource requires, an authorisation valid on
    every day of the booking."""
    required = resource.required_trainings
    if not required:
        return
    first_day = as_madrid(request.starts_at).date()
    last_day = as_madrid(request.ends_at - timedelta(microseconds=1)).date()
    valid = set(
        db.session.scalars(
            select(Authorisation.training_id).where(
                Authorisation.user_id == operator.id,
                Authorisation.training_id.in_([training.id for training in required]),
                Authorisation.granted_on <= first_day,
                Authorisation.expires_on >= last_day,
            )
        )
    )
    missing = [training.name for training in required if training.id not in valid]
    if missing:
        raise MissingTraining(
            _(
                "%(person)s has no valid authorisation for %(trainings)s on these dates.",
                person=operator.name,
                trainings=", ".join(missing),
            )
        )


def _check_free(resource: Resource, request: Request, *, now: datetime) -> None:
    """Under the lock: no closure or blackout was added meanwhile, and the time is not held by
    another pending or approved booking."""
    calendar = calendar_of(resource, first=request.starts_at, last=request.ends_at)
    _check_lab_rules(resource, request, calendar)
    taken = booking_over(request.starts_at, request.ends_at, calendar.bookings)
    if taken is not None:
        raise _overlap(resource, request, taken.starts_at, taken.ends_at, now=now)


def _flush_or_overlap(resource: Resource, request: Request, *, now: datetime) -> None:
    try:
        db.session.flush()  # PostgreSQL's exclusion constraint speaks here
    except IntegrityError as error:
        db.session.rollback()
        raise _overlap(resource, request, request.starts_at, request.ends_at, now=now) from error


def _overlap(resource, request, taken_from, taken_until, *, now: datetime) -> BookingOverlap:
    minutes = int((request.ends_at - request.starts_at).total_seconds() // 60)
    earliest = now + timedelta(hours=resource.minimum_notice_hours)
    free = next_free_slot(resource, minutes=minutes, after=request.starts_at, earliest=earliest)
    taken = _(
        "%(start)s–%(end)s is already booked.",
        start=format_datetime(taken_from, MOMENT),
        end=format_datetime(taken_until, "HH:mm"),
    )
    if free is None:
        return BookingOverlap(
            f"{taken} {_('No time of the same length is free in the next four weeks.')}"
        )
    offer = _(
        "The next free time of the same length is %(start)s–%(end)s.",
        start=format_datetime(free.starts_at, MOMENT),
        end=format_datetime(free.ends_at, "HH:mm"),
    )
    return BookingOverlap(f"{taken} {offer}", next_free=free)


def _decide(booking: LabBooking, status: BookingStatus, *, reason: str, by: User, now: datetime):
    require(policies.can_manage_lab(by, is_staff=is_lab_staff(by, booking)))
    if booking.status != BookingStatus.PENDING or status not in NEXT[booking.status]:
        raise BookingNotOpen(_("This booking has already been decided."))
    booking.status = status
    booking.rejection_reason = reason
    booking.decided_at = now
    booking.decided_by_id = by.id
    if status == BookingStatus.REJECTED:
        booking.sequence += 1
    _record(booking, status.value, by=by, now=now, details={"reason": reason} if reason else None)


def _require_holding(booking: LabBooking) -> None:
    if booking.status not in HOLDING_STATUSES:
        raise BookingNotOpen(_("This booking is no longer open."))


def _minute_of_day(moment: datetime) -> int:
    local = as_madrid(moment)
    return local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)


def _record(booking: LabBooking, action: str, *, by: User, now: datetime, details=None) -> None:
    record_audit(
        f"lab_booking.{action}",
        by=by,
        object_type="lab_booking",
        object_id=booking.id,
        now=now,
        details=details,
    )
