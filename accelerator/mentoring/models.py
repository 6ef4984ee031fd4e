"""Mentors: their profile and when they are available.

Weekly rules and exceptions are Madrid wall-clock times and dates (a mentor's "Tuesdays
10:00–13:00" stays 10:00 across the daylight-saving changes); one-off slots are instants in UTC.
"""

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.types import UTCDateTime, enum_type
from accelerator.extensions import db
from accelerator.mentoring.enums import Language, SessionStatus, Side


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
        CheckConstraint(
            "(proposed_starts_at IS NULL) = (proposed_ends_at IS NULL)"
            " AND (proposed_starts_at IS NULL) = (proposed_by_side IS NULL)",
            name="proposal_complete",
        ),
        CheckConstraint(
            "proposed_starts_at IS NULL OR proposed_starts_at < proposed_ends_at",
            name="proposal_starts_before_ends",
        ),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_has_time"
        ),
        CheckConstraint(
            "NOT charged OR status IN ('cancelled', 'held', 'no_show')",
            name="charged_only_when_over",
        ),
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
    # The Madrid calendar year of the start: the budget the session counts against.
    programme_year: Mapped[int]
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    agenda: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SessionStatus] = mapped_column(
        enum_type(SessionStatus, "mentoring_session_status", 16), default=SessionStatus.PENDING
    )
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Raised on every change the calendar invitation must carry (time moved, cancelled).
    sequence: Mapped[int] = mapped_column(default=0)

    # Another time one side suggests; the session keeps its own time until the other accepts.
    proposed_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    proposed_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    proposed_by_side: Mapped[Side | None] = mapped_column(enum_type(Side, "mentoring_side", 16))

    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_by_side: Mapped[Side | None] = mapped_column(
        enum_type(Side, "mentoring_cancelled_by_side", 16)
    )
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")
    # Whether the session's minutes count as used against the project's budget.
    charged: Mapped[bool] = mapped_column(default=False)

    notes: Mapped[str] = mapped_column(Text, default="")
    action_items: Mapped[str] = mapped_column(Text, default="")
    notes_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    mentor: Mapped[MentorProfile] = relationship(lazy="raise")
    project: Mapped[Project] = relationship(lazy="raise")
    requested_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[requested_by_id])
    cancelled_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[cancelled_by_id])
    feedback: Mapped["SessionFeedback | None"] = relationship(
        lazy="raise", back_populates="session", uselist=False
    )

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def action_item_list(self) -> list[str]:
        return [line.strip() for line in self.action_items.splitlines() if line.strip()]


class SessionFeedback(db.Model):
    """The project's rating of a held session: managers read it, the mentor only averages."""

    __tablename__ = "mentoring_session_feedback"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_sessions.id", ondelete="CASCADE"), unique=True
    )
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    session: Mapped[MentoringSession] = relationship(lazy="raise", back_populates="feedback")


class MentoringBudget(db.Model):
    """A manager's setting of one project's mentoring minutes for one programme year.

    Without a row the project has DEFAULT_BUDGET_MINUTES.
    """

    __tablename__ = "mentoring_budgets"
    __table_args__ = (
        UniqueConstraint("project_id", "programme_year"),
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    programme_year: Mapped[int]
    minutes: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CalendarFeed(db.Model):
    """The secret address of a mentor's, a project's or a lab resource's calendar, issued to
    the person who created or last reset it. Only the token's sha256 is kept; resetting
    replaces it. A project's feed holds its mentoring sessions and lab bookings."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN mentor_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN project_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN resource_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
        # A sha256 in hex: never the token itself (43 characters).
        CheckConstraint("length(token_hash) = 64", name="token_hash_is_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Whoever created or last reset the address; it answers while they may use the feed.
    issued_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentor_profiles.id", ondelete="CASCADE"), unique=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), unique=True
    )
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("lab_resources.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def is_issued(self) -> bool:
        """Whether someone holds an address that answers (none after a revocation)."""
        return self.issued_to_id is not None
