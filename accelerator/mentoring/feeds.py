"""Calendar feeds: the secret address at which a mentor subscribes to their sessions, a
project to its sessions and lab bookings, and a lab's staff to a resource's bookings.

Calendar apps cannot sign in, so the address is the credential: a long random token, of which
only a hash (sha256) is stored, so that a copy of the database opens no calendar. The address
is shown once, when someone creates or resets it (an explicit POST); it is issued to them, and
it answers only while they are active and still may use the feed. Feeds of every kind share
this module's address, issue and revocation; accelerator.labs.feeds gives the lab bookings.
"""

import hashlib
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
from accelerator.core.errors import DomainError
from accelerator.core.mail import queue_email
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

FeedOwner = MentorProfile | Project | Resource


class FeedJustIssued(DomainError):
    pass


def feed_of_mentor(profile: MentorProfile) -> CalendarFeed | None:
    """The mentor's feed, if they created one (reading never creates it)."""
    return db.session.scalar(select(CalendarFeed).filter_by(mentor_id=profile.id))


def feed_of_project(project: Project, *, by: User) -> CalendarFeed | None:
    """The project's feed, if one was created (reading never creates it)."""
    require(policies.can_use_project_feed(by, project))
    return db.session.scalar(select(CalendarFeed).filter_by(project_id=project.id))


def answering_feed(token: str) -> CalendarFeed | None:
    """The feed at this address while it answers: the person it was issued to is active and
    may still use it (a mentor's profile and role, a project's membership, a lab's staff);
    None otherwise, as for an address that never existed."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_of(token)))
    if feed is None or feed.issued_to_id is None:
        return None
    issuer = db.session.get(User, feed.issued_to_id)
    if issuer is None or not issuer.active or not may_use(issuer, owner_of(feed)):
        return None
    return feed


def issue_feed(owner: FeedOwner, *, by: User, now: datetime) -> str:
    """Gives the owner's calendar a new secret address, issued to `by`, and returns it: the one
    time it is shown. An address given before stops answering at once, and the feed's other
    users (a project's other members, a resource's other lab staff) are told by email."""
    require(may_use(by, owner))
    token = secrets.token_urlsafe(32)  # 256 random bits, 43 characters
    key = _key_of(owner)
    feed = db.session.scalar(select(CalendarFeed).filter_by(**key))
    replaced = feed is not None and feed.issued_to_id is not None
    if feed is None:
        feed = CalendarFeed(created_at=now, **key)
        db.session.add(feed)
    feed.token_hash = hash_of(token)
    feed.issued_to_id = by.id
    try:
        db.session.flush()  # the unique owner speaks when two people create it at once
    except IntegrityError as error:
        db.session.rollback()
        raise FeedJustIssued(
            _("Someone created this calendar's address a moment ago. Reset it to get yours.")
        ) from error
    record_audit(
        "calendar_feed.reset" if replaced else "calendar_feed.created",
        by=by,
        object_type="calendar_feed",
        object_id=feed.id,
        now=now,
        details=key,
    )
    if replaced:
        _tell_other_users(owner, by=by, now=now)
    db.session.commit()
    return token


def revoke_resource_feeds(resource_ids: list[int]) -> None:
    """The resources' addresses stop answering (flushed, not committed): whoever left the lab's
    staff keeps no address that still reads its bookings. The staff create new ones."""
    if not resource_ids:
        return
    for feed in db.session.scalars(
        select(CalendarFeed).where(CalendarFeed.resource_id.in_(resource_ids))
    ):
        feed.token_hash = hash_of(secrets.token_urlsafe(32))  # an address nobody holds
        feed.issued_to_id = None
    db.session.flush()


def hash_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def owner_of(feed: CalendarFeed) -> FeedOwner:
    """The mentor's profile, the project or the resource whose calendar the feed is."""
    # Only the row: the policies read its own columns (user, lab, organisation).
    if feed.mentor_id is not None:
        return db.session.get(MentorProfile, feed.mentor_id, options=[lazyload("*")])
    if feed.resource_id is not None:
        return db.session.get(Resource, feed.resource_id, options=[lazyload("*")])
    return db.session.get(Project, feed.project_id, options=[lazyload("*")])


def may_use(user: User, owner: FeedOwner) -> bool:
    """Who sees, creates and resets the address: the policy of each kind of feed."""
    if isinstance(owner, MentorProfile):
        return policies.can_use_mentor_feed(user, owner)
    if isinstance(owner, Resource):
        return lab_feeds.can_use_resource_feed(user, owner)
    return policies.can_use_project_feed(user, owner)


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


def _key_of(owner: FeedOwner) -> dict[str, int]:
    if isinstance(owner, MentorProfile):
        return {"mentor_id": owner.id}
    if isinstance(owner, Resource):
        return {"resource_id": owner.id}
    return {"project_id": owner.id}


def _tell_other_users(owner: FeedOwner, *, by: User, now: datetime) -> None:
    """The people who may have subscribed to the old address learn that it stopped working."""
    if isinstance(owner, MentorProfile):
        return  # a mentor's feed is theirs alone
    if isinstance(owner, Resource):
        people = lab_feeds.staff_of_lab(owner.lab_id)
        name = _("%(resource)s at %(lab)s", resource=owner.name, lab=owner.lab.name)
        page = ("labs.resource_week", {"resource_id": owner.id})
    else:
        people = db.session.scalars(
            select(User)
            .where(User.organisation_id == owner.organisation_id, User.active)
            .order_by(User.id)
        ).all()
        name, page = owner.label, ("mentoring.project", {"project_id": owner.id})
    for person in people:
        if person.id == by.id:
            continue
        queue_email(
            person.email,
            _("The calendar address of %(name)s was reset", name=name),
            "calendar_feed_reset",
            now=now,
            person=person,
            by=by,
            name=name,
            page_endpoint=page[0],
            page_arguments=page[1],
        )


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
