"""Mentoring sessions as calendar appointments: the emailed invitation and the feed's events."""

from datetime import datetime

from flask_babel import gettext as _

from accelerator.core import calendar
from accelerator.core.mail import TextAttachment
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.models import MentoringSession


def session_uid(session: MentoringSession) -> str:
    return calendar.uid_for("mentoring-session", session.id)


def invitation(session: MentoringSession, *, attendees: list, now: datetime) -> TextAttachment:
    return calendar.invitation(appointment(session), attendees=attendees, now=now)


def feed(sessions: list[MentoringSession], *, name: str, now: datetime) -> bytes:
    return calendar.feed([appointment(session) for session in sessions], name=name, now=now)


def appointment(session: MentoringSession) -> calendar.Appointment:
    """Needs session.mentor (with its user) and session.project loaded."""
    return calendar.Appointment(
        uid=session_uid(session),
        sequence=session.sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=_(
            "Mentoring: %(mentor)s with %(project)s",
            mentor=session.mentor.user.name,
            project=session.project.acronym or session.project.title,
        ),
        description=session.agenda,
        status="TENTATIVE" if session.status == SessionStatus.PENDING else "CONFIRMED",
        cancelled=session.status == SessionStatus.CANCELLED,
    )
