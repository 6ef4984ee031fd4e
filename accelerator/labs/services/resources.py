"""A lab's resources and their typed attributes: what they are, how they are booked, what they
cost and which trainings their operators need."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _

from accelerator.accounts.models import User
from accelerator.core.errors import DomainError
from accelerator.extensions import db
from accelerator.labs import queries
from accelerator.labs.enums import CleanroomGrade, ResourceKind
from accelerator.labs.models import Lab, Resource, Training
from accelerator.labs.services.managing import (
    DetailMissing,
    audit_lab,
    flush_unique,
    require_manager,
)

BOOKING_STEPS = (15, 30, 60)
CONTAINMENT_LEVELS = (1, 2, 3, 4)
# A booking lies inside one opening window of one day, so no limit needs more than a day.
MOST_DURATION_HOURS = Decimal(24)
MOST_NOTICE_HOURS = 720
MOST_HOURLY_RATE = Decimal(100_000)


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


def create_resource(
    lab: Lab, *, attributes: ResourceAttributes, by: User, now: datetime
) -> Resource:
    """A resource of the lab with its typed attributes; see `_check_attributes` for the rules."""
    require_manager(by, lab.id)
    trainings = _check_attributes(lab.id, attributes, resource_id=None)
    resource = Resource(lab_id=lab.id)
    _apply_attributes(resource, attributes, trainings)
    db.session.add(resource)
    flush_unique(ResourceNameTaken(_("This lab already has a resource with this name.")))
    audit_lab("lab.resource_created", lab.id, by=by, now=now, details={"resource_id": resource.id})
    db.session.commit()
    return resource


def update_resource(
    resource: Resource, *, attributes: ResourceAttributes, by: User, now: datetime
) -> Resource:
    """Changes apply to bookings requested from now on; existing bookings stand."""
    require_manager(by, resource.lab_id)
    trainings = _check_attributes(resource.lab_id, attributes, resource_id=resource.id)
    _apply_attributes(resource, attributes, trainings)
    flush_unique(ResourceNameTaken(_("This lab already has a resource with this name.")))
    audit_lab(
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
