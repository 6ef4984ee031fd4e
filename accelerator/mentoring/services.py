"""Mentors keep their profile and availability: the rules, the audit entry, one commit."""

from datetime import date, datetime, time

from flask_babel import gettext as _

from accelerator.accounts.enums import EXPERTISE_TAGS
from accelerator.accounts.models import User
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.mentoring import policies
from accelerator.mentoring.enums import Language
from accelerator.mentoring.models import (
    AvailabilityException,
    AvailabilityRule,
    MentorExpertise,
    MentorLanguage,
    MentorProfile,
)
from accelerator.mentoring.queries import profile_of_user


class HourLimitNotPositive(DomainError):
    pass


class UnknownExpertise(DomainError):
    pass


class WeekdayOutOfRange(DomainError):
    pass


class EndNotAfterStart(DomainError):
    pass


class LastDayBeforeFirst(DomainError):
    pass


def mentor_profile_of(user: User) -> MentorProfile | None:
    return db.session.scalar(profile_of_user(user.id))


def save_mentor_profile(
    user: User,
    *,
    bio: str,
    organisation: str,
    languages: list[str],
    tags: list[str],
    monthly_hour_limit: int,
    minimum_notice_hours: int,
    buffer_minutes: int,
    by: User,
    now: datetime,
) -> MentorProfile:
    """Creates or updates the mentor's own profile; the monthly hour limit is at least 1 h,
    since a mentor with no hours could never be booked."""
    profile = mentor_profile_of(user)
    require(policies.can_edit_mentor_profile(by, profile) and by.id == user.id)
    if monthly_hour_limit is None or monthly_hour_limit <= 0:
        raise HourLimitNotPositive(_("The monthly limit is at least 1 hour."))
    unknown = set(tags) - set(EXPERTISE_TAGS)
    if unknown:
        raise UnknownExpertise(_("Choose expertise from the list."))
    created = profile is None
    if created:
        profile = MentorProfile(user_id=user.id)
        db.session.add(profile)
    profile.bio = bio.strip()
    profile.organisation = organisation.strip()
    profile.monthly_hour_limit = monthly_hour_limit
    profile.minimum_notice_hours = minimum_notice_hours
    profile.buffer_minutes = buffer_minutes
    profile.updated_at = now
    profile.languages = [MentorLanguage(language=Language(code)) for code in sorted(set(languages))]
    profile.expertise = [MentorExpertise(tag=tag) for tag in sorted(set(tags))]
    db.session.flush()
    record_audit(
        "mentor_profile.created" if created else "mentor_profile.updated",
        by=by,
        object_type="mentor_profile",
        object_id=profile.id,
        now=now,
    )
    db.session.commit()
    return profile


def add_availability_rule(
    profile: MentorProfile, *, weekday: int, starts_at: time, ends_at: time, by: User, now: datetime
) -> AvailabilityRule:
    """A weekly window in Madrid time; it must end after it starts (no window past midnight)."""
    require(policies.can_edit_mentor_profile(by, profile))
    if not 0 <= weekday <= 6:
        raise WeekdayOutOfRange(_("Choose a day of the week."))
    if ends_at <= starts_at:
        raise EndNotAfterStart(_("The end must be after the start."))
    rule = AvailabilityRule(
        mentor_id=profile.id, weekday=weekday, starts_at=starts_at, ends_at=ends_at
    )
    db.session.add(rule)
    db.session.flush()
    record_audit(
        "availability_rule.added",
        by=by,
        object_type="mentor_profile",
        object_id=profile.id,
        now=now,
        details={"weekday": weekday, "from": starts_at.isoformat(), "to": ends_at.isoformat()},
    )
    db.session.commit()
    return rule


def remove_availability_rule(rule: AvailabilityRule, *, by: User, now: datetime) -> None:
    profile = db.session.get(MentorProfile, rule.mentor_id)
    require(policies.can_edit_mentor_profile(by, profile))
    db.session.delete(rule)
    record_audit(
        "availability_rule.removed",
        by=by,
        object_type="mentor_profile",
        object_id=profile.id,
        now=now,
        details={"weekday": rule.weekday},
    )
    db.session.commit()


def add_availability_exception(
    profile: MentorProfile,
    *,
    first_day: date,
    last_day: date,
    note: str = "",
    by: User,
    now: datetime,
) -> AvailabilityException:
    """Madrid dates, both included, on which the mentor is away."""
    require(policies.can_edit_mentor_profile(by, profile))
    if last_day < first_day:
        raise LastDayBeforeFirst(_("The last day cannot be before the first."))
    exception = AvailabilityException(
        mentor_id=profile.id, first_day=first_day, last_day=last_day, note=note.strip()
    )
    db.session.add(exception)
    db.session.flush()
    record_audit(
        "availability_exception.added",
        by=by,
        object_type="mentor_profile",
        object_id=profile.id,
        now=now,
        details={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
    )
    db.session.commit()
    return exception


def remove_availability_exception(
    exception: AvailabilityException, *, by: User, now: datetime
) -> None:
    profile = db.session.get(MentorProfile, exception.mentor_id)
    require(policies.can_edit_mentor_profile(by, profile))
    db.session.delete(exception)
    record_audit(
        "availability_exception.removed",
        by=by,
        object_type="mentor_profile",
        object_id=profile.id,
        now=now,
    )
    db.session.commit()
