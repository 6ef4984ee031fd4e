"""Who hears of a lab booking, and the one email every booking notice uses.

The booker hears of approval, rejection and cancellation with the booking's invitation (.ics);
the lab's staff hear of requests waiting for approval; whoever waits for a freed time hears
once.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from accelerator.accounts.models import User
from accelerator.core.mail import queue_email
from accelerator.extensions import db
from accelerator.labs import calendar, queries
from accelerator.labs.enums import BookingStatus
from accelerator.labs.models import LabBooking, Resource, WaitlistEntry


def booking_requested(booking: LabBooking, *, now: datetime) -> None:
    loaded = with_parties(booking.id)
    staff = db.session.scalars(queries.active_staff_of(loaded.resource.lab_id)).all()
    _send(
        loaded,
        staff,
        _("Booking to approve: %(resource)s", resource=loaded.resource.name),
        _("A project asks to book this resource. Approve or reject it:"),
        now=now,
    )


def booking_decided(booking: LabBooking, *, now: datetime) -> None:
    loaded = with_parties(booking.id)
    if loaded.status == BookingStatus.APPROVED:
        subject = _("Lab booking approved: %(resource)s", resource=loaded.resource.name)
        message = _("Your booking is approved. The calendar invitation is attached.")
    else:
        subject = _("Lab booking rejected: %(resource)s", resource=loaded.resource.name)
        message = _("Your booking is rejected: %(reason)s", reason=loaded.rejection_reason)
    _send(loaded, _booker(loaded), subject, message, now=now, with_invitation=True)


def booking_cancelled(booking: LabBooking, *, by: User, now: datetime) -> None:
    loaded = with_parties(booking.id)
    message = _("%(name)s cancelled the booking.", name=by.name)
    if loaded.cancellation_reason:
        message = f"{message} {loaded.cancellation_reason}"
    _send(
        loaded,
        _booker(loaded),
        _("Lab booking cancelled: %(resource)s", resource=loaded.resource.name),
        message,
        now=now,
        with_invitation=True,
    )


def waitlist_freed(booking: LabBooking, *, now: datetime) -> int:
    """Emails, once each, the people waiting for a time of the resource that overlaps the
    freed booking. A conditional UPDATE claims each entry, so no one hears twice."""
    entries = db.session.scalars(
        select(WaitlistEntry)
        .options(joinedload(WaitlistEntry.user))
        .where(
            WaitlistEntry.resource_id == booking.resource_id,
            WaitlistEntry.notified_at.is_(None),
            WaitlistEntry.starts_at < booking.ends_at,
            WaitlistEntry.ends_at > booking.starts_at,
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    ).all()
    resource = db.session.get(Resource, booking.resource_id)
    told = 0
    for entry in entries:
        claimed = db.session.execute(
            update(WaitlistEntry)
            .where(WaitlistEntry.id == entry.id, WaitlistEntry.notified_at.is_(None))
            .values(notified_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue
        queue_email(
            entry.user.email,
            _("A time you wanted is free: %(resource)s", resource=resource.name),
            "lab_waitlist",
            now=now,
            person=entry.user,
            resource=resource,
            entry=entry,
        )
        told += 1
    return told


def with_parties(booking_id: int) -> LabBooking:
    return db.session.scalars(
        select(LabBooking)
        .where(LabBooking.id == booking_id)
        .options(
            joinedload(LabBooking.resource),
            joinedload(LabBooking.project),
            joinedload(LabBooking.booked_by),
            joinedload(LabBooking.operator),
        )
    ).one()


def _booker(booking: LabBooking) -> list[User]:
    people = [person for person in (booking.booked_by, booking.operator) if person is not None]
    return list({person.id: person for person in people if person.active}.values())


def _send(booking, recipients, subject, message, *, now, with_invitation=False) -> None:
    attachment = (
        calendar.invitation(booking, attendees=_booker(booking), now=now)
        if with_invitation
        else None
    )
    for person in recipients:
        queue_email(
            person.email,
            subject,
            "lab_booking",
            now=now,
            attachment=attachment,
            person=person,
            message=message,
            booking=booking,
        )
