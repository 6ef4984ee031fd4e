"""Who hears of a session, and the one email every session notice uses.

A notice that changes the calendar carries the session's invitation (.ics).
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.mail import queue_email
from accelerator.extensions import db
from accelerator.mentoring import calendar
from accelerator.mentoring.models import MentoringSession, MentorProfile


def project_people(session: MentoringSession) -> list[User]:
    """Who hears for the project: the member who asked, or every active member if they left."""
    requester = db.session.get(User, session.requested_by_id) if session.requested_by_id else None
    project = db.session.get(Project, session.project_id)
    if (
        requester is not None
        and requester.active
        and (requester.organisation_id == project.organisation_id)
    ):
        return [requester]
    return list(
        db.session.scalars(
            select(User).where(User.organisation_id == project.organisation_id, User.active)
        )
    )


def everyone(session: MentoringSession) -> list[User]:
    mentor = db.session.get(MentorProfile, session.mentor_id)
    return [mentor.user, *project_people(session)]


def notify(
    session: MentoringSession,
    recipients: list[User],
    subject: str,
    message: str,
    *,
    now: datetime,
    with_invitation: bool = False,
) -> None:
    loaded = with_parties(session.id)
    attachment = (
        calendar.invitation(loaded, attendees=everyone(loaded), now=now)
        if with_invitation
        else None
    )
    for person in recipients:
        queue_email(
            person.email,
            subject,
            "mentoring_session",
            now=now,
            attachment=attachment,
            person=person,
            message=message,
            session=loaded,
        )


def with_parties(session_id: int) -> MentoringSession:
    return db.session.scalars(
        select(MentoringSession)
        .where(MentoringSession.id == session_id)
        .options(
            joinedload(MentoringSession.mentor).joinedload(MentorProfile.user),
            joinedload(MentoringSession.project),
        )
    ).one()
