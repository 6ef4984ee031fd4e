"""The managers' mentoring report of one programme year: hours per project, mentor and topic,
and the sessions whose feedback is overdue.

It runs the same few queries whatever the number of sessions (the projects, the year's sessions
with their rating, budgets and usage from `budget.usage_by_project`, the mentors' names and
their topic tags) and counts everything else in Python from those rows.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from accelerator.accounts.models import User
from accelerator.applications.models import Application
from accelerator.cohorts.enums import ProjectStatus
from accelerator.cohorts.models import Project
from accelerator.core.durations import hours
from accelerator.extensions import db
from accelerator.mentoring.budget import Usage, usage_by_project
from accelerator.mentoring.enums import HOLDING_STATUSES, TOPIC_TAGS, SessionStatus
from accelerator.mentoring.models import (
    MentorExpertise,
    MentoringSession,
    MentorProfile,
    SessionFeedback,
)

# A session that took place this long ago without the project's rating is chased.
FEEDBACK_DUE_AFTER = timedelta(days=3)


@dataclass(frozen=True)
class Ratings:
    count: int = 0
    total: int = 0

    @property
    def average(self) -> Decimal | None:
        if not self.count:
            return None
        return (Decimal(self.total) / self.count).quantize(Decimal("0.1"))

    def plus(self, rating: int | None) -> "Ratings":
        if rating is None:
            return self
        return Ratings(count=self.count + 1, total=self.total + rating)


@dataclass(frozen=True)
class ProjectLine:
    """A project's budget and sessions in the year.

    Held, cancelled and no-show count sessions by status; upcoming are pending or confirmed
    sessions that have not started; awaiting outcome are confirmed sessions that have started
    and that the mentor has not yet marked held or no-show. Declined requests, and pending
    requests whose time passed unanswered, are in none of these.
    """

    project: Project
    usage: Usage
    held: int = 0
    upcoming: int = 0
    awaiting_outcome: int = 0
    cancelled: int = 0
    no_show: int = 0
    ratings: Ratings = Ratings()


@dataclass(frozen=True)
class MentorLine:
    mentor_id: int
    name: str
    held: int = 0
    held_minutes: int = 0
    ratings: Ratings = Ratings()

    @property
    def held_hours(self) -> Decimal:
        return hours(self.held_minutes)


@dataclass(frozen=True)
class TopicLine:
    tag: str | None  # None: held by mentors whose profile names no topic
    held_minutes: int

    @property
    def label(self) -> str:
        return str(TOPIC_TAGS[self.tag]) if self.tag else _("No topic on the mentor's profile")

    @property
    def held_hours(self) -> Decimal:
        return hours(self.held_minutes)


@dataclass(frozen=True)
class OverdueFeedback:
    session_id: int
    project: Project
    mentor_name: str
    starts_at: datetime


@dataclass(frozen=True)
class MentoringReport:
    year: int
    projects: list[ProjectLine]
    mentors: list[MentorLine]
    topics: list[TopicLine]
    overdue_feedback: list[OverdueFeedback]

    @property
    def total_usage(self) -> Usage:
        return Usage(
            budget_minutes=sum(line.usage.budget_minutes for line in self.projects),
            used_minutes=sum(line.usage.used_minutes for line in self.projects),
            reserved_minutes=sum(line.usage.reserved_minutes for line in self.projects),
        )


def mentoring_report(year: int, *, now: datetime) -> MentoringReport:
    """Active projects and every project with a session in the year, the year's mentors, the
    hours held per topic, and sessions that took place (held, or confirmed and over) more than
    FEEDBACK_DUE_AFTER ago without the project's rating.

    A held session counts, in full, for each topic of its mentor's profile that the project's
    application asked for; when the project asked for none of them, for each topic of the
    mentor's profile. So the topics' hours may add up to more than the hours held.
    """
    # Sessions first: a session booked meanwhile then has its project and mentor in what follows.
    sessions = db.session.execute(_sessions_of_year(year)).all()
    projects = {}
    asked_topics = {}
    for project, topics in db.session.execute(_projects_of_year(year)):
        projects[project.id] = project
        asked_topics[project.id] = frozenset(topics or ())
    usage = usage_by_project(list(projects), year)
    names = dict(db.session.execute(_mentor_names_of_year(year)).all())
    mentor_topics: dict[int, set[str]] = defaultdict(set)
    for mentor_id, tag in db.session.execute(_mentor_topics_of_year(year)):
        mentor_topics[mentor_id].add(tag)

    project_counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    project_ratings: dict[int, Ratings] = defaultdict(Ratings)
    mentor_counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    mentor_ratings: dict[int, Ratings] = defaultdict(Ratings)
    topic_minutes: dict[str | None, int] = defaultdict(int)
    overdue = []
    for row in sessions:
        minutes = int((row.ends_at - row.starts_at).total_seconds() // 60)
        column = _column_of(row, now=now)
        if column is not None:
            project_counts[row.project_id][column] += 1
        project_ratings[row.project_id] = project_ratings[row.project_id].plus(row.rating)
        mentor_ratings[row.mentor_id] = mentor_ratings[row.mentor_id].plus(row.rating)
        if row.status == SessionStatus.HELD:
            mentor_counts[row.mentor_id]["held"] += 1
            mentor_counts[row.mentor_id]["held_minutes"] += minutes
            known = mentor_topics[row.mentor_id]
            for tag in (known & asked_topics[row.project_id]) or known or {None}:
                topic_minutes[tag] += minutes
        if (
            row.rating is None
            and _took_place(row, now=now)
            and row.ends_at <= now - FEEDBACK_DUE_AFTER
        ):
            overdue.append(
                OverdueFeedback(
                    session_id=row.id,
                    project=projects[row.project_id],
                    mentor_name=names[row.mentor_id],
                    starts_at=row.starts_at,
                )
            )

    return MentoringReport(
        year=year,
        projects=[
            ProjectLine(
                project=project,
                usage=usage[project.id],
                ratings=project_ratings[project.id],
                **project_counts[project.id],
            )
            for project in projects.values()
        ],
        mentors=sorted(
            (
                MentorLine(
                    mentor_id=mentor_id,
                    name=names[mentor_id],
                    held=mentor_counts[mentor_id]["held"],
                    held_minutes=mentor_counts[mentor_id]["held_minutes"],
                    ratings=mentor_ratings[mentor_id],
                )
                for mentor_id in names
            ),
            key=lambda line: (line.name.casefold(), line.mentor_id),
        ),
        topics=[TopicLine(tag=tag, held_minutes=topic_minutes[tag]) for tag in TOPIC_TAGS]
        + (
            [TopicLine(tag=None, held_minutes=topic_minutes[None])] if None in topic_minutes else []
        ),
        overdue_feedback=overdue,
    )


def _column_of(row, *, now: datetime) -> str | None:
    """The ProjectLine count a session adds to, if any."""
    if row.status in HOLDING_STATUSES and row.starts_at > now:
        return "upcoming"
    if row.status == SessionStatus.CONFIRMED:
        return "awaiting_outcome"
    return {
        SessionStatus.HELD: "held",
        SessionStatus.CANCELLED: "cancelled",
        SessionStatus.NO_SHOW: "no_show",
    }.get(row.status)


def _took_place(row, *, now: datetime) -> bool:
    """As followup.is_over: held, or confirmed and past its end."""
    return row.status == SessionStatus.HELD or (
        row.status == SessionStatus.CONFIRMED and now >= row.ends_at
    )


def _session_projects(year: int) -> Select:
    return select(MentoringSession.project_id).where(MentoringSession.programme_year == year)


def _session_mentors(year: int) -> Select:
    return select(MentoringSession.mentor_id).where(MentoringSession.programme_year == year)


def _projects_of_year(year: int) -> Select:
    """Active projects and those with a session in the year, with the topics they asked for."""
    return (
        select(Project, Application.mentoring_topics)
        .join(Application, Application.id == Project.application_id)
        .where(or_(Project.status == ProjectStatus.ACTIVE, Project.id.in_(_session_projects(year))))
        .order_by(Project.cohort_year, Project.title, Project.id)
    )


def _sessions_of_year(year: int) -> Select:
    return (
        select(
            MentoringSession.id,
            MentoringSession.project_id,
            MentoringSession.mentor_id,
            MentoringSession.status,
            MentoringSession.starts_at,
            MentoringSession.ends_at,
            SessionFeedback.rating,
        )
        .outerjoin(SessionFeedback, SessionFeedback.session_id == MentoringSession.id)
        .where(MentoringSession.programme_year == year)
        .order_by(MentoringSession.starts_at, MentoringSession.id)
    )


def _mentor_names_of_year(year: int) -> Select:
    return (
        select(MentorProfile.id, User.name)
        .join(User, User.id == MentorProfile.user_id)
        .where(MentorProfile.id.in_(_session_mentors(year)))
    )


def _mentor_topics_of_year(year: int) -> Select:
    return select(MentorExpertise.mentor_id, MentorExpertise.tag).where(
        MentorExpertise.mentor_id.in_(_session_mentors(year)),
        MentorExpertise.tag.in_(list(TOPIC_TAGS)),
    )


# --- exports -----------------------------------------------------------------------------


def projects_table(report: MentoringReport) -> tuple[list[str], list[list]]:
    """The per-project table as the report shows it; hours are Decimals, blanks are ""."""
    header = [
        _("Year"),
        _("Project"),
        _("Acronym"),
        _("Organisation"),
        _("Cohort"),
        _("Status"),
        _("Budget (h)"),
        _("Used (h)"),
        _("Reserved (h)"),
        _("Left (h)"),
        _("Held"),
        _("Upcoming"),
        _("Awaiting outcome"),
        _("Cancelled"),
        _("No-show"),
        _("Average rating"),
        _("Ratings"),
    ]
    body = [
        [
            report.year,
            line.project.title,
            line.project.acronym,
            line.project.organisation.legal_name,
            line.project.cohort_year,
            str(line.project.status.label),
            _plain(line.usage.budget_hours),
            _plain(line.usage.used_hours),
            _plain(line.usage.reserved_hours),
            _plain(line.usage.left_hours),
            line.held,
            line.upcoming,
            line.awaiting_outcome,
            line.cancelled,
            line.no_show,
            _plain(line.ratings.average),
            line.ratings.count,
        ]
        for line in report.projects
    ]
    return header, body


def mentors_table(report: MentoringReport) -> tuple[list[str], list[list]]:
    header = [
        _("Year"),
        _("Mentor"),
        _("Sessions held"),
        _("Hours held"),
        _("Average rating"),
        _("Ratings"),
    ]
    body = [
        [
            report.year,
            line.name,
            line.held,
            _plain(line.held_hours),
            _plain(line.ratings.average),
            line.ratings.count,
        ]
        for line in report.mentors
    ]
    return header, body


def _plain(value: Decimal | None) -> Decimal | str:
    """A Decimal without an exponent (20, not 2E+1), so CSV readers see a plain number."""
    if value is None:
        return ""
    return Decimal(format(value, "f"))
