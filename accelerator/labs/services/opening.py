"""When a lab can be booked: its opening hours, its closures (whole days) and its blackouts
(the whole lab or one resource between two instants, cancelling the bookings they hit)."""

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _

from accelerator.accounts.models import User
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.transactions import (
    change_status,
    releases_lock_on_refusal,
    take_sqlite_write_lock,
)
from accelerator.extensions import db
from accelerator.labs import notices, queries
from accelerator.labs.enums import HOLDING_STATUSES, BookingStatus
from accelerator.labs.models import (
    Blackout,
    Lab,
    LabBooking,
    LabClosure,
    OpeningHours,
    Resource,
)
from accelerator.labs.services.managing import audit_lab, require_manager


class WeekdayOutOfRange(DomainError):
    pass


class ClosesNotAfterOpens(DomainError):
    pass


class OpeningHoursOverlap(DomainError):
    pass


class LastDayBeforeFirst(DomainError):
    pass


class EndNotAfterStart(DomainError):
    pass


class BlackoutInThePast(DomainError):
    pass


class ReasonMissing(DomainError):
    pass


class ResourceNotInLab(DomainError):
    pass


class BlackoutHitsBookings(DomainError):
    """The blackout would cancel these pending or approved bookings: the manager confirms."""

    def __init__(self, message: str, bookings: list["AffectedBooking"]):
        super().__init__(message)
        self.bookings = bookings


@dataclass(frozen=True)
class AffectedBooking:
    """A booking a blackout would cancel, as the manager reads it before confirming (plain
    values: they outlive the transaction that found them)."""

    id: int
    resource: str
    project: str
    starts_at: datetime
    ends_at: datetime
    booker: str
    status: BookingStatus


def add_opening_hours(
    lab: Lab, *, weekday: int, opens_at: time, closes_at: time, by: User, now: datetime
) -> OpeningHours:
    """A window of one weekday in Madrid time; a day may have several, which do not overlap
    (a booking must fit inside one)."""
    require_manager(by, lab.id)
    if not 0 <= weekday <= 6:
        raise WeekdayOutOfRange(_("Choose a day of the week."))
    if closes_at <= opens_at:
        raise ClosesNotAfterOpens(_("The lab must close after it opens."))
    for window in lab.opening_hours:
        same_day = window.weekday == weekday
        if same_day and window.opens_at < closes_at and opens_at < window.closes_at:
            raise OpeningHoursOverlap(
                _(
                    "This overlaps the opening hours %(opens)s–%(closes)s of the same day.",
                    opens=f"{window.opens_at:%H:%M}",
                    closes=f"{window.closes_at:%H:%M}",
                )
            )
    hours = OpeningHours(weekday=weekday, opens_at=opens_at, closes_at=closes_at)
    lab.opening_hours.append(hours)
    db.session.flush()
    audit_lab(
        "lab.opening_hours_added",
        lab.id,
        by=by,
        now=now,
        details={"weekday": weekday, "opens": f"{opens_at:%H:%M}", "closes": f"{closes_at:%H:%M}"},
    )
    db.session.commit()
    return hours


def remove_opening_hours(hours: OpeningHours, *, by: User, now: datetime) -> None:
    require_manager(by, hours.lab_id)
    lab_id, weekday = hours.lab_id, hours.weekday
    db.session.delete(hours)
    audit_lab("lab.opening_hours_removed", lab_id, by=by, now=now, details={"weekday": weekday})
    db.session.commit()


def add_closure(
    lab: Lab, *, first_day: date, last_day: date, reason: str, by: User, now: datetime
) -> LabClosure:
    """Madrid dates, both included, on which the lab is closed all day."""
    require_manager(by, lab.id)
    if last_day < first_day:
        raise LastDayBeforeFirst(_("The last day cannot be before the first."))
    closure = LabClosure(
        lab_id=lab.id, first_day=first_day, last_day=last_day, reason=reason.strip()
    )
    db.session.add(closure)
    db.session.flush()
    audit_lab(
        "lab.closure_added",
        lab.id,
        by=by,
        now=now,
        details={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
    )
    db.session.commit()
    return closure


def remove_closure(closure: LabClosure, *, by: User, now: datetime) -> None:
    require_manager(by, closure.lab_id)
    lab_id = closure.lab_id
    db.session.delete(closure)
    audit_lab("lab.closure_removed", lab_id, by=by, now=now, details={"closure_id": closure.id})
    db.session.commit()


@releases_lock_on_refusal
def add_blackout(
    lab: Lab,
    *,
    resource_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    confirm: bool,
    by: User,
    now: datetime,
) -> Blackout:
    """The whole lab (resource_id None) or one of its resources cannot be booked between two
    instants.

    Pending and approved bookings over that time are not left standing: unconfirmed, the
    service refuses with BlackoutHitsBookings listing them and changes nothing; confirmed, it
    adds the blackout, cancels each of them with the blackout's reason and tells each booker
    (and whoever waits for the time), all in one transaction. The bookings are read under the
    resources' booking lock, so none slips in between the reading and the cancelling.
    """
    require_manager(by, lab.id)
    lab_id, by_id, reason = lab.id, by.id, reason.strip()
    if ends_at <= starts_at:
        raise EndNotAfterStart(_("The end must be after the start."))
    if ends_at <= now:
        raise BlackoutInThePast(_("This time has passed: a blackout must end in the future."))
    if not reason:
        raise ReasonMissing(_("Give the reason: the bookers affected will read it."))
    if resource_id is not None:
        resource = db.session.get(Resource, resource_id)
        if resource is None or resource.lab_id != lab_id:
            raise ResourceNotInLab(_("Choose one of this lab's resources."))

    _lock_booking_calendars(lab_id, resource_id)
    affected = db.session.scalars(
        queries.holding_bookings_over(
            lab_id, resource_id=resource_id, starts_at=starts_at, ends_at=ends_at, after=now
        )
    ).all()
    if affected and not confirm:
        raise BlackoutHitsBookings(
            _(
                "%(count)d bookings fall in this time. Confirm to add the blackout and cancel"
                " them; their bookers will be told.",
                count=len(affected),
            ),
            [_affected(booking) for booking in affected],
        )
    by = db.session.get(User, by_id)  # the lock's rollback (SQLite) expired the caller's objects
    blackout = Blackout(
        lab_id=lab_id,
        resource_id=resource_id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_at=now,
        created_by_id=by_id,
    )
    db.session.add(blackout)
    db.session.flush()
    cancelled = [b.id for b in affected if _cancel_for_blackout(b, blackout, by=by, now=now)]
    audit_lab(
        "lab.blackout_added",
        lab_id,
        by=by,
        now=now,
        details={
            "blackout_id": blackout.id,
            "resource_id": resource_id,
            "cancelled_booking_ids": cancelled,
        },
    )
    db.session.commit()
    return blackout


def remove_blackout(blackout: Blackout, *, by: User, now: datetime) -> None:
    """The time is bookable again; bookings cancelled by the blackout stay cancelled."""
    require_manager(by, blackout.lab_id)
    lab_id, blackout_id = blackout.lab_id, blackout.id
    db.session.delete(blackout)
    audit_lab("lab.blackout_removed", lab_id, by=by, now=now, details={"blackout_id": blackout_id})
    db.session.commit()


def _lock_booking_calendars(lab_id: int, resource_id: int | None) -> None:
    """The lock a booking request takes on its resource, on the blackout's resources: SQLite's
    write lock, or the resources' rows on PostgreSQL (in id order, as no booking waits for
    more than one, so no deadlock)."""
    if take_sqlite_write_lock():
        return
    db.session.scalars(queries.resources_to_lock(lab_id, resource_id=resource_id)).all()


def _affected(booking: LabBooking) -> AffectedBooking:
    return AffectedBooking(
        id=booking.id,
        resource=booking.resource.name,
        project=booking.project.label,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        booker=booking.booked_by.name if booking.booked_by else "",
        status=booking.status,
    )


def _cancel_for_blackout(
    booking: LabBooking, blackout: Blackout, *, by: User, now: datetime
) -> bool:
    """Cancels the booking unless its project cancelled it (or the lab rejected it) meanwhile;
    whether it did."""
    values = {
        "status": BookingStatus.CANCELLED,
        "cancelled_at": now,
        "cancelled_by_id": by.id,
        "cancellation_reason": blackout.reason,
        "sequence": LabBooking.sequence + 1,
    }
    if not change_status(booking, from_statuses=HOLDING_STATUSES, values=values):
        return False
    record_audit(
        "lab_booking.cancelled",
        by=by,
        object_type="lab_booking",
        object_id=booking.id,
        now=now,
        details={"reason": blackout.reason, "blackout_id": blackout.id},
    )
    # Nobody on the waitlist hears: the time is freed by a blackout, so it is not bookable.
    notices.booking_cancelled(booking, by=by, now=now)
    return True
