"""Each project's lab hours per lab and quarter: the quota, and what its bookings hold.

The quarter is the Madrid calendar quarter in which a booking starts. Pending and approved
bookings count, and so do completed and no-show ones (the time was held); rejected and
cancelled bookings count nothing.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.audit import record_audit
from accelerator.core.clock import as_madrid
from accelerator.core.durations import hours
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import policies
from accelerator.labs.enums import DEFAULT_QUARTER_QUOTA_MINUTES, BookingStatus
from accelerator.labs.models import Lab, LabBooking, LabQuota, Resource

COUNTING_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.APPROVED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)


class QuotaExceeded(DomainError):
    pass


class QuotaNegative(DomainError):
    pass


@dataclass(frozen=True)
class QuotaUsage:
    quota_minutes: int
    booked_minutes: int = 0

    @property
    def left_minutes(self) -> int:
        return self.quota_minutes - self.booked_minutes


def quarter_of(moment: datetime) -> tuple[int, int]:
    local = as_madrid(moment)
    return local.year, (local.month - 1) // 3 + 1


@dataclass(frozen=True)
class QuarterUsage:
    """Some projects' quotas and counted booking minutes at the labs in one quarter, by (lab id,
    project id), and the names of the labs where one of them has a quota or bookings."""

    quotas: dict[tuple[int, int], int]
    booked: dict[tuple[int, int], int]
    lab_names: dict[int, str]

    def of(self, lab_id: int, project_id: int) -> QuotaUsage:
        """A project without a quota set at the lab has the default one."""
        key = (lab_id, project_id)
        return QuotaUsage(
            quota_minutes=self.quotas.get(key, DEFAULT_QUARTER_QUOTA_MINUTES),
            booked_minutes=self.booked.get(key, 0),
        )


def quarter_usage(project_ids: list[int], *, year: int, quarter: int) -> QuarterUsage:
    """The projects' quotas and the minutes their bookings of the quarter hold (those in
    COUNTING_STATUSES), with the labs' names: two queries whatever the number of bookings."""
    quotas: dict[tuple[int, int], int] = {}
    lab_names: dict[int, str] = {}
    for lab_id, lab_name, project_id, minutes in db.session.execute(
        select(LabQuota.lab_id, Lab.name, LabQuota.project_id, LabQuota.minutes_per_quarter)
        .join(Lab, Lab.id == LabQuota.lab_id)
        .where(LabQuota.project_id.in_(project_ids))
    ):
        quotas[(lab_id, project_id)] = minutes
        lab_names[lab_id] = lab_name
    booked: dict[tuple[int, int], int] = defaultdict(int)
    for lab_id, lab_name, project_id, starts_at, ends_at in db.session.execute(
        select(
            Resource.lab_id,
            Lab.name,
            LabBooking.project_id,
            LabBooking.starts_at,
            LabBooking.ends_at,
        )
        .join(Resource, Resource.id == LabBooking.resource_id)
        .join(Lab, Lab.id == Resource.lab_id)
        .where(
            LabBooking.project_id.in_(project_ids),
            LabBooking.year == year,
            LabBooking.quarter == quarter,
            LabBooking.status.in_(COUNTING_STATUSES),
        )
    ):
        booked[(lab_id, project_id)] += int((ends_at - starts_at).total_seconds() // 60)
        lab_names[lab_id] = lab_name
    return QuarterUsage(quotas=quotas, booked=dict(booked), lab_names=lab_names)


def usage_by_lab_and_project(
    project_ids: list[int], *, year: int, quarter: int
) -> dict[tuple[int, int], QuotaUsage]:
    """(lab id, project id) → quota and booked minutes in the quarter, for every lab, in three
    queries whatever the number of bookings."""
    if not project_ids:
        return {}
    lab_ids = db.session.scalars(select(Lab.id)).all()
    usage = quarter_usage(project_ids, year=year, quarter=quarter)
    return {
        (lab_id, project_id): usage.of(lab_id, project_id)
        for lab_id in lab_ids
        for project_id in project_ids
    }


def check_quota(lab: Lab, project_id: int, *, starts_at: datetime, minutes: int) -> None:
    """Refuses a booking that would take the project past its quarter's hours at the lab."""
    year, quarter = quarter_of(starts_at)
    usage = usage_by_lab_and_project([project_id], year=year, quarter=quarter)[(lab.id, project_id)]
    if minutes > usage.left_minutes:
        raise QuotaExceeded(
            _(
                "This booking would exceed the project's hours at %(lab)s for Q%(quarter)d"
                " %(year)d: %(left)s h left of %(quota)s h.",
                lab=lab.name,
                quarter=quarter,
                year=year,
                left=format_decimal(hours(max(usage.left_minutes, 0))),
                quota=format_decimal(hours(usage.quota_minutes)),
            )
        )


def set_quota(
    lab: Lab, project: Project, *, minutes_per_quarter: int | None, by: User, now: datetime
) -> LabQuota:
    """A programme manager sets the project's hours per quarter at the lab; lowering it cancels
    nothing already booked, it only refuses new bookings."""
    require(policies.can_set_quotas(by))
    if minutes_per_quarter is None or minutes_per_quarter < 0:
        raise QuotaNegative(_("The quota is 0 hours or more."))
    quota = db.session.scalar(
        select(LabQuota).where(LabQuota.lab_id == lab.id, LabQuota.project_id == project.id)
    )
    if quota is None:
        quota = LabQuota(lab_id=lab.id, project_id=project.id)
        db.session.add(quota)
    previous = quota.minutes_per_quarter
    quota.minutes_per_quarter = minutes_per_quarter
    quota.updated_at = now
    quota.updated_by_id = by.id
    db.session.flush()
    record_audit(
        "lab_quota.set",
        by=by,
        object_type="project",
        object_id=project.id,
        now=now,
        details={"lab_id": lab.id, "minutes": minutes_per_quarter, "previous": previous},
    )
    db.session.commit()
    return quota
