"""Demo labs: Leitat and the Barcelona Science Park with their opening hours, a holiday closure
and a maintenance blackout, their resources and trainings, the demo lab manager on their staff,
the demo members' training authorisations (one expiring soon, one expired) and the demo
projects' bookings in every state.

Every booking is made through the booking services with the clock set to when it was requested,
in the first time the resource had free then, so each obeys the lab's rules (opening hours,
closures, blackouts, step, notice, trainings, quota) whatever the day the seed runs.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.clock import as_madrid, madrid_to_utc
from accelerator.extensions import db
from accelerator.labs.availability import Interval, calendar_of, free_slots
from accelerator.labs.booking import (
    Request,
    approve_booking,
    book_resource,
    cancel_booking,
    record_outcome,
    reject_booking,
)
from accelerator.labs.enums import (
    BookingStatus,
    CleanroomGrade,
    ResourceKind,
)
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

LAB_MANAGER = "labmanager@demo.atmpcatalyst.eu"
LEITAT, SCIENCE_PARK = "Leitat", "Barcelona Science Park"
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = range(6)
# How far ahead of its earliest start a demo booking looks for a free time.
SEARCH_DAYS = 28

# Catalonia's fixed-date public holidays (Easter Monday moves, so it is left out).
CATALAN_HOLIDAYS = (
    (1, 1, "New Year's Day"),
    (1, 6, "Epiphany"),
    (5, 1, "Labour Day"),
    (6, 24, "Sant Joan"),
    (8, 15, "Assumption Day"),
    (9, 11, "Diada Nacional de Catalunya"),
    (10, 12, "Spanish National Day"),
    (11, 1, "All Saints' Day"),
    (12, 6, "Constitution Day"),
    (12, 8, "Immaculate Conception"),
    (12, 25, "Christmas Day"),
    (12, 26, "Sant Esteve"),
)


@dataclass(frozen=True)
class DemoLab:
    name: str
    address: str
    contact_email: str
    contact_phone: str
    # Weekday (0 = Monday), opens, closes: Madrid wall-clock time.
    hours: tuple[tuple[int, time, time], ...]
    # The next of these (month, day, reason) from today is the lab's closure.
    holidays: tuple[tuple[int, int, str], ...]


DEMO_LABS = (
    DemoLab(
        name=LEITAT,
        address="Leitat Technological Center\nC/ de la Innovació 2\n08225 Terrassa (Barcelona)",
        contact_email="labs@leitat.example.org",
        contact_phone="+34 937 000 101",
        hours=(
            *((weekday, time(8), time(20)) for weekday in range(MONDAY, SATURDAY)),
            (SATURDAY, time(9), time(14)),
        ),
        holidays=CATALAN_HOLIDAYS,
    ),
    DemoLab(
        name=SCIENCE_PARK,
        address="Parc Científic de Barcelona\nBaldiri Reixac 4–8\n08028 Barcelona",
        contact_email="platforms@pcb.example.org",
        contact_phone="+34 934 000 202",
        hours=(
            *((weekday, time(8), time(20)) for weekday in range(MONDAY, FRIDAY)),
            (FRIDAY, time(8), time(15)),
        ),
        holidays=((9, 24, "La Mercè, Barcelona's local holiday"),),
    ),
)

DEMO_TRAININGS = (
    (LEITAT, "Grade B gowning"),
    (LEITAT, "BSL-2 induction"),
    (LEITAT, "Liquid nitrogen safety"),
    (SCIENCE_PARK, "BSL-2 induction"),
    (SCIENCE_PARK, "Clean room gowning (grades C and D)"),
    (SCIENCE_PARK, "Flow cytometer operation"),
)


@dataclass(frozen=True)
class DemoResource:
    lab: str
    name: str
    kind: ResourceKind
    description: str
    trainings: tuple[str, ...] = ()
    cleanroom_grade: CleanroomGrade = CleanroomGrade.NONE
    containment_level: int | None = None
    gmp_certified: bool = False
    booking_step_minutes: int = 30
    minimum_minutes: int = 30
    maximum_minutes: int = 8 * 60
    minimum_notice_hours: int = 24
    needs_approval: bool = True
    hourly_rate_cents: int = 0


B1, VIRAL_VECTOR, CRYOSTORAGE, QC = (
    "GMP clean room B1",
    "Viral vector suite",
    "Cryostorage rack",
    "QC analytics lab",
)
CC2, CYTOMETER, BIOREACTOR, GRADE_D = (
    "Cell culture suite CC-2",
    "Flow cytometer (BD FACSymphony)",
    "Bioreactor (Xcellerex 50 L)",
    "Grade D clean room",
)

DEMO_RESOURCES = (
    DemoResource(
        lab=LEITAT,
        name=B1,
        kind=ResourceKind.GMP_CLEAN_ROOM,
        description="Grade B clean room with a grade A biosafety cabinet, CO₂ incubators and a "
        "closed cell-processing system; licensed for investigational ATMP manufacture.",
        trainings=("BSL-2 induction", "Grade B gowning"),
        cleanroom_grade=CleanroomGrade.B,
        containment_level=2,
        gmp_certified=True,
        minimum_minutes=2 * 60,
        maximum_minutes=8 * 60,
        minimum_notice_hours=48,
        hourly_rate_cents=25_000,
    ),
    DemoResource(
        lab=LEITAT,
        name=VIRAL_VECTOR,
        kind=ResourceKind.VIRAL_VECTOR_SUITE,
        description="Negative-pressure suite for lentiviral and AAV vector production in "
        "suspension HEK293 cells, with a 10 L single-use bioreactor and a TFF skid.",
        trainings=("BSL-2 induction",),
        cleanroom_grade=CleanroomGrade.C,
        containment_level=2,
        gmp_certified=True,
        minimum_minutes=60,
        maximum_minutes=8 * 60,
        minimum_notice_hours=48,
        hourly_rate_cents=18_000,
    ),
    DemoResource(
        lab=LEITAT,
        name=CRYOSTORAGE,
        kind=ResourceKind.CRYOSTORAGE,
        description="Vapour-phase liquid nitrogen freezers with continuous temperature "
        "monitoring, for master and working cell banks.",
        trainings=("Liquid nitrogen safety",),
        gmp_certified=True,
        minimum_minutes=30,
        maximum_minutes=2 * 60,
        minimum_notice_hours=4,
        needs_approval=False,
        hourly_rate_cents=2_000,
    ),
    DemoResource(
        lab=LEITAT,
        name=QC,
        kind=ResourceKind.QC_ANALYTICS,
        description="Release and in-process testing: ddPCR, ELISA, endotoxin and "
        "mycoplasma assays, with a GMP-qualified analyst on request.",
        containment_level=1,
        gmp_certified=True,
        booking_step_minutes=60,
        minimum_minutes=60,
        maximum_minutes=8 * 60,
        hourly_rate_cents=9_000,
    ),
    DemoResource(
        lab=SCIENCE_PARK,
        name=CC2,
        kind=ResourceKind.CELL_CULTURE_SUITE,
        description="Grade C suite with two class II biosafety cabinets, hypoxia incubators "
        "and a live-cell imager, for iPSC and primary cell work.",
        trainings=("BSL-2 induction", "Clean room gowning (grades C and D)"),
        cleanroom_grade=CleanroomGrade.C,
        containment_level=2,
        minimum_minutes=60,
        maximum_minutes=8 * 60,
        hourly_rate_cents=8_000,
    ),
    DemoResource(
        lab=SCIENCE_PARK,
        name=CYTOMETER,
        kind=ResourceKind.FLOW_CYTOMETER,
        description="Five-laser spectral analyser for up to 50 colours, with a high-throughput "
        "sampler; phenotyping panels for CAR-T and stem cell products.",
        trainings=("Flow cytometer operation",),
        containment_level=2,
        booking_step_minutes=60,
        minimum_minutes=60,
        maximum_minutes=4 * 60,
        minimum_notice_hours=12,
        needs_approval=False,
        hourly_rate_cents=6_000,
    ),
    DemoResource(
        lab=SCIENCE_PARK,
        name=BIOREACTOR,
        kind=ResourceKind.BIOREACTOR,
        description="Single-use stirred-tank bioreactor (50 L) in a grade D room, for "
        "microcarrier expansion of adherent cells and suspension cultures.",
        trainings=("Clean room gowning (grades C and D)",),
        cleanroom_grade=CleanroomGrade.D,
        containment_level=1,
        gmp_certified=True,
        booking_step_minutes=60,
        minimum_minutes=4 * 60,
        maximum_minutes=12 * 60,
        minimum_notice_hours=72,
        hourly_rate_cents=15_000,
    ),
    DemoResource(
        lab=SCIENCE_PARK,
        name=GRADE_D,
        kind=ResourceKind.GMP_CLEAN_ROOM,
        description="Grade D clean room for media preparation, scaffold handling and "
        "closed-system steps.",
        trainings=("Clean room gowning (grades C and D)",),
        cleanroom_grade=CleanroomGrade.D,
        containment_level=1,
        gmp_certified=True,
        minimum_minutes=60,
        maximum_minutes=8 * 60,
        hourly_rate_cents=7_000,
    ),
)

# A resource's maintenance next month: its lab, its name and why it cannot be booked.
MAINTENANCE = (SCIENCE_PARK, CYTOMETER, "Annual service visit by BD Biosciences")


@dataclass(frozen=True)
class DemoAuthorisation:
    """Granted `granted_days_ago` for the training's validity, or else expiring on the day
    `expires_in_days` from today (negative: expired) after a full validity."""

    member: str
    lab: str
    training: str
    granted_days_ago: int = 0
    expires_in_days: int | None = None


JORDI, LAURA, ORIOL, INES, MARC, ANE = (
    "applicant@demo.atmpcatalyst.eu",
    "laura@genret.example.org",
    "oriol@ub.example.edu",
    "ines@neurogene.example.org",
    "marc@ocucell.example.org",
    "ane@cardioregen.example.org",
)

DEMO_AUTHORISATIONS = (
    DemoAuthorisation(JORDI, LEITAT, "Grade B gowning", granted_days_ago=120),
    DemoAuthorisation(JORDI, LEITAT, "BSL-2 induction", granted_days_ago=120),
    DemoAuthorisation(JORDI, SCIENCE_PARK, "Flow cytometer operation", granted_days_ago=90),
    DemoAuthorisation(LAURA, LEITAT, "BSL-2 induction", granted_days_ago=200),
    DemoAuthorisation(INES, LEITAT, "BSL-2 induction", expires_in_days=20),
    DemoAuthorisation(INES, LEITAT, "Liquid nitrogen safety", granted_days_ago=60),
    DemoAuthorisation(
        ORIOL, SCIENCE_PARK, "Clean room gowning (grades C and D)", granted_days_ago=150
    ),
    DemoAuthorisation(MARC, SCIENCE_PARK, "BSL-2 induction", granted_days_ago=100),
    DemoAuthorisation(
        MARC, SCIENCE_PARK, "Clean room gowning (grades C and D)", granted_days_ago=100
    ),
    DemoAuthorisation(MARC, SCIENCE_PARK, "Flow cytometer operation", expires_in_days=-10),
    DemoAuthorisation(
        ANE, SCIENCE_PARK, "Clean room gowning (grades C and D)", granted_days_ago=250
    ),
)


@dataclass(frozen=True)
class DemoBooking:
    """A booking a member of a demo project requested `requested_days_ago`, operating it
    themselves, in the first free time then that starts at least `starts_in_days` from now
    (negative: past; a completed or no-show booking also ended an hour before now) and not
    before `not_before` in the day (Madrid time)."""

    resource: str
    member: str
    minutes: int
    purpose: str
    requested_days_ago: float
    starts_in_days: float
    outcome: BookingStatus
    reason: str = ""
    cancelled_days_ago: float | None = None
    not_before: time = time(8)


# Oldest request first, so each one sees the bookings made before it.
DEMO_BOOKINGS = (
    DemoBooking(
        resource=B1,
        member=JORDI,
        minutes=6 * 60,
        purpose="CAR-T engineering run ER-01: lentiviral transduction and expansion of "
        "healthy-donor T cells.",
        requested_days_ago=45,
        starts_in_days=-38,
        outcome=BookingStatus.COMPLETED,
    ),
    DemoBooking(
        resource=BIOREACTOR,
        member=ANE,
        minutes=8 * 60,
        purpose="Expansion of iPSC-derived cardiomyocytes on microcarriers for patch seeding.",
        requested_days_ago=40,
        starts_in_days=-30,
        outcome=BookingStatus.COMPLETED,
    ),
    DemoBooking(
        resource=QC,
        member=LAURA,
        minutes=4 * 60,
        purpose="Capsid ELISA and ddPCR titre of the pilot AAV8 batch.",
        requested_days_ago=30,
        starts_in_days=-20,
        outcome=BookingStatus.NO_SHOW,
        not_before=time(10),
    ),
    DemoBooking(
        resource=GRADE_D,
        member=ANE,
        minutes=4 * 60,
        purpose="Seeding cardiomyocytes on the collagen scaffolds, batch P-07.",
        requested_days_ago=8,
        starts_in_days=5,
        outcome=BookingStatus.CANCELLED,
        reason="The scaffold delivery is delayed; we will book again once it arrives.",
        cancelled_days_ago=2,
        not_before=time(14),
    ),
    DemoBooking(
        resource=B1,
        member=JORDI,
        minutes=6 * 60,
        purpose="CAR-T engineering run ER-02: process with the new cytokine cocktail.",
        requested_days_ago=6,
        starts_in_days=3,
        outcome=BookingStatus.APPROVED,
    ),
    DemoBooking(
        resource=VIRAL_VECTOR,
        member=LAURA,
        minutes=8 * 60,
        purpose="AAV8 production: triple transfection of suspension HEK293 cells, 10 L.",
        requested_days_ago=5,
        starts_in_days=7,
        outcome=BookingStatus.APPROVED,
    ),
    DemoBooking(
        resource=BIOREACTOR,
        member=ORIOL,
        minutes=8 * 60,
        purpose="Chondrocyte expansion on microcarriers for the bioprinting ink.",
        requested_days_ago=4,
        starts_in_days=9,
        outcome=BookingStatus.APPROVED,
    ),
    DemoBooking(
        resource=CC2,
        member=MARC,
        minutes=6 * 60,
        purpose="Differentiation of iPSC lines into corneal endothelial cells.",
        requested_days_ago=3,
        starts_in_days=6,
        outcome=BookingStatus.REJECTED,
        reason="Our biosafety officer has not received the risk assessment for your iPSC "
        "lines yet. Send it to us and book again.",
        not_before=time(9),
    ),
    DemoBooking(
        resource=CYTOMETER,
        member=JORDI,
        minutes=2 * 60,
        purpose="CAR expression and memory phenotype panel on the ER-01 product.",
        requested_days_ago=2,
        starts_in_days=4,
        outcome=BookingStatus.APPROVED,  # the cytometer needs no approval
        not_before=time(15),
    ),
    DemoBooking(
        resource=CRYOSTORAGE,
        member=INES,
        minutes=60,
        purpose="Deposit of the master cell bank vials.",
        requested_days_ago=1,
        starts_in_days=2,
        outcome=BookingStatus.APPROVED,  # no approval needed
        not_before=time(9, 30),
    ),
    DemoBooking(
        resource=VIRAL_VECTOR,
        member=INES,
        minutes=6 * 60,
        purpose="AAV9 pilot production for the SMA dose-finding study.",
        requested_days_ago=1,
        starts_in_days=6,
        outcome=BookingStatus.PENDING,
    ),
    DemoBooking(
        resource=GRADE_D,
        member=ORIOL,
        minutes=4 * 60,
        purpose="Sterile preparation of the GelMA bioink.",
        requested_days_ago=0.5,
        starts_in_days=12,
        outcome=BookingStatus.PENDING,
        not_before=time(9),
    ),
    DemoBooking(
        resource=QC,
        member=LAURA,
        minutes=4 * 60,
        purpose="Capsid ELISA and full/empty ratio of the AAV8 batch.",
        requested_days_ago=0.5,
        starts_in_days=14,
        outcome=BookingStatus.PENDING,
        not_before=time(10),
    ),
    DemoBooking(
        resource=B1,
        member=JORDI,
        minutes=8 * 60,
        purpose="CAR-T full-scale process run PR-01 ahead of the GMP transfer.",
        requested_days_ago=0.25,
        starts_in_days=10,
        outcome=BookingStatus.PENDING,
    ),
)


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
    first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
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
        expires_on = _months_after(granted_on, training.validity_months)
    else:
        expires_on = today + timedelta(days=demo.expires_in_days)
        granted_on = _months_after(expires_on, -training.validity_months)
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


def _months_after(day: date, months: int) -> date:
    """The same day `months` later (earlier if negative), or the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


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
