"""Lab bookings in calendar feeds: a resource's secret address for its lab's staff, and the
bookings a resource's or a project's feed shows.

Feeds of every kind share one table, one public address and one issue (mentoring.feeds, which
asks this module for the lab bookings, for who may use a resource's feed and who its users are).
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, lazyload

from accelerator.accounts.models import User
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import queries
from accelerator.labs.enums import HOLDING_STATUSES, BookingStatus
from accelerator.labs.models import LabBooking, Resource
from accelerator.labs.staff import can_manage
from accelerator.mentoring.models import CalendarFeed

# Completed bookings stay in the feeds this long, as held mentoring sessions do.
COMPLETED_SHOWN_FOR = timedelta(days=90)


def can_use_resource_feed(user: User, resource: Resource) -> bool:
    """A resource's calendar names the projects that book it: its lab's staff and programme
    managers see and reset its address."""
    return can_manage(user, resource.lab_id)


def feed_of_resource(resource: Resource, *, by: User) -> CalendarFeed | None:
    """The resource's feed, if one was created (reading never creates it)."""
    require(can_use_resource_feed(by, resource))
    return db.session.scalar(select(CalendarFeed).filter_by(resource_id=resource.id))


def staff_of_lab(lab_id: int) -> list[User]:
    """The lab's active staff: who uses its resources' feeds and approves its bookings."""
    return list(db.session.scalars(queries.active_staff_of(lab_id)))


def bookings_for_feed(feed: CalendarFeed, *, now: datetime) -> list[LabBooking]:
    """The resource's (or the project's) pending and approved bookings, and those completed in
    the last 90 days, with what an event shows (the resource, its lab, the project) loaded in
    the same query."""
    if feed.resource_id is not None:
        owned = LabBooking.resource_id == feed.resource_id
    else:
        owned = LabBooking.project_id == feed.project_id
    shown = or_(
        LabBooking.status.in_(HOLDING_STATUSES),
        and_(
            LabBooking.status == BookingStatus.COMPLETED,
            LabBooking.ends_at >= now - COMPLETED_SHOWN_FOR,
        ),
    )
    query = (
        select(LabBooking)
        .where(owned, shown)
        .options(
            # Only what an event shows: the resource's trainings, the lab's opening hours and
            # the project's call and organisation would each cost a query.
            joinedload(LabBooking.resource).options(
                lazyload("*"), joinedload(Resource.lab).lazyload("*")
            ),
            joinedload(LabBooking.project).lazyload("*"),
        )
        .order_by(LabBooking.starts_at, LabBooking.id)
    )
    return list(db.session.scalars(query))


def resource_feed_name(resource_id: int) -> str:
    """The calendar's name in the subscriber's app."""
    resource = db.session.get(
        Resource,
        resource_id,
        options=[lazyload("*"), joinedload(Resource.lab).lazyload("*")],
    )
    return _(
        "ATMP Catalyst: %(resource)s at %(lab)s", resource=resource.name, lab=resource.lab.name
    )
