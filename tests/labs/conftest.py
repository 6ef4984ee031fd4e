"""Factories of the lab tests: a lab open on weekdays, its resources, trainings, operators.

NOW is Monday 2 March 2026, 09:00 UTC (10:00 Madrid, winter time UTC+1).
"""

import itertools
from datetime import UTC, date, datetime, time, timedelta

from accelerator.accounts.enums import Role
from accelerator.extensions import db
from accelerator.labs.booking import book_resource
from accelerator.labs.booking_rules import Request
from accelerator.labs.enums import CleanroomGrade, ResourceKind
from accelerator.labs.models import (
    Authorisation,
    Lab,
    LabStaff,
    OpeningHours,
    Resource,
    Training,
)
from tests.factories import make_user

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Wednesday 11 March 2026 in Madrid winter time: 10:00 Madrid is 09:00 UTC.
WEDNESDAY = date(2026, 3, 11)
_numbers = itertools.count(1)


def madrid(day: date, hour: int, minute: int = 0) -> datetime:
    """A Madrid wall-clock time in March 2026 (UTC+1) as a UTC instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC) - timedelta(hours=1)


def make_lab(*, name: str | None = None, opens=time(8), closes=time(20), weekdays=range(5)):
    lab = Lab(
        name=name or f"Lab {next(_numbers)}",
        address="Parc Científic, Barcelona",
        contact_email="lab@example.org",
        created_at=NOW,
    )
    lab.opening_hours = [
        OpeningHours(weekday=weekday, opens_at=opens, closes_at=closes) for weekday in weekdays
    ]
    db.session.add(lab)
    db.session.commit()
    return lab


def make_resource(lab=None, *, trainings=(), **fields):
    resource = Resource(
        lab_id=(lab or make_lab()).id,
        name=fields.pop("name", f"Resource {next(_numbers)}"),
        kind=fields.pop("kind", ResourceKind.GMP_CLEAN_ROOM),
        cleanroom_grade=fields.pop("cleanroom_grade", CleanroomGrade.B),
        containment_level=fields.pop("containment_level", 2),
        gmp_certified=fields.pop("gmp_certified", True),
        booking_step_minutes=fields.pop("booking_step_minutes", 30),
        minimum_minutes=fields.pop("minimum_minutes", 30),
        maximum_minutes=fields.pop("maximum_minutes", 8 * 60),
        minimum_notice_hours=fields.pop("minimum_notice_hours", 24),
        needs_approval=fields.pop("needs_approval", False),
        hourly_rate_cents=fields.pop("hourly_rate_cents", 12_000),
        **fields,
    )
    resource.required_trainings = list(trainings)
    db.session.add(resource)
    db.session.commit()
    return resource


def make_training(lab, name: str | None = None) -> Training:
    training = Training(lab_id=lab.id, name=name or f"Training {next(_numbers)}")
    db.session.add(training)
    db.session.commit()
    return training


def authorise(user, training, *, granted_on=date(2026, 1, 1), expires_on=date(2027, 1, 1)):
    authorisation = Authorisation(
        training_id=training.id,
        user_id=user.id,
        granted_on=granted_on,
        expires_on=expires_on,
        recorded_at=NOW,
    )
    db.session.add(authorisation)
    db.session.commit()
    return authorisation


def make_lab_manager(lab):
    manager = make_user(Role.LAB_MANAGER, email=f"labmanager{next(_numbers)}@labs.example.net")
    db.session.add(LabStaff(lab_id=lab.id, user_id=manager.id, attached_at=NOW))
    db.session.commit()
    return manager


def book(
    resource, project, member, starts_at, ends_at, *, operator=None, now=NOW, purpose="CAR-T run"
):
    return book_resource(
        resource,
        project,
        Request(
            starts_at=starts_at,
            ends_at=ends_at,
            operator_id=(operator or member).id,
            purpose=purpose,
        ),
        by=member,
        now=now,
    )
