"""Partner labs, their resources and trainings, who may operate, and bookings.

Opening hours and closures are Madrid wall-clock times and dates; blackouts and bookings are
instants in UTC. On PostgreSQL an exclusion constraint makes two pending-or-approved bookings of
one resource that overlap impossible; SQLite has one writer, and the booking service checks for
overlap after taking the write lock.
"""

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.types import UTCDateTime, enum_type
from accelerator.extensions import db
from accelerator.labs.enums import BookingStatus, CleanroomGrade, ResourceKind


class Lab(db.Model):
    __tablename__ = "labs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    opening_hours: Mapped[list["OpeningHours"]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens_at)",
    )


class LabStaff(db.Model):
    """A lab manager attached to a lab by a programme manager: they manage only these labs."""

    __tablename__ = "lab_staff"
    __table_args__ = (UniqueConstraint("lab_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class OpeningHours(db.Model):
    """The lab is open on one weekday from one Madrid time to another (several per day allowed)."""

    __tablename__ = "lab_opening_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens_at < closes_at", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    opens_at: Mapped[time]
    closes_at: Mapped[time]


class LabClosure(db.Model):
    """Madrid dates (first and last included) on which the lab is closed all day."""

    __tablename__ = "lab_closures"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="first_day_not_after_last"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")


class Blackout(db.Model):
    """A period in which a resource (or, without one, the whole lab) cannot be booked."""

    __tablename__ = "lab_blackouts"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="starts_before_ends"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("lab_resources.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Training(db.Model):
    """A training a lab gives (e.g. "Grade B gowning"), required by some of its resources."""

    __tablename__ = "lab_trainings"
    __table_args__ = (
        UniqueConstraint("lab_id", "name"),
        CheckConstraint("validity_months BETWEEN 1 AND 120", name="validity_months_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    validity_months: Mapped[int] = mapped_column(default=12)


resource_trainings = db.Table(
    "lab_resource_trainings",
    db.Column("resource_id", ForeignKey("lab_resources.id", ondelete="CASCADE"), primary_key=True),
    db.Column("training_id", ForeignKey("lab_trainings.id", ondelete="CASCADE"), primary_key=True),
)


class Resource(db.Model):
    __tablename__ = "lab_resources"
    __table_args__ = (
        UniqueConstraint("lab_id", "name"),
        CheckConstraint(
            "containment_level IS NULL OR containment_level BETWEEN 1 AND 4",
            name="containment_level_range",
        ),
        CheckConstraint(
            "booking_step_minutes IN (15, 30, 60)", name="booking_step_minutes_allowed"
        ),
        CheckConstraint(
            "minimum_minutes > 0 AND minimum_minutes <= maximum_minutes",
            name="duration_limits_ordered",
        ),
        CheckConstraint(
            "minimum_notice_hours BETWEEN 0 AND 720", name="minimum_notice_hours_range"
        ),
        CheckConstraint("hourly_rate_cents >= 0", name="hourly_rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ResourceKind] = mapped_column(enum_type(ResourceKind, "resource_kind"))
    cleanroom_grade: Mapped[CleanroomGrade] = mapped_column(
        enum_type(CleanroomGrade, "cleanroom_grade", 8), default=CleanroomGrade.NONE
    )
    containment_level: Mapped[int | None]
    gmp_certified: Mapped[bool] = mapped_column(default=False)
    booking_step_minutes: Mapped[int] = mapped_column(default=30)
    minimum_minutes: Mapped[int] = mapped_column(default=30)
    maximum_minutes: Mapped[int] = mapped_column(default=8 * 60)
    minimum_notice_hours: Mapped[int] = mapped_column(default=24)
    needs_approval: Mapped[bool] = mapped_column(default=True)
    hourly_rate_cents: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    lab: Mapped[Lab] = relationship(lazy="joined", innerjoin=True)
    required_trainings: Mapped[list[Training]] = relationship(
        secondary=resource_trainings, lazy="selectin", order_by=Training.name
    )


class Authorisation(db.Model):
    """A person may operate what a training covers from one date until its expiry (included)."""

    __tablename__ = "lab_authorisations"
    __table_args__ = (CheckConstraint("granted_on <= expires_on", name="granted_before_expiry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(
        ForeignKey("lab_trainings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    granted_on: Mapped[date]
    expires_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    training: Mapped[Training] = relationship(lazy="joined", innerjoin=True)
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True, foreign_keys=[user_id])


class LabQuota(db.Model):
    """A manager's setting of one project's hours per quarter at one lab.

    Without a row the project has DEFAULT_QUARTER_QUOTA_MINUTES at every lab.
    """

    __tablename__ = "lab_quotas"
    __table_args__ = (
        UniqueConstraint("lab_id", "project_id"),
        CheckConstraint("minutes_per_quarter >= 0", name="minutes_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    minutes_per_quarter: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class LabBooking(db.Model):
    __tablename__ = "lab_bookings"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_has_time"
        ),
        ExcludeConstraint(
            (column("resource_id"), "="),
            (func.tstzrange(column("starts_at"), column("ends_at")), "&&"),
            name="ex_lab_bookings_no_overlap",
            using="gist",
            where="status IN ('pending', 'approved')",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("lab_resources.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The Madrid year and quarter of the start: the quota the booking counts against.
    year: Mapped[int]
    quarter: Mapped[int]
    purpose: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[BookingStatus] = mapped_column(
        enum_type(BookingStatus, "lab_booking_status", 16), default=BookingStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")
    # Raised on every change the calendar invitation must carry.
    sequence: Mapped[int] = mapped_column(default=0)

    resource: Mapped[Resource] = relationship(lazy="raise")
    project: Mapped[Project] = relationship(lazy="raise")
    operator: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[operator_id])
    booked_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[booked_by_id])

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class WaitlistEntry(db.Model):
    """Someone who wants a taken time of a resource, emailed once when it frees up."""

    __tablename__ = "lab_waitlist"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        # One waiting entry per person and time, even when they click twice at once.
        Index(
            "uq_lab_waitlist_waiting",
            "resource_id",
            "user_id",
            "starts_at",
            "ends_at",
            unique=True,
            sqlite_where=text("notified_at IS NULL"),
            postgresql_where=text("notified_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("lab_resources.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="raise")
