"""Seeding the demo labs (demo.labs_data) and their bookings (demo.lab_bookings_data): the labs
with their opening hours, a holiday closure and a maintenance blackout, their resources and
trainings, the demo lab manager on their staff, the demo members' training authorisations and
the demo projects' bookings in every state.

Every booking is made through the booking services with the clock set to when it was requested,
in the first time the resource had free then, so each obeys the lab's rules (opening hours,
closures, blackouts, step, notice, trainings, quota) whatever the day the seed runs.
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.clock import add_months, as_madrid, madrid_to_utc
from accelerator.demo.lab_bookings_data import DEMO_BOOKINGS, DemoBooking
from accelerator.demo.labs_data import (
    DEMO_AUTHORISATIONS,
    DEMO_LABS,
    DEMO_RESOURCES,
    DEMO_TRAININGS,
    LAB_MANAGER,
    MAINTENANCE,
    MONDAY,
    DemoAuthorisation,
    DemoLab,
    DemoResource,
)
from accelerator.extensions import db
from accelerator.labs.availability import Interval, calendar_of, free_slots
from accelerator.labs.booking import (
    approve_booking,
    book_resource,
    cancel_booking,
    record_outcome,
    reject_booking,
)
from accelerator.labs.booking_rules import Request
from accelerator.labs.enums import BookingStatus
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

# How far ahead of its earliest start a demo booking looks for a free time.
SEARCH_DAYS = 28


def seed_labs(*, now: datetime) -> int:
    """The labs with their staff, trainings, resources, closure and blackout, the members'
    authorisations, then the bookings unless the demo resources already have some."""
    manager = _user(LAB_MANAGER)
    created = 0
    for demo in DEMO_LABS:
        created += _ensure_lab(demo, manager, now=now)
    labs = {lab.name: lab for lab in db.session.scalars(select(Lab))}
    for lab_name, name in DEMO_TRAININGS:
        created += _ensure_training(labs[lab_name], name)
    trainings = {
        (lab_name, training.name): training
        for lab_name, lab in labs.items()
        for training in db.session.scalars(select(Training).where(Training.lab_id == lab.id))
    }
    for demo in DEMO_RESOURCES:
        created += _ensure_resource(demo, labs[demo.lab], trainings, manager, now=now)
    for demo in DEMO_AUTHORISATIONS:
        training = trainings[(demo.lab, demo.training)]
        created += _ensure_authorisation(demo, training, manager, now=now)
    # The booking services commit, and on SQLite take their write lock with a rollback: what
    # is above must be committed first.
    db.session.commit()
    if not _demo_resources_have_bookings():
        for demo in DEMO_BOOKINGS:
            _seed_booking(demo, manager, now=now)
        created += len(DEMO_BOOKINGS)
    return created


def _ensure_lab(demo: DemoLab, manager: User, *, now: datetime) -> int:
    """A new lab comes with its opening hours, its next holiday closed and the demo lab
    manager on its staff; the maintenance blackout comes with its resource."""
    if db.session.scalar(select(Lab.id).where(Lab.name == demo.name)):
        return 0
    lab = Lab(
        name=demo.name,
        address=demo.address,
        contact_email=demo.contact_email,
        contact_phone=demo.contact_phone,
        created_at=now,
    )
    lab.opening_hours = [
        OpeningHours(weekday=weekday, opens_at=opens, closes_at=closes)
        for weekday, opens, closes in demo.hours
    ]
    db.session.add(lab)
    db.session.flush()
    day, reason = _next_holiday(as_madrid(now).date(), demo.holidays)
    db.session.add(LabClosure(lab_id=lab.id, first_day=day, last_day=day, reason=reason))
    db.session.add(LabStaff(lab_id=lab.id, user_id=manager.id, attached_at=now))
    db.session.flush()
    return 3


def _next_holiday(today: date, holidays) -> tuple[date, str]:
    """The first of the (month, day, reason) holidays after today, and its reason."""
    return min((_next_occurrence(today, month, day), reason) for month, day, reason in holidays)


def _next_occurrence(today: date, month: int, day: int) -> date:
    this_year = date(today.year, month, day)
    return this_year if this_year > today else date(today.year + 1, month, day)


def _ensure_training(lab: Lab, name: str) -> int:
    exists = db.session.scalar(
        select(Training.id).where(Training.lab_id == lab.id, Training.name == name)
    )
    if exists:
        return 0
    db.session.add(Training(lab_id=lab.id, name=name))
    db.session.flush()
    return 1


def _ensure_resource(
    demo: DemoResource, lab: Lab, trainings: dict, manager: User, *, now: datetime
) -> int:
    """A new resource, with its maintenance blackout if it has one."""
    exists = db.session.scalar(
        select(Resource.id).where(Resource.lab_id == lab.id, Resource.name == demo.name)
    )
    if exists:
        return 0
    resource = Resource(
        lab_id=lab.id,
        name=demo.name,
        kind=demo.kind,
        description=demo.description,
        cleanroom_grade=demo.cleanroom_grade,
        containment_level=demo.containment_level,
        gmp_certified=demo.gmp_certified,
        booking_step_minutes=demo.booking_step_minutes,
        minimum_minutes=demo.minimum_minutes,
        maximum_minutes=demo.maximum_minutes,
        minimum_notice_hours=demo.minimum_notice_hours,
        needs_approval=demo.needs_approval,
        hourly_rate_cents=demo.hourly_rate_cents,
    )
    resource.required_trainings = [trainings[(demo.lab, name)] for name in demo.trainings]
    db.session.add(resource)
    db.session.flush()
    if (demo.lab, demo.name) != MAINTENANCE[:2]:
        return 1
    first_day = _first_monday_of_next_month(as_madrid(now).date())
    db.session.add(
        Blackout(
            lab_id=lab.id,
            resource_id=resource.id,
            starts_at=madrid_to_utc(datetime.combine(first_day, time(8))),
            ends_at=madrid_to_utc(datetime.combine(first_day + timedelta(days=1), time(20))),
            reason=MAINTENANCE[2],
            created_at=now,
            created_by_id=manager.id,
        )
    )
    db.session.flush()
    return 2


def _first_monday_of_next_month(today: date) -> date:
    first = add_months(today.replace(day=1), 1)
    return first + timedelta(days=(MONDAY - first.weekday()) % 7)


def _ensure_authorisation(
    demo: DemoAuthorisation, training: Training, manager: User, *, now: datetime
) -> int:
    member = _user(demo.member)
    exists = db.session.scalar(
        select(Authorisation.id).where(
            Authorisation.training_id == training.id, Authorisation.user_id == member.id
        )
    )
    if exists:
        return 0
    today = as_madrid(now).date()
    if demo.expires_in_days is None:
        granted_on = today - timedelta(days=demo.granted_days_ago)
        expires_on = add_months(granted_on, training.validity_months)
    else:
        expires_on = today + timedelta(days=demo.expires_in_days)
        granted_on = add_months(expires_on, -training.validity_months)
    db.session.add(
        Authorisation(
            training_id=training.id,
            user_id=member.id,
            granted_on=granted_on,
            expires_on=expires_on,
            # recorded the afternoon of the training
            recorded_at=min(madrid_to_utc(datetime.combine(granted_on, time(17))), now),
            recorded_by_id=manager.id,
        )
    )
    db.session.flush()
    return 1


def _demo_resources_have_bookings() -> bool:
    return (
        db.session.scalar(
            select(LabBooking.id)
            .join(Resource, Resource.id == LabBooking.resource_id)
            .join(Lab, Lab.id == Resource.lab_id)
            .where(Lab.name.in_([lab.name for lab in DEMO_LABS]))
            .limit(1)
        )
        is not None
    )


def _seed_booking(demo: DemoBooking, manager: User, *, now: datetime) -> LabBooking:
    member = _user(demo.member)
    project = db.session.scalar(
        select(Project)
        .where(Project.organisation_id == member.organisation_id)
        .order_by(Project.created_at, Project.id)
        .limit(1)
    )
    resource = db.session.scalar(
        select(Resource)
        .join(Lab, Lab.id == Resource.lab_id)
        .where(Resource.name == demo.resource, Lab.name.in_([lab.name for lab in DEMO_LABS]))
    )
    requested_at = now - timedelta(days=demo.requested_days_ago)
    slot = _first_free_time(resource, demo, requested_at=requested_at, now=now)
    booking = book_resource(
        resource,
        project,
        Request(
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            operator_id=member.id,
            purpose=demo.purpose,
        ),
        by=member,
        now=requested_at,
    )
    if demo.outcome == BookingStatus.PENDING:
        return booking
    if booking.status == BookingStatus.PENDING:
        decided_at = min(requested_at + timedelta(hours=3), now)
        if demo.outcome == BookingStatus.REJECTED:
            return reject_booking(booking, reason=demo.reason, by=manager, now=decided_at)
        approve_booking(booking, by=manager, now=decided_at)
    if demo.outcome == BookingStatus.CANCELLED:
        cancelled_at = now - timedelta(days=demo.cancelled_days_ago)
        return cancel_booking(booking, reason=demo.reason, by=member, now=cancelled_at)
    if demo.outcome in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        ended = booking.ends_at
        return record_outcome(
            booking, outcome=demo.outcome, by=manager, now=ended + timedelta(hours=1)
        )
    return booking


def _first_free_time(
    resource: Resource, demo: DemoBooking, *, requested_at: datetime, now: datetime
) -> Interval:
    """The first free time of the resource, as it stood at `requested_at`, that respects its
    notice, starts late enough and, for a booking already used or missed, ended an hour
    before now."""
    earliest = max(
        requested_at + timedelta(hours=resource.minimum_notice_hours),
        now + timedelta(days=demo.starts_in_days),
    )
    latest_end = (
        now - timedelta(hours=1)
        if demo.outcome in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW)
        else None
    )
    slots = free_slots(
        calendar_of(resource, first=earliest, last=earliest + timedelta(days=SEARCH_DAYS + 1)),
        first_day=as_madrid(earliest).date(),
        days=SEARCH_DAYS,
        minutes=demo.minutes,
        step_minutes=resource.booking_step_minutes,
        earliest=earliest,
    )
    for slot in slots:
        if as_madrid(slot.starts_at).time() >= demo.not_before and (
            latest_end is None or slot.ends_at <= latest_end
        ):
            return slot
    raise LookupError(f"{demo.resource} had no free time for the demo booking: {demo.purpose}")


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))
