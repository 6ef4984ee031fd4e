"""Read queries of the mentoring area: each returns a Select."""

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, joinedload, raiseload, selectinload

from accelerator.accounts.enums import Role
from accelerator.accounts.models import RoleGrant, User
from accelerator.cohorts.models import Project
from accelerator.mentoring.enums import HOLDING_STATUSES, Language
from accelerator.mentoring.models import (
    AvailabilityException,
    AvailabilityRule,
    MentorExpertise,
    MentoringSession,
    MentorLanguage,
    MentorProfile,
    OneOffSlot,
)


def profile_of_user(user_id: int) -> Select:
    return select(MentorProfile).where(MentorProfile.user_id == user_id)


def own_profile(user_id: int) -> Select:
    """The signed-in mentor's profile for pages that show none of its lists."""
    return profile_of_user(user_id).options(
        raiseload(MentorProfile.languages),
        raiseload(MentorProfile.expertise),
        joinedload(MentorProfile.user).lazyload(User.role_grants),
    )


def rules_of(profile: MentorProfile) -> Select:
    return (
        select(AvailabilityRule)
        .where(AvailabilityRule.mentor_id == profile.id)
        .order_by(AvailabilityRule.weekday, AvailabilityRule.starts_at, AvailabilityRule.id)
    )


def exceptions_of(profile: MentorProfile) -> Select:
    return (
        select(AvailabilityException)
        .where(AvailabilityException.mentor_id == profile.id)
        .order_by(AvailabilityException.first_day, AvailabilityException.id)
    )


def one_off_slots_of(profile: MentorProfile) -> Select:
    return (
        select(OneOffSlot)
        .where(OneOffSlot.mentor_id == profile.id)
        .order_by(OneOffSlot.starts_at, OneOffSlot.id)
    )


def mentor_directory(
    *,
    tag: str | None = None,
    language: Language | None = None,
    atmp_class_tag: str | None = None,
) -> Select:
    """Active users holding the mentor role who have a profile, by name, narrowed by filters."""
    is_mentor = (
        select(RoleGrant.id)
        .where(RoleGrant.user_id == User.id, RoleGrant.role == Role.MENTOR)
        .exists()
    )
    query = (
        select(MentorProfile)
        .join(MentorProfile.user)
        .options(contains_eager(MentorProfile.user))
        .where(User.active.is_(True), is_mentor)
        .order_by(User.name, MentorProfile.id)
    )
    for wanted in (tag, atmp_class_tag):
        if wanted:
            query = query.where(
                select(MentorExpertise.tag)
                .where(MentorExpertise.mentor_id == MentorProfile.id, MentorExpertise.tag == wanted)
                .exists()
            )
    if language:
        query = query.where(
            select(MentorLanguage.language)
            .where(
                MentorLanguage.mentor_id == MentorProfile.id, MentorLanguage.language == language
            )
            .exists()
        )
    return query


def sessions_holding_time(mentor_id: int, *, after: datetime, before: datetime) -> Select:
    """The mentor's pending and confirmed sessions that touch the interval from after to before."""
    return (
        select(MentoringSession)
        .where(
            MentoringSession.mentor_id == mentor_id,
            MentoringSession.status.in_(HOLDING_STATUSES),
            MentoringSession.ends_at >= after,
            MentoringSession.starts_at <= before,
        )
        .order_by(MentoringSession.starts_at, MentoringSession.id)
    )


def _with_parties(query: Select) -> Select:
    """Each session with its mentor's name and its project, in the same query; lists show
    nothing else of them (their languages and expertise are not loaded, their roles only if
    asked for: the mentor may be the signed-in user)."""
    mentor = joinedload(MentoringSession.mentor)
    return query.options(
        mentor.raiseload(MentorProfile.languages),
        mentor.raiseload(MentorProfile.expertise),
        mentor.joinedload(MentorProfile.user).lazyload(User.role_grants),
        joinedload(MentoringSession.project),
    )


def session_with_parties(session_id: int) -> Select:
    """One session for its page: its mentor, project and rating."""
    return _with_parties(select(MentoringSession).where(MentoringSession.id == session_id)).options(
        selectinload(MentoringSession.feedback)
    )


def sessions_of_project(project_id: int) -> Select:
    """The project's sessions, latest first, with their mentor and rating."""
    return _with_parties(
        select(MentoringSession)
        .where(MentoringSession.project_id == project_id)
        .order_by(MentoringSession.starts_at.desc(), MentoringSession.id)
    )


def sessions_of_mentor(mentor_id: int) -> Select:
    """The mentor's sessions, latest first, with their project."""
    return _with_parties(
        select(MentoringSession)
        .where(MentoringSession.mentor_id == mentor_id)
        .order_by(MentoringSession.starts_at.desc(), MentoringSession.id)
    )


def project_with_application(project_id: int) -> Select:
    """A project with the application it came from (its mentoring needs), in one query."""
    return select(Project).where(Project.id == project_id).options(joinedload(Project.application))
