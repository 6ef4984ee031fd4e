"""Another time for a session: one side proposes a free slot, the other accepts it (the session
moves and is confirmed) or either side dismisses it (the session keeps its time).

Each is one conditional UPDATE on the session as the person saw it (booking.as_seen), so a
proposal accepted and dismissed, or accepted and cancelled, at the same instant has one winner.
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.cohorts.locks import lock_for_booking
from accelerator.core.errors import DomainError
from accelerator.core.transactions import change_status, releases_lock_on_refusal
from accelerator.extensions import db
from accelerator.mentoring.availability import Slot
from accelerator.mentoring.booking import (
    NO_PROPOSAL,
    as_seen,
    change_as_seen,
    just_changed,
    lost_race,
    madrid_text,
    record_change,
    require_open,
    side_of,
)
from accelerator.mentoring.budget import check_budget, programme_year_of
from accelerator.mentoring.enums import SessionStatus, Side
from accelerator.mentoring.models import MentoringSession, MentorProfile
from accelerator.mentoring.notices import everyone, notify, project_people
from accelerator.mentoring.slots import SlotUnavailable, check_slot_is_free, slot_just_taken


class NoProposal(DomainError):
    pass


@releases_lock_on_refusal
def propose_time(
    session: MentoringSession, *, starts_at: datetime, by: User, now: datetime
) -> MentoringSession:
    """Either side suggests another free slot of the same length; the session keeps its time
    until the other side accepts."""
    side = side_of(by, session)
    require_open(session)
    mentor = db.session.get(MentorProfile, session.mentor_id)
    slot = Slot(starts_at, starts_at + timedelta(minutes=session.length_minutes))
    if slot == Slot(session.starts_at, session.ends_at):
        raise SlotUnavailable(_("Choose a time other than the current one."))
    check_slot_is_free(mentor, slot, now=now, ignoring=session.id)
    change_as_seen(
        session,
        {
            "proposed_starts_at": slot.starts_at,
            "proposed_ends_at": slot.ends_at,
            "proposed_by_side": side,
        },
        refusal=just_changed(),
    )
    record_change(
        session, "time_proposed", by=by, now=now, details={"starts_at": starts_at.isoformat()}
    )
    other = project_people(session) if side != Side.PROJECT else [mentor.user]
    notify(
        session,
        other,
        _("Another time proposed for a mentoring session"),
        _(
            "%(name)s proposes %(when)s (Madrid time) instead. Accept or keep the current time:",
            name=by.name,
            when=madrid_text(slot.starts_at),
        ),
        now=now,
    )
    db.session.commit()
    return session


@releases_lock_on_refusal
def accept_proposal(session: MentoringSession, *, by: User, now: datetime) -> MentoringSession:
    """The other side agrees: the session moves to the proposed time and is confirmed.

    The proposal accepted is the one the person saw: replaced, dismissed or cancelled
    meanwhile, nothing moves. The move is checked under the booking's locks; on PostgreSQL the
    exclusion constraint's refusal, should it come, is a taken slot, never an error page."""
    side = side_of(by, session)
    seen = as_seen(session)
    seen_status, session_id, by_id = session.status, session.id, by.id
    lock_for_booking(MentorProfile, session.mentor_id, project_id=session.project_id)
    session = db.session.get(MentoringSession, session_id, populate_existing=True)
    require_open(session)
    if session.proposed_by_side is None:
        raise NoProposal(_("There is no other time to accept."))
    if session.proposed_by_side == side or (
        side == Side.MANAGER and session.proposed_by_side == Side.MANAGER
    ):
        raise NoProposal(_("The other side accepts the time you proposed."))
    mentor = db.session.get(MentorProfile, session.mentor_id)
    slot = Slot(session.proposed_starts_at, session.proposed_ends_at)
    check_slot_is_free(mentor, slot, now=now, ignoring=session.id)
    year = programme_year_of(slot.starts_at)
    same_year = year == session.programme_year
    check_budget(
        session.project_id,
        year=year,
        minutes=session.length_minutes,
        freed_minutes=session.length_minutes if same_year else 0,
    )
    values = {
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "programme_year": year,
        "status": SessionStatus.CONFIRMED,
        "answered_at": session.answered_at or now,
        "sequence": MentoringSession.sequence + 1,
        "reminder_sent_at": None,
        **NO_PROPOSAL,
    }
    try:
        changed = change_status(session, from_statuses=(seen_status,), still=seen, values=values)
    except IntegrityError as error:  # PostgreSQL's exclusion constraint
        raise slot_just_taken() from error
    if not changed:
        raise lost_race(session, _proposal_changed())
    record_change(
        session,
        "moved",
        by=db.session.get(User, by_id),
        now=now,
        details={"starts_at": slot.starts_at.isoformat()},
    )
    notify(
        session,
        everyone(session),
        _("Mentoring session moved"),
        _(
            "The session now takes place on %(when)s (Madrid time). The updated calendar"
            " invitation is attached.",
            when=madrid_text(slot.starts_at),
        ),
        now=now,
        with_invitation=True,
    )
    db.session.commit()
    return session


@releases_lock_on_refusal
def dismiss_proposal(session: MentoringSession, *, by: User, now: datetime) -> MentoringSession:
    """Either side keeps the current time (the proposer withdraws, or the other says no)."""
    side_of(by, session)
    if session.proposed_by_side is None:
        raise NoProposal(_("There is no other time to dismiss."))
    change_as_seen(session, NO_PROPOSAL, refusal=_proposal_changed())
    record_change(session, "proposal_dismissed", by=by, now=now)
    db.session.commit()
    return session


def _proposal_changed() -> NoProposal:
    return NoProposal(_("The proposal has just changed: look again."))
