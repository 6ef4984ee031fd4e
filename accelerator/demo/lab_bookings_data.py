"""The demo projects' lab bookings, in every state. Seeded by demo.labs, oldest request first,
each through the booking services in the first free time it finds."""

from dataclasses import dataclass
from datetime import time

from accelerator.demo.labs_data import (
    ANE,
    B1,
    BIOREACTOR,
    CC2,
    CRYOSTORAGE,
    CYTOMETER,
    GRADE_D,
    INES,
    JORDI,
    LAURA,
    MARC,
    ORIOL,
    QC,
    VIRAL_VECTOR,
)
from accelerator.labs.enums import BookingStatus


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
