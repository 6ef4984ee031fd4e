"""Calendar feeds: the secret address at which a mentor subscribes to their sessions, a
project to its sessions and lab bookings, and a lab's staff to a resource's bookings.

Calendar apps cannot sign in, so the address is the credential: a long random token. Resetting
the feed replaces the token, and the old address stops answering at once. Feeds of every kind
share this module's address and reset; accelerator.labs.feeds gives the lab bookings.
"""

import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core import calendar
from accelerator.core.audit import record_audit
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import calendar as lab_calendar
from accelerator.labs import feeds as lab_feeds
from accelerator.labs.models import Resource
from accelerator.mentoring import calendar as mentoring_calendar
from accelerator.mentoring import policies
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.models import CalendarFeed, MentoringSession, MentorProfile

# Held sessions stay in the feed this long, so last weeks' meetings do not vanish at once.
HELD_SHOWN_FOR = timedelta(days=90)


def feed_of_mentor(profile: MentorProfile, *, now: datetime) -> CalendarFeed:
    """The mentor's feed, created (and committed) the first time it is asked for."""
    return feed_of_owner(now=now, mentor_id=profile.id)


def feed_of_project(project: Project, *, by: User, now: datetime) -> CalendarFeed:
    """The project's feed, created (and committed) the first time it is asked for."""
    require(policies.can_use_project_feed(by, project))
    return feed_of_owner(now=now, project_id=project.id)


def feed_by_token(token: str) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))


def reset_feed(feed: CalendarFeed, *, by: User, now: datetime) -> CalendarFeed:
    """Gives the feed a new token: whoever holds the old address (a forwarded or leaked link)
    reads nothing more, and the owner subscribes again with the new one."""
    require(_may_use(by, feed))
    feed.token = _new_token()
    record_audit(
        "calendar_feed.reset",
        by=by,
        object_type="calendar_feed",
        object_id=feed.id,
        now=now,
        details={
            "mentor_id": feed.mentor_id,
            "project_id": feed.project_id,
            "resource_id": feed.resource_id,
        },
    )
    db.session.commit()
    return feed


def sessions_for_feed(feed: CalendarFeed, *, now: datetime) -> list[MentoringSession]:
    """Confirmed sessions, and those held in the last 90 days, with what an event shows (the
    mentor's user, the project) loaded in the same query."""
    if feed.mentor_id is not None:
        owned = MentoringSession.mentor_id == feed.mentor_id
    else:
        owned = MentoringSession.project_id == feed.project_id
    shown = or_(
        MentoringSession.status == SessionStatus.CONFIRMED,
        and_(
            MentoringSession.status == SessionStatus.HELD,
            MentoringSession.ends_at >= now - HELD_SHOWN_FOR,
        ),
    )
    query = (
        select(MentoringSession)
        .where(owned, shown)
        .options(
            # Only the columns an event shows: the profile's and project's own eager
            # relationships (languages, roles, call, organisation) would each cost a query.
            joinedload(MentoringSession.mentor).options(
                lazyload("*"), joinedload(MentorProfile.user).lazyload("*")
            ),
            joinedload(MentoringSession.project).lazyload("*"),
        )
        .order_by(MentoringSession.starts_at, MentoringSession.id)
    )
    return list(db.session.scalars(query))


def calendar_of_feed(feed: CalendarFeed, *, now: datetime) -> bytes:
    """The .ics a calendar app reads at the feed's address: a mentor's sessions, a resource's
    lab bookings, or a project's sessions and lab bookings together."""
    # Named first, by a query of its own: the session does not keep what the events loaded.
    name = _feed_name(feed)
    if feed.mentor_id is not None:
        appointments = _session_appointments(feed, now=now)
    elif feed.resource_id is not None:
        appointments = _booking_appointments(feed, now=now)
    else:
        appointments = sorted(
            _session_appointments(feed, now=now) + _booking_appointments(feed, now=now),
            key=lambda appointment: appointment.starts_at,
        )
    return calendar.feed(appointments, name=name, now=now)


def feed_of_owner(*, now: datetime, **owner: int) -> CalendarFeed:
    """The feed of one owner (mentor_id, project_id or resource_id), created (and committed) the
    first time it is asked for. The caller checks who asks."""
    query = select(CalendarFeed).filter_by(**owner)
    feed = db.session.scalar(query)
    if feed is not None:
        return feed
    feed = CalendarFeed(token=_new_token(), created_at=now, **owner)
    db.session.add(feed)
    try:
        db.session.commit()
    except IntegrityError:  # another request created it at the same instant: use that one
        db.session.rollback()
        return db.session.scalars(query).one()
    return feed


def _session_appointments(feed: CalendarFeed, *, now: datetime) -> list[calendar.Appointment]:
    return [mentoring_calendar.appointment(s) for s in sessions_for_feed(feed, now=now)]


def _booking_appointments(feed: CalendarFeed, *, now: datetime) -> list[calendar.Appointment]:
    bookings = lab_feeds.bookings_for_feed(feed, now=now)
    return [lab_calendar.appointment(booking) for booking in bookings]


def _feed_name(feed: CalendarFeed) -> str:
    if feed.mentor_id is not None:
        return _("ATMP Catalyst: your mentoring sessions")
    if feed.resource_id is not None:
        return lab_feeds.resource_feed_name(feed.resource_id)
    project = db.session.get(Project, feed.project_id)
    return _(
        "ATMP Catalyst: mentoring and lab bookings of %(project)s",
        project=project.acronym or project.title,
    )


def _may_use(user: User, feed: CalendarFeed) -> bool:
    if feed.mentor_id is not None:
        return policies.can_use_mentor_feed(user, db.session.get(MentorProfile, feed.mentor_id))
    if feed.resource_id is not None:
        return lab_feeds.can_use_resource_feed(user, db.session.get(Resource, feed.resource_id))
    return policies.can_use_project_feed(user, db.session.get(Project, feed.project_id))


def revoke_resource_feeds(resource_ids: list[int]) -> None:
    """Gives the resources' feeds new tokens (flushed, not committed): whoever left the lab's
    staff keeps no address that still reads its bookings."""
    if not resource_ids:
        return
    for feed in db.session.scalars(
        select(CalendarFeed).where(CalendarFeed.resource_id.in_(resource_ids))
    ):
        feed.token = _new_token()
    db.session.flush()


def _new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits, 43 characters
