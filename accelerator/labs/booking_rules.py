"""The rules a booking request must pass, each refusing with its own message: its shape
(times, step, notice, length), the lab's opening hours, closures and blackouts, the operator and
their trainings, and a time not already taken (with the next free time of the same length).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.clock import as_madrid
from accelerator.core.durations import hours
from accelerator.core.errors import DomainError
from accelerator.extensions import db
from accelerator.labs.availability import (
    blackout_over,
    booking_over,
    calendar_of,
    closure_on,
    next_free_slot,
    within_opening_hours,
)
from accelerator.labs.models import Authorisation, Resource

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


@dataclass(frozen=True)
class Request:
    """What a project member asks for; the service checks every rule."""

    starts_at: datetime
    ends_at: datetime
    operator_id: int | None
    purpose: str


def check_shape(resource: Resource, request: Request, *, now: datetime) -> None:
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


def check_lab_rules(resource: Resource, request: Request, calendar) -> None:
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


def chosen_operator(project: Project, operator_id: int | None) -> User:
    operator = db.session.get(User, operator_id) if operator_id else None
    if (
        operator is None
        or operator.organisation_id != project.organisation_id
        or not operator.active
    ):
        raise OperatorNotInProject(_("Choose the operator among the project's members."))
    return operator


def check_trainings(resource: Resource, operator: User, request: Request) -> None:
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


def check_free(
    resource: Resource, request: Request, *, now: datetime, ignoring: int | None = None
) -> None:
    """Under the lock: no closure or blackout was added meanwhile, and the time is not held by
    another pending or approved booking (than `ignoring`, the booking being approved)."""
    calendar = calendar_of(resource, first=request.starts_at, last=request.ends_at)
    check_lab_rules(resource, request, calendar)
    taken = booking_over(request.starts_at, request.ends_at, calendar.bookings, ignoring=ignoring)
    if taken is not None:
        raise _overlap(resource, request, taken.starts_at, taken.ends_at, now=now)


def flush_or_overlap(resource: Resource, request: Request, *, now: datetime) -> None:
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


def _minute_of_day(moment: datetime) -> int:
    local = as_madrid(moment)
    return local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
