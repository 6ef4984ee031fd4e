"""Calendar files (.ics): emailed invitations and subscribable feeds, for any appointment.

An appointment keeps one UID for life; its SEQUENCE rises with every change, so calendar apps
replace the earlier version of the event; a cancellation is sent with METHOD:CANCEL.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from accelerator.core.mail import TextAttachment

PRODUCT_ID = "-//ATMP Catalyst//Programme office//EN"
UID_DOMAIN = "atmp-catalyst.eu"


@dataclass(frozen=True)
class Appointment:
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    status: str = "CONFIRMED"  # TENTATIVE, CONFIRMED or CANCELLED
    cancelled: bool = False


def uid_for(kind: str, object_id: int) -> str:
    return f"{kind}-{object_id}@{UID_DOMAIN}"


def invitation(appointment: Appointment, *, attendees: list, now: datetime) -> TextAttachment:
    """The .ics an email carries: REQUEST while the appointment stands, CANCEL once it is off.

    Every attendee is listed without a reply expected: answers go through the application's
    pages, not to the no-reply organiser.
    """
    method = "CANCEL" if appointment.cancelled else "REQUEST"
    calendar = _calendar(method)
    event = _event(appointment, now=now)
    for person in attendees:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return TextAttachment(
        filename="invitation.ics",
        content_type=f"text/calendar; method={method}; charset=UTF-8",
        body=calendar.to_ical().decode(),
    )


def feed(appointments: list[Appointment], *, name: str, now: datetime) -> bytes:
    """A subscribable calendar (METHOD:PUBLISH; RFC 5546 3.2.1: its events have no attendees)."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    for appointment in appointments:
        calendar.add_component(_event(appointment, now=now))
    return calendar.to_ical()


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def _event(appointment: Appointment, *, now: datetime) -> Event:
    event = Event()
    event.add("uid", appointment.uid)
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", appointment.summary)
    if appointment.description:
        event.add("description", appointment.description)
    if appointment.location:
        event.add("location", appointment.location)
    event.add("status", "CANCELLED" if appointment.cancelled else appointment.status)
    organizer = vCalAddress(f"mailto:{_sender_address()}")
    organizer.params["cn"] = vText("ATMP Catalyst")
    event["organizer"] = organizer
    return event


def _sender_address() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.rpartition("<")[2].rstrip(">") if "<" in sender else sender
