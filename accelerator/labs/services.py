"""Managing the partner labs: details and staff, opening hours, closures, blackouts, resources,
trainings and authorisations.

Programme managers manage every lab; a lab manager only the labs they are attached to. Each
public service checks that policy and its rule, changes the database, writes the audit entry
and commits once.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.core.transactions import releases_lock_on_refusal, take_sqlite_write_lock
from accelerator.extensions import db
from accelerator.labs import notices, policies, queries
from accelerator.labs.enums import BookingStatus, CleanroomGrade, ResourceKind
from accelerator.labs.models import (
    Authorisation,
    Blackout,
    Lab,
    LabBooking,
    LabClosure,
    LabStaff,
    OpeningHours,
    Resource,
    Training,
)

BOOKING_STEPS = (15, 30, 60)
CONTAINMENT_LEVELS = (1, 2, 3, 4)
# A booking lies inside one opening window of one day, so no limit needs more than a day.
MOST_DURATION_HOURS = Decimal(24)
MOST_NOTICE_HOURS = 720
MOST_HOURLY_RATE = Decimal(100_000)
MOST_VALIDITY_MONTHS = 120


class LabNameTaken(DomainError):
    pass


class DetailMissing(DomainError):
    pass


class NotALabManager(DomainError):
    pass


class AlreadyOnStaff(DomainError):
    pass


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


class ResourceNameTaken(DomainError):
    pass


class BookingStepNotAllowed(DomainError):
    pass


class ContainmentLevelOutOfRange(DomainError):
    pass


class DurationOutOfRange(DomainError):
    pass


class DurationLimitsOutOfOrder(DomainError):
    pass


class NoticeOutOfRange(DomainError):
    pass


class RateOutOfRange(DomainError):
    pass


class TrainingNotInLab(DomainError):
    pass


class TrainingNameTaken(DomainError):
    pass


class ValidityOutOfRange(DomainError):
    pass


class NoSuchPerson(DomainError):
    pass


class ExpiryBeforeGrant(DomainError):
    pass


@dataclass(frozen=True)
class LabDetails:
    name: str
    address: str = ""
    contact_email: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class ResourceAttributes:
    """What a manager sets on a resource; durations in hours and the rate in euros, exact."""

    name: str
    kind: ResourceKind
    description: str = ""
    cleanroom_grade: CleanroomGrade = CleanroomGrade.NONE
    containment_level: int | None = None
    gmp_certified: bool = False
    booking_step_minutes: int = 30
    minimum_hours: Decimal = Decimal("0.5")
    maximum_hours: Decimal = Decimal(8)
    minimum_notice_hours: int = 24
    needs_approval: bool = True
    hourly_rate: Decimal = Decimal(0)
    active: bool = True
    training_ids: tuple[int, ...] = ()


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


# --- who manages -------------------------------------------------------------------------


def is_on_staff(user: User, lab_id: int) -> bool:
    """Whether the user is a lab manager attached to the lab (one query, only for them)."""
    if not policies.is_lab_manager(user):
        return False
    return db.session.scalar(queries.staff_membership(lab_id, user.id)) is not None


def can_manage(user: User, lab_id: int) -> bool:
    return policies.can_manage_lab(user, is_staff=is_on_staff(user, lab_id))


def _require_manager(by: User, lab_id: int) -> None:
    require(can_manage(by, lab_id))


# --- labs and staff ----------------------------------------------------------------------


def create_lab(*, details: LabDetails, by: User, now: datetime) -> Lab:
    """A new partner lab, with no opening hours until its managers set them. Only programme
    managers create labs (a new lab has no staff to manage it)."""
    require(policies.can_manage_lab(by, is_staff=False))
    _check_details(details, lab_id=None)
    lab = Lab(created_at=now)
    _apply_details(lab, details)
    db.session.add(lab)
    _flush_unique(LabNameTaken(_("Another lab has this name.")))
    _audit("lab.created", lab.id, by=by, now=now, details={"name": lab.name})
    db.session.commit()
    return lab


def update_lab(lab: Lab, *, details: LabDetails, by: User, now: datetime) -> Lab:
    _require_manager(by, lab.id)
    _check_details(details, lab_id=lab.id)
    _apply_details(lab, details)
    _flush_unique(LabNameTaken(_("Another lab has this name.")))
    _audit("lab.updated", lab.id, by=by, now=now, details={"name": lab.name})
    db.session.commit()
    return lab


def attach_lab_manager(lab: Lab, *, user: User, by: User, now: datetime) -> LabStaff:
    """The person manages this lab from now on; they must hold the lab manager role."""
    require(policies.can_attach_staff(by))
    if not user.has_role(Role.LAB_MANAGER):
        raise NotALabManager(_("%(name)s is not a lab manager.", name=user.name))
    if db.session.scalar(queries.staff_membership(lab.id, user.id)) is not None:
        raise AlreadyOnStaff(_("%(name)s already manages this lab.", name=user.name))
    staff = LabStaff(lab_id=lab.id, user_id=user.id, attached_at=now)
    db.session.add(staff)
    _flush_unique(AlreadyOnStaff(_("%(name)s already manages this lab.", name=user.name)))
    _audit("lab.staff_attached", lab.id, by=by, now=now, details={"user_id": user.id})
    db.session.commit()
    return staff


def detach_lab_manager(staff: LabStaff, *, by: User, now: datetime) -> None:
    require(policies.can_attach_staff(by))
    lab_id, user_id = staff.lab_id, staff.user_id
    db.session.delete(staff)
    _audit("lab.staff_detached", lab_id, by=by, now=now, details={"user_id": user_id})
    db.session.commit()


# --- opening hours, closures, blackouts --------------------------------------------------


def add_opening_hours(
    lab: Lab, *, weekday: int, opens_at: time, closes_at: time, by: User, now: datetime
) -> OpeningHours:
    """A window of one weekday in Madrid time; a day may have several, which do not overlap
    (a booking must fit inside one)."""
    _require_manager(by, lab.id)
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
    _audit(
        "lab.opening_hours_added",
        lab.id,
        by=by,
        now=now,
        details={"weekday": weekday, "opens": f"{opens_at:%H:%M}", "closes": f"{closes_at:%H:%M}"},
    )
    db.session.commit()
    return hours


def remove_opening_hours(hours: OpeningHours, *, by: User, now: datetime) -> None:
    _require_manager(by, hours.lab_id)
    lab_id, weekday = hours.lab_id, hours.weekday
    db.session.delete(hours)
    _audit("lab.opening_hours_removed", lab_id, by=by, now=now, details={"weekday": weekday})
    db.session.commit()


def add_closure(
    lab: Lab, *, first_day: date, last_day: date, reason: str, by: User, now: datetime
) -> LabClosure:
    """Madrid dates, both included, on which the lab is closed all day."""
    _require_manager(by, lab.id)
    if last_day < first_day:
        raise LastDayBeforeFirst(_("The last day cannot be before the first."))
    closure = LabClosure(
        lab_id=lab.id, first_day=first_day, last_day=last_day, reason=reason.strip()
    )
    db.session.add(closure)
    db.session.flush()
    _audit(
        "lab.closure_added",
        lab.id,
        by=by,
        now=now,
        details={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
    )
    db.session.commit()
    return closure


def remove_closure(closure: LabClosure, *, by: User, now: datetime) -> None:
    _require_manager(by, closure.lab_id)
    lab_id = closure.lab_id
    db.session.delete(closure)
    _audit("lab.closure_removed", lab_id, by=by, now=now, details={"closure_id": closure.id})
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
    _require_manager(by, lab.id)
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
    _audit(
        "lab.blackout_added",
        lab_id,
        by=by,
        now=now,
        details={
            "blackout_id": blackout.id,
            "resource_id": resource_id,
            "cancelled_booking_ids": [booking.id for booking in affected],
        },
    )
    for booking in affected:
        _cancel_for_blackout(booking, blackout, by=by, now=now)
    db.session.commit()
    return blackout


def remove_blackout(blackout: Blackout, *, by: User, now: datetime) -> None:
    """The time is bookable again; bookings cancelled by the blackout stay cancelled."""
    _require_manager(by, blackout.lab_id)
    lab_id, blackout_id = blackout.lab_id, blackout.id
    db.session.delete(blackout)
    _audit("lab.blackout_removed", lab_id, by=by, now=now, details={"blackout_id": blackout_id})
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
        project=booking.project.acronym or booking.project.title,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        booker=booking.booked_by.name if booking.booked_by else "",
        status=booking.status,
    )


def _cancel_for_blackout(booking: LabBooking, blackout: Blackout, *, by: User, now: datetime):
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by_id = by.id
    booking.cancellation_reason = blackout.reason
    booking.sequence += 1
    record_audit(
        "lab_booking.cancelled",
        by=by,
        object_type="lab_booking",
        object_id=booking.id,
        now=now,
        details={"reason": blackout.reason, "blackout_id": blackout.id},
    )
    db.session.flush()
    # Nobody on the waitlist hears: the time is freed by a blackout, so it is not bookable.
    notices.booking_cancelled(booking, by=by, now=now)


# --- resources ---------------------------------------------------------------------------


def create_resource(
    lab: Lab, *, attributes: ResourceAttributes, by: User, now: datetime
) -> Resource:
    """A resource of the lab with its typed attributes; see `_check_attributes` for the rules."""
    _require_manager(by, lab.id)
    trainings = _check_attributes(lab.id, attributes, resource_id=None)
    resource = Resource(lab_id=lab.id)
    _apply_attributes(resource, attributes, trainings)
    db.session.add(resource)
    _flush_unique(ResourceNameTaken(_("This lab already has a resource with this name.")))
    _audit("lab.resource_created", lab.id, by=by, now=now, details={"resource_id": resource.id})
    db.session.commit()
    return resource


def update_resource(
    resource: Resource, *, attributes: ResourceAttributes, by: User, now: datetime
) -> Resource:
    """Changes apply to bookings requested from now on; existing bookings stand."""
    _require_manager(by, resource.lab_id)
    trainings = _check_attributes(resource.lab_id, attributes, resource_id=resource.id)
    _apply_attributes(resource, attributes, trainings)
    _flush_unique(ResourceNameTaken(_("This lab already has a resource with this name.")))
    _audit(
        "lab.resource_updated",
        resource.lab_id,
        by=by,
        now=now,
        details={"resource_id": resource.id},
    )
    db.session.commit()
    return resource


def _check_attributes(
    lab_id: int, attributes: ResourceAttributes, *, resource_id: int | None
) -> list[Training]:
    """The rules the database's CHECK constraints also hold, each with a message; returns the
    required trainings (all the lab's own)."""
    if not attributes.name.strip():
        raise DetailMissing(_("Enter the resource's name."))
    taken = db.session.scalar(queries.resource_named(lab_id, attributes.name.strip()))
    if taken is not None and taken != resource_id:
        raise ResourceNameTaken(_("This lab already has a resource with this name."))
    if attributes.booking_step_minutes not in BOOKING_STEPS:
        raise BookingStepNotAllowed(_("Bookings go in steps of 15, 30 or 60 minutes."))
    if (
        attributes.containment_level is not None
        and attributes.containment_level not in CONTAINMENT_LEVELS
    ):
        raise ContainmentLevelOutOfRange(_("Containment levels go from 1 to 4."))
    for duration in (attributes.minimum_hours, attributes.maximum_hours):
        if not _half_hours_within(duration, MOST_DURATION_HOURS):
            raise DurationOutOfRange(
                _(
                    "Durations go from 0.5 to %(most)s hours, in steps of half an hour.",
                    most=format_decimal(MOST_DURATION_HOURS),
                )
            )
    if attributes.minimum_hours > attributes.maximum_hours:
        raise DurationLimitsOutOfOrder(_("The maximum cannot be shorter than the minimum."))
    if not 0 <= attributes.minimum_notice_hours <= MOST_NOTICE_HOURS:
        raise NoticeOutOfRange(
            _("The notice goes from 0 to %(most)d hours.", most=MOST_NOTICE_HOURS)
        )
    rate = attributes.hourly_rate
    whole_cents = rate.is_finite() and rate == rate.quantize(Decimal("0.01"))
    if not (whole_cents and 0 <= rate <= MOST_HOURLY_RATE):
        raise RateOutOfRange(
            _(
                "The hourly rate goes from 0 to %(most)s euros, with at most two decimals.",
                most=format_decimal(MOST_HOURLY_RATE),
            )
        )
    trainings = db.session.scalars(queries.trainings_by_id(attributes.training_ids)).all()
    if len(trainings) != len(set(attributes.training_ids)) or any(
        training.lab_id != lab_id for training in trainings
    ):
        raise TrainingNotInLab(_("Choose among this lab's trainings."))
    return list(trainings)


def _half_hours_within(hours: Decimal, most: Decimal) -> bool:
    return hours.is_finite() and Decimal("0.5") <= hours <= most and (hours * 2) % 1 == 0


def _apply_attributes(resource: Resource, attributes: ResourceAttributes, trainings) -> None:
    resource.name = attributes.name.strip()
    resource.description = attributes.description.strip()
    resource.kind = attributes.kind
    resource.cleanroom_grade = attributes.cleanroom_grade
    resource.containment_level = attributes.containment_level
    resource.gmp_certified = attributes.gmp_certified
    resource.booking_step_minutes = attributes.booking_step_minutes
    resource.minimum_minutes = int(attributes.minimum_hours * 60)
    resource.maximum_minutes = int(attributes.maximum_hours * 60)
    resource.minimum_notice_hours = attributes.minimum_notice_hours
    resource.needs_approval = attributes.needs_approval
    resource.hourly_rate_cents = int(attributes.hourly_rate * 100)
    resource.active = attributes.active
    resource.required_trainings = trainings


# --- trainings and authorisations --------------------------------------------------------


def add_training(lab: Lab, *, name: str, validity_months: int, by: User, now: datetime) -> Training:
    """A training the lab gives; an authorisation for it lasts `validity_months` by default."""
    _require_manager(by, lab.id)
    name = name.strip()
    if not name:
        raise DetailMissing(_("Enter the training's name."))
    if not 1 <= validity_months <= MOST_VALIDITY_MONTHS:
        raise ValidityOutOfRange(
            _("The validity goes from 1 to %(most)d months.", most=MOST_VALIDITY_MONTHS)
        )
    if db.session.scalar(queries.training_named(lab.id, name)) is not None:
        raise TrainingNameTaken(_("This lab already has a training with this name."))
    training = Training(lab_id=lab.id, name=name, validity_months=validity_months)
    db.session.add(training)
    _flush_unique(TrainingNameTaken(_("This lab already has a training with this name.")))
    _audit("lab.training_added", lab.id, by=by, now=now, details={"training_id": training.id})
    db.session.commit()
    return training


def record_authorisation(
    training: Training,
    *,
    email: str,
    granted_on: date,
    expires_on: date | None = None,
    by: User,
    now: datetime,
) -> Authorisation:
    """The person (a registered user, found by email) may operate what the training covers
    from `granted_on` to `expires_on`, both included; without an expiry, the training's
    validity from the date (12 months unless the lab set otherwise)."""
    _require_manager(by, training.lab_id)
    person = db.session.scalar(queries.user_by_email(email.strip().lower()))
    if person is None or not person.active:
        raise NoSuchPerson(_("No one with this email is registered."))
    if expires_on is None:
        expires_on = months_after(granted_on, training.validity_months)
    if expires_on < granted_on:
        raise ExpiryBeforeGrant(_("The expiry cannot be before the date of the training."))
    authorisation = Authorisation(
        training_id=training.id,
        user_id=person.id,
        granted_on=granted_on,
        expires_on=expires_on,
        recorded_at=now,
        recorded_by_id=by.id,
    )
    db.session.add(authorisation)
    db.session.flush()
    _audit(
        "lab.authorisation_recorded",
        training.lab_id,
        by=by,
        now=now,
        details={
            "authorisation_id": authorisation.id,
            "training_id": training.id,
            "user_id": person.id,
            "expires_on": expires_on.isoformat(),
        },
    )
    db.session.commit()
    return authorisation


def remove_authorisation(authorisation: Authorisation, *, by: User, now: datetime) -> None:
    """Withdrawn (or recorded by mistake): bookings already made stand."""
    lab_id = authorisation.training.lab_id
    _require_manager(by, lab_id)
    details = {"authorisation_id": authorisation.id, "user_id": authorisation.user_id}
    db.session.delete(authorisation)
    _audit("lab.authorisation_removed", lab_id, by=by, now=now, details=details)
    db.session.commit()


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it is shorter (31 Jan → 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- helpers -----------------------------------------------------------------------------


def _check_details(details: LabDetails, *, lab_id: int | None) -> None:
    name = details.name.strip()
    if not name:
        raise DetailMissing(_("Enter the lab's name."))
    taken = db.session.scalar(queries.lab_named(name))
    if taken is not None and taken != lab_id:
        raise LabNameTaken(_("Another lab has this name."))


def _apply_details(lab: Lab, details: LabDetails) -> None:
    lab.name = details.name.strip()
    lab.address = details.address.strip()
    lab.contact_email = details.contact_email.strip().lower()
    lab.contact_phone = details.contact_phone.strip()


def _flush_unique(refusal: DomainError) -> None:
    """The unique constraint decides when two managers save the same name at the same time."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise refusal from error


def _audit(action: str, lab_id: int, *, by: User, now: datetime, details=None) -> None:
    record_audit(action, by=by, object_type="lab", object_id=lab_id, now=now, details=details)
