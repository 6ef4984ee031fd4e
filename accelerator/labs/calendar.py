"""Lab bookings as calendar appointments: the emailed invitation and the feeds' events."""

from datetime import datetime

from flask_babel import gettext as _

from accelerator.core import calendar
from accelerator.core.mail import TextAttachment
from accelerator.labs.enums import BookingStatus
from accelerator.labs.models import LabBooking

OFF = (BookingStatus.CANCELLED, BookingStatus.REJECTED)


def booking_uid(booking: LabBooking) -> str:
    return calendar.uid_for("lab-booking", booking.id)


def invitation(booking: LabBooking, *, attendees: list, now: datetime) -> TextAttachment:
    return calendar.invitation(appointment(booking), attendees=attendees, now=now)


def feed(bookings: list[LabBooking], *, name: str, now: datetime) -> bytes:
    return calendar.feed([appointment(booking) for booking in bookings], name=name, now=now)


def appointment(booking: LabBooking) -> calendar.Appointment:
    """Needs booking.resource (with its lab) and booking.project loaded."""
    resource = booking.resource
    return calendar.Appointment(
        uid=booking_uid(booking),
        sequence=booking.sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=_(
            "%(resource)s: %(project)s",
            resource=resource.name,
            project=booking.project.acronym or booking.project.title,
        ),
        description=booking.purpose,
        location=f"{resource.lab.name}, {resource.lab.address}".strip(", "),
        status="TENTATIVE" if booking.status == BookingStatus.PENDING else "CONFIRMED",
        cancelled=booking.status in OFF,
    )
