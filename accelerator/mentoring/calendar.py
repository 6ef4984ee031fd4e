"""Calendar files for mentoring sessions: emailed invitations and subscribable feeds.

Each session keeps one UID for life; its SEQUENCE rises with every change, so calendar apps
replace the earlier version of the event; a cancellation is sent with METHOD:CANCEL.
"""

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from accelerator.core.mail import TextAttachment
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.models import MentoringSession

PRODUCT_ID = "-//ATMP Catalyst//Mentoring//EN"
UID_DOMAIN = "atmp-catalyst.eu"


def session_uid(session: MentoringSession) -> str:
    return f"mentoring-session-{session.id}@{UID_DOMAIN}"


def invitation(session: MentoringSession, *, attendees: list, now: datetime) -> TextAttachment:
    """The .ics an email carries: REQUEST while the session stands, CANCEL once it is off.

    Every attendee (the mentor and the project's people) is listed without a reply expected:
    answers go through the session page, not to the no-reply organiser.
    """
    method = "CANCEL" if session.status == SessionStatus.CANCELLED else "REQUEST"
    calendar = _calendar(method)
    event = _event(session, now=now, method=method)
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


def feed(sessions: list[MentoringSession], *, name: str, now: datetime) -> bytes:
    """A subscribable calendar of confirmed (and past held) sessions."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(_event(session, now=now, method="PUBLISH"))
    return calendar.to_ical()


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def _event(session: MentoringSession, *, now: datetime, method: str) -> Event:
    """Needs session.mentor (with its user) and session.project loaded."""
    mentor = session.mentor.user
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add(
        "summary",
        _(
            "Mentoring: %(mentor)s with %(project)s",
            mentor=mentor.name,
            project=session.project.acronym or session.project.title,
        ),
    )
    if session.agenda:
        event.add("description", session.agenda)
    event.add("status", "CANCELLED" if method == "CANCEL" else _event_status(session))
    organizer = vCalAddress(f"mailto:{_sender_address()}")
    organizer.params["cn"] = vText("ATMP Catalyst")
    event["organizer"] = organizer
    return event  # without attendees: RFC 5546 3.2.1 forbids them in a published event


def _event_status(session: MentoringSession) -> str:
    return "TENTATIVE" if session.status == SessionStatus.PENDING else "CONFIRMED"


def _sender_address() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.rpartition("<")[2].rstrip(">") if "<" in sender else sender
