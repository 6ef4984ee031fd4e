"""Sessions: a project finds and books a mentor, the mentor answers, either side moves or
cancels, then the mentor's notes and the project's rating."""

from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.cohorts.models import Project
from accelerator.cohorts.policies import can_view_project
from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.mentoring import booking, feeds, followup, policies, proposals, queries, slots
from accelerator.mentoring.budget import programme_year_of, usage_of
from accelerator.mentoring.enums import HOLDING_STATUSES, SessionStatus, Side
from accelerator.mentoring.forms import (
    BookingForm,
    CancelForm,
    DeclineForm,
    FeedbackForm,
    NotesForm,
    OutcomeForm,
    ProposeTimeForm,
    SlotLengthForm,
)
from accelerator.mentoring.matching import conflicts_with_project, suggest_mentors
from accelerator.mentoring.models import MentoringSession, MentorProfile
from accelerator.mentoring.views import bp
from accelerator.mentoring.views.feeds import what_the_feed_shows

# --- the project's side ------------------------------------------------------------------


@bp.get("/projects/<int:project_id>")
@login_required
def project(project_id):
    """The project's mentoring: hours against budget, suggested mentors, its sessions."""
    the_project = _project_or_404(project_id, with_application=True)
    now = utcnow()
    sessions = db.session.scalars(queries.sessions_of_project(the_project.id)).unique().all()
    return render_template(
        "mentoring/project.html",
        project=the_project,
        usage=usage_of(the_project.id, programme_year_of(now)),
        year=programme_year_of(now),
        suggestions=suggest_mentors(the_project, now=now),
        upcoming=[s for s in reversed(sessions) if s.status in HOLDING_STATUSES],
        past=[s for s in sessions if s.status not in HOLDING_STATUSES],
        can_book=policies.can_request_session(current_user, the_project),
        feed=feeds.feed_of_project(the_project, by=current_user),
        feed_shows=what_the_feed_shows(the_project),
    )


@bp.route("/projects/<int:project_id>/mentors/<int:mentor_id>/book", methods=["GET", "POST"])
@login_required
def book(project_id, mentor_id):
    """The mentor's free slots for a length, and the request with its agenda."""
    the_project = _project_or_404(project_id)
    require(policies.can_request_session(current_user, the_project))
    mentor = db.get_or_404(MentorProfile, mentor_id)
    if not policies.is_bookable_mentor(mentor) or mentor.id in conflicts_with_project(
        the_project, mentors_of_ids=[mentor.id]
    ):
        abort(404)  # never bookable: the service refuses too
    choice = SlotLengthForm(request.args)
    form = BookingForm()
    if not form.is_submitted() and choice.validate() and choice.length.data:
        form.length.data = choice.length.data
    if form.validate_on_submit():
        try:
            booked = booking.request_session(
                the_project,
                mentor,
                starts_at=form.starts_at.data,
                length_minutes=form.length.data,
                agenda=form.agenda.data,
                by=current_user,
                now=utcnow(),
            )
        except booking.AgendaMissing as error:
            form.agenda.errors.append(str(error))
        except booking.SessionLengthRefused as error:
            form.length.errors.append(str(error))
        except DomainError as error:
            form.starts_at.errors.append(str(error))
        else:
            flash(_("Your request is sent. The mentor will confirm or decline it."), "success")
            return redirect(url_for(".session", session_id=booked.id))
    mentor = db.get_or_404(MentorProfile, mentor_id)  # a refused request rolled back
    return render_template(
        "mentoring/book.html",
        project=db.session.get(Project, project_id),
        mentor=mentor,
        form=form,
        days=_slots_by_day(mentor, form.length.data),
    )


# --- the mentor's side -------------------------------------------------------------------


@bp.get("/sessions")
@login_required
def my_sessions():
    """The mentor's requests to answer, upcoming sessions, and those to record."""
    require(policies.is_mentor(current_user))
    mentor = db.session.scalar(queries.own_profile(current_user.id))
    if mentor is None:
        flash(_("Fill in your mentor profile first."), "info")
        return redirect(url_for(".profile"))
    now = utcnow()
    sessions = db.session.scalars(queries.sessions_of_mentor(mentor.id)).unique().all()
    return render_template(
        "mentoring/my_sessions.html",
        mentor=mentor,
        requests=[s for s in reversed(sessions) if s.status == SessionStatus.PENDING],
        upcoming=[
            s for s in reversed(sessions) if s.status == SessionStatus.CONFIRMED and s.ends_at > now
        ],
        to_record=[s for s in sessions if s.status == SessionStatus.CONFIRMED and s.ends_at <= now],
        past=[s for s in sessions if s.status not in HOLDING_STATUSES],
        ratings=followup.rating_summary(mentor.id),
        feed=feeds.feed_of_mentor(mentor),
        feed_shows=what_the_feed_shows(mentor),
    )


# --- one session -------------------------------------------------------------------------


@bp.get("/sessions/<int:session_id>")
@login_required
def session(session_id):
    return _session_page(_session_or_404(session_id))


@bp.post("/sessions/<int:session_id>/confirm")
@login_required
def confirm(session_id):
    the_session = _session_or_404(session_id)
    if ButtonForm().validate_on_submit():
        return _act(the_session, booking.confirm_session, _("The session is confirmed."))
    return redirect(url_for(".session", session_id=session_id))


@bp.post("/sessions/<int:session_id>/decline")
@login_required
def decline(session_id):
    the_session = _session_or_404(session_id)
    form = DeclineForm()
    if form.validate_on_submit():
        return _act(
            the_session,
            booking.decline_session,
            _("The request is declined."),
            {"reason": form.reason.data},
            form_key="decline_form",
            form=form,
            field="reason",
        )
    return _session_page(the_session, decline_form=form)


@bp.post("/sessions/<int:session_id>/propose")
@login_required
def propose(session_id):
    the_session = _session_or_404(session_id)
    form = ProposeTimeForm()
    if form.validate_on_submit():
        return _act(
            the_session,
            proposals.propose_time,
            _("Your proposal is sent."),
            {"starts_at": form.starts_at.data},
            form_key="propose_form",
            form=form,
            field="starts_at",
        )
    return _session_page(the_session, propose_form=form)


@bp.post("/sessions/<int:session_id>/proposal/accept")
@login_required
def accept_proposal(session_id):
    the_session = _session_or_404(session_id)
    if ButtonForm().validate_on_submit():
        return _act(the_session, proposals.accept_proposal, _("The session is moved."))
    return redirect(url_for(".session", session_id=session_id))


@bp.post("/sessions/<int:session_id>/proposal/dismiss")
@login_required
def dismiss_proposal(session_id):
    the_session = _session_or_404(session_id)
    if ButtonForm().validate_on_submit():
        return _act(the_session, proposals.dismiss_proposal, _("The current time is kept."))
    return redirect(url_for(".session", session_id=session_id))


@bp.post("/sessions/<int:session_id>/cancel")
@login_required
def cancel(session_id):
    the_session = _session_or_404(session_id)
    form = CancelForm()
    if form.validate_on_submit():
        return _act(
            the_session,
            booking.cancel_session,
            _("The session is cancelled."),
            {"reason": form.reason.data or ""},
            form_key="cancel_form",
            form=form,
            field="reason",
        )
    return _session_page(the_session, cancel_form=form)


@bp.post("/sessions/<int:session_id>/outcome")
@login_required
def outcome(session_id):
    the_session = _session_or_404(session_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        return _act(
            the_session,
            booking.record_outcome,
            _("The outcome is recorded."),
            {"outcome": SessionStatus(form.outcome.data)},
            form_key="outcome_form",
            form=form,
            field="outcome",
        )
    return _session_page(the_session, outcome_form=form)


@bp.post("/sessions/<int:session_id>/notes")
@login_required
def notes(session_id):
    the_session = _session_or_404(session_id)
    form = NotesForm()
    if form.validate_on_submit():
        return _act(
            the_session,
            followup.save_notes,
            _("The notes are saved."),
            {"notes": form.notes.data or "", "action_items": form.action_items.data or ""},
            form_key="notes_form",
            form=form,
            field="notes",
        )
    return _session_page(the_session, notes_form=form)


@bp.post("/sessions/<int:session_id>/feedback")
@login_required
def feedback(session_id):
    the_session = _session_or_404(session_id)
    form = FeedbackForm()
    if form.validate_on_submit():
        return _act(
            the_session,
            followup.rate_session,
            _("Thank you for your rating."),
            {"rating": int(form.rating.data), "comment": form.comment.data or ""},
            form_key="feedback_form",
            form=form,
            field="rating",
        )
    return _session_page(the_session, feedback_form=form)


# --- helpers -----------------------------------------------------------------------------


def _project_or_404(project_id: int, *, with_application: bool = False) -> Project:
    """Someone else's project is not found, so that ids reveal nothing."""
    if with_application:
        the_project = db.session.scalar(queries.project_with_application(project_id))
    else:
        the_project = db.session.get(Project, project_id)
    if the_project is None or not can_view_project(current_user, the_project):
        abort(404)
    return the_project


def _session_or_404(session_id: int) -> MentoringSession:
    """The session with its mentor, project and rating; someone else's is not found."""
    the_session = db.session.scalars(queries.session_with_parties(session_id)).unique().first()
    if the_session is None or not policies.can_view_session(
        current_user, project=the_session.project, mentor=the_session.mentor
    ):
        abort(404)
    return the_session


def _act(the_session, service, done_message, arguments=None, *, form_key=None, form=None, field=""):
    """Runs one session service; a refusal shows next to the form's field (or as a flash)."""
    session_id = the_session.id
    try:
        service(the_session, by=current_user, now=utcnow(), **(arguments or {}))
    except DomainError as error:
        db.session.rollback()
        if form is None:
            flash(str(error), "error")
            return redirect(url_for(".session", session_id=session_id))
        form[field].errors.append(str(error))
        return _session_page(_session_or_404(session_id), **{form_key: form})
    flash(done_message, "success")
    return redirect(url_for(".session", session_id=session_id))


def _session_page(the_session: MentoringSession, **forms):
    now = utcnow()
    loaded = the_session
    the_project, mentor = loaded.project, loaded.mentor
    side = policies.side_in_session(current_user, project=the_project, mentor=mentor)
    can_move = side is not None and loaded.status in HOLDING_STATUSES
    return render_template(
        "mentoring/session.html",
        session=loaded,
        project=the_project,
        mentor=mentor,
        side=side,
        Side=Side,
        is_over=followup.is_over(loaded, now=now),
        has_started=now >= loaded.starts_at,
        late_cancellation=(
            side == Side.PROJECT
            and loaded.status == SessionStatus.CONFIRMED
            and booking.is_late_cancellation(loaded, now=now)
        ),
        proposal_days=_slots_by_day(mentor, loaded.length_minutes, ignoring=loaded.id)
        if can_move
        else {},
        button_form=ButtonForm(),
        decline_form=forms.get("decline_form") or DeclineForm(),
        propose_form=forms.get("propose_form") or ProposeTimeForm(),
        cancel_form=forms.get("cancel_form") or CancelForm(),
        outcome_form=forms.get("outcome_form") or OutcomeForm(),
        notes_form=forms.get("notes_form") or NotesForm(obj=loaded),
        feedback_form=forms.get("feedback_form") or FeedbackForm(),
    )


def _slots_by_day(mentor: MentorProfile, length_minutes, *, ignoring=None) -> dict:
    """Free slots grouped by Madrid date, for the radio buttons of a booking or a proposal."""
    if length_minutes not in (30, 60, 90):
        return {}
    days = defaultdict(list)
    for slot in slots.bookable_slots(
        mentor, length_minutes=length_minutes, now=utcnow(), ignoring=ignoring
    ):
        days[as_madrid(slot.starts_at).date()].append(slot)
    return dict(days)
