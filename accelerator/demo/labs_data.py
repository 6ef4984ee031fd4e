"""Demo labs and who may use them: Leitat and the Barcelona Science Park with their opening
hours and holidays, their trainings and resources, the resource under maintenance, and the demo
members' training authorisations (one expiring soon, one expired). Seeded by demo.labs.
"""

from dataclasses import dataclass
from datetime import time

from accelerator.labs.enums import CleanroomGrade, ResourceKind

LAB_MANAGER = "labmanager@demo.atmpcatalyst.eu"
LEITAT, SCIENCE_PARK = "Leitat", "Barcelona Science Park"
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = range(6)

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
    "jordi.ferrer@cellvia.example.org",
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
