"""Which mentors suit a project, and which may never mentor it.

A project's needs are the mentoring topics its application asked for, the topics its stage of
development calls for, its ATMP class and its therapeutic area. Mentors are ranked by how many
of those they know, then by the hours they have free this month. A mentor with a conflict of
interest (same organisation, same registrable email domain, or a conflict declared with the
organisation or with the project's application) is neither suggested nor bookable:
`require_no_conflict` is what booking calls.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defaultload, raiseload

from accelerator.accounts.enums import EXPERTISE_TAGS
from accelerator.accounts.models import Organisation, User
from accelerator.applications.enums import DevelopmentStage
from accelerator.applications.models import Application
from accelerator.cohorts.models import Project
from accelerator.core.clock import MADRID, as_madrid
from accelerator.core.durations import hours
from accelerator.core.errors import DomainError
from accelerator.extensions import db
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.models import MentoringSession, MentorProfile
from accelerator.mentoring.queries import mentor_directory
from accelerator.reviews.conflicts import email_domain, registrable_domain
from accelerator.reviews.enums import ConflictSource
from accelerator.reviews.models import ConflictDeclaration

# The topics each stage of development usually needs help with.
STAGE_TOPICS = {
    DevelopmentStage.DISCOVERY: ("topic:non_clinical", "topic:ip"),
    DevelopmentStage.PRECLINICAL_POC: ("topic:non_clinical", "topic:regulatory"),
    DevelopmentStage.IND_CTA_ENABLING: ("topic:regulatory", "topic:cmc_gmp"),
    DevelopmentStage.PHASE_1: ("topic:clinical", "topic:cmc_gmp"),
    DevelopmentStage.PHASE_2_OR_LATER: ("topic:clinical", "topic:market_access"),
}

# Minutes a mentor's time is taken by sessions in these states (a cancelled one frees it).
BUSY_STATUSES = (
    SessionStatus.PENDING,
    SessionStatus.CONFIRMED,
    SessionStatus.HELD,
    SessionStatus.NO_SHOW,
)


class MentorConflicted(DomainError):
    pass


class MentorFullyBooked(DomainError):
    pass


@dataclass(frozen=True)
class Needs:
    asked_topics: frozenset[str]
    stage_topics: frozenset[str]
    class_tag: str | None
    area_tag: str | None

    @property
    def tags(self) -> frozenset[str]:
        extra = {tag for tag in (self.class_tag, self.area_tag) if tag}
        return self.asked_topics | self.stage_topics | extra


@dataclass(frozen=True)
class Suggestion:
    mentor: MentorProfile
    matched_tags: tuple[str, ...]
    free_minutes: int

    @property
    def score(self) -> int:
        return len(self.matched_tags)

    @property
    def reason(self) -> str:
        """What the mentor knows of the project's needs and their free hours this month."""
        known = " + ".join(str(EXPERTISE_TAGS[tag]) for tag in self.matched_tags)
        free = _("%(hours)s h free this month", hours=format_decimal(hours(self.free_minutes)))
        return f"{known}, {free}" if known else free


def needs_of(project: Project, application: Application) -> Needs:
    """What the project asked for in its application, and what its stage and product call for."""
    asked = frozenset(application.mentoring_topics or [])
    return Needs(
        asked_topics=asked,
        stage_topics=frozenset(STAGE_TOPICS.get(application.development_stage, ())) - asked,
        class_tag=f"class:{project.atmp_class.value}" if project.atmp_class else None,
        area_tag=f"area:{project.therapeutic_area.value}" if project.therapeutic_area else None,
    )


def suggest_mentors(project: Project, *, now: datetime) -> list[Suggestion]:
    """Needs project.application loaded (see queries.project_with_application)."""
    """Every mentor without a conflict who knows at least one of the project's needs and has
    time free this month, best fit first, then most free hours, then by name."""
    needs = needs_of(project, project.application)
    conflicted = conflicts_with_project(project, mentors_of_ids=None)
    mentors = [
        mentor
        for mentor in db.session.scalars(
            mentor_directory().options(
                raiseload(MentorProfile.languages),
                defaultload(MentorProfile.user).lazyload(User.role_grants),
            )
        ).all()
        if mentor.id not in conflicted
    ]
    free = free_minutes_in_month([mentor.id for mentor in mentors], month_of=now, mentors=mentors)
    suggestions = [
        Suggestion(
            mentor=mentor,
            matched_tags=tuple(sorted(mentor.tags & needs.tags, key=_topics_first)),
            free_minutes=free[mentor.id],
        )
        for mentor in mentors
    ]
    suggestions = [s for s in suggestions if s.score > 0 and s.free_minutes > 0]
    return sorted(suggestions, key=lambda s: (-s.score, -s.free_minutes, s.mentor.user.name))


def _topics_first(tag: str) -> tuple[bool, str]:
    return (not tag.startswith("topic:"), tag)


def conflicts_with_project(
    project: Project, *, mentors_of_ids: list[int] | None
) -> dict[int, set[ConflictSource]]:
    """The mentors (profile ids) in conflict with the project's organisation or its application,
    and why."""
    organisation = db.session.get(Organisation, project.organisation_id)
    domains = {
        domain
        for (email,) in db.session.execute(
            select(User.email).where(User.organisation_id == project.organisation_id)
        )
        if (domain := email_domain(email))
    }
    if registered := registrable_domain(organisation.email_domain):
        domains.add(registered)
    query = (
        select(
            MentorProfile.id,
            MentorProfile.organisation,
            User.organisation_id,
            User.email,
            ConflictDeclaration.id.label("declaration_id"),
        )
        .join(User, User.id == MentorProfile.user_id)
        .outerjoin(
            ConflictDeclaration,
            (ConflictDeclaration.reviewer_id == User.id)
            # A conflict declared on the project's application counts as much as one declared
            # on its organisation.
            & (
                (ConflictDeclaration.organisation_id == project.organisation_id)
                | (ConflictDeclaration.application_id == project.application_id)
            ),
        )
    )
    if mentors_of_ids is not None:
        query = query.where(MentorProfile.id.in_(mentors_of_ids))
    found: dict[int, set[ConflictSource]] = defaultdict(set)
    organisation_name = organisation.legal_name.strip().casefold()
    for row in db.session.execute(query):
        if row.organisation_id == project.organisation_id or (
            row.organisation.strip().casefold() == organisation_name
        ):
            found[row.id].add(ConflictSource.SAME_ORGANISATION)
        if email_domain(row.email) in domains:
            found[row.id].add(ConflictSource.SAME_EMAIL_DOMAIN)
        if row.declaration_id is not None:
            found[row.id].add(ConflictSource.DECLARED)
    return dict(found)


def require_no_conflict(mentor: MentorProfile, project: Project) -> None:
    if conflicts_with_project(project, mentors_of_ids=[mentor.id]):
        raise MentorConflicted(
            _("This mentor has a conflict of interest with your organisation and cannot be booked.")
        )


def free_minutes_in_month(
    mentor_ids: list[int], *, month_of: datetime, mentors: list[MentorProfile]
) -> dict[int, int]:
    """Each mentor's monthly limit minus the minutes their sessions take in that Madrid month."""
    start, end = _madrid_month(month_of)
    taken: dict[int, int] = defaultdict(int)
    if mentor_ids:
        for mentor_id, starts_at, ends_at in db.session.execute(
            select(
                MentoringSession.mentor_id, MentoringSession.starts_at, MentoringSession.ends_at
            ).where(
                MentoringSession.mentor_id.in_(mentor_ids),
                MentoringSession.status.in_(BUSY_STATUSES),
                MentoringSession.starts_at >= start,
                MentoringSession.starts_at < end,
            )
        ):
            taken[mentor_id] += int((ends_at - starts_at).total_seconds() // 60)
    limits = {mentor.id: mentor.monthly_hour_limit * 60 for mentor in mentors}
    return {mentor_id: max(limits[mentor_id] - taken[mentor_id], 0) for mentor_id in mentor_ids}


def require_monthly_capacity(mentor: MentorProfile, *, starts_at: datetime, minutes: int) -> None:
    free = free_minutes_in_month([mentor.id], month_of=starts_at, mentors=[mentor])[mentor.id]
    if minutes > free:
        raise MentorFullyBooked(
            _(
                "The mentor has %(hours)s h left that month: choose a shorter session or"
                " another month.",
                hours=format_decimal(hours(free)),
            )
        )


def _madrid_month(moment: datetime) -> tuple[datetime, datetime]:
    """The first instants of the Madrid month holding `moment` and of the month after."""
    local = as_madrid(moment)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return (
        datetime(local.year, local.month, 1, tzinfo=MADRID),
        datetime(year, month, 1, tzinfo=MADRID),
    )
