"""Mentors: their profile and when they are available.

Weekly rules and exceptions are Madrid wall-clock times and dates (a mentor's "Tuesdays
10:00–13:00" stays 10:00 across the daylight-saving changes); one-off slots are instants in UTC.
"""

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, column, func
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.types import UTCDateTime, enum_type
from accelerator.extensions import db
from accelerator.mentoring.enums import Language, SessionStatus


class MentorProfile(db.Model):
    __tablename__ = "mentor_profiles"
    __table_args__ = (
        CheckConstraint("monthly_hour_limit > 0", name="monthly_hour_limit_positive"),
        CheckConstraint("buffer_minutes BETWEEN 0 AND 120", name="buffer_minutes_range"),
        CheckConstraint(
            "minimum_notice_hours BETWEEN 0 AND 720", name="minimum_notice_hours_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    monthly_hour_limit: Mapped[int]
    minimum_notice_hours: Mapped[int] = mapped_column(default=48)
    buffer_minutes: Mapped[int] = mapped_column(default=15)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    languages: Mapped[list["MentorLanguage"]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="MentorLanguage.language"
    )
    expertise: Mapped[list["MentorExpertise"]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="MentorExpertise.tag"
    )

    @property
    def language_codes(self) -> set[str]:
        return {entry.language.value for entry in self.languages}

    @property
    def tags(self) -> set[str]:
        return {entry.tag for entry in self.expertise}


class MentorLanguage(db.Model):
    __tablename__ = "mentor_languages"

    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[Language] = mapped_column(
        enum_type(Language, "mentor_language", 2), primary_key=True
    )


class MentorExpertise(db.Model):
    """A tag of accounts.enums.EXPERTISE_TAGS: a topic, an ATMP class or a therapeutic area."""

    __tablename__ = "mentor_expertise"

    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)


class AvailabilityRule(db.Model):
    """Every week on one weekday, from one Madrid time to another."""

    __tablename__ = "availability_rules"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_profiles.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]
    starts_at: Mapped[time]
    ends_at: Mapped[time]


class AvailabilityException(db.Model):
    """Madrid dates (first and last included) on which the weekly rules do not apply."""

    __tablename__ = "availability_exceptions"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="first_day_not_after_last"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_profiles.id", ondelete="CASCADE"), index=True
    )
    first_day: Mapped[date]
    last_day: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")


class OneOffSlot(db.Model):
    """Extra time a mentor offers once, outside the weekly rules."""

    __tablename__ = "one_off_slots"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="starts_before_ends"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_profiles.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MentoringSession(db.Model):
    """A project's request for an hour of a mentor's time, and what became of it.

    On PostgreSQL an exclusion constraint makes two pending-or-confirmed sessions of one mentor
    that overlap impossible, even when two requests commit at the same instant; SQLite has one
    writer, and the booking service checks for overlap after taking the write lock.
    """

    __tablename__ = "mentoring_sessions"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        ExcludeConstraint(
            (column("mentor_id"), "="),
            (func.tstzrange(column("starts_at"), column("ends_at")), "&&"),
            name="ex_mentoring_sessions_no_overlap",
            using="gist",
            where="status IN ('pending', 'confirmed')",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_profiles.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    agenda: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SessionStatus] = mapped_column(
        enum_type(SessionStatus, "mentoring_session_status", 16), default=SessionStatus.PENDING
    )
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    mentor: Mapped[MentorProfile] = relationship(lazy="raise")
    project: Mapped[Project] = relationship(lazy="raise")

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)
