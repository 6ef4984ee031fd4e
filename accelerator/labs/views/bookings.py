"""Bookings: a project's own, one booking's page and its answers (cancel, approve, reject,
outcome), and the lab manager's approval queue."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.cohorts.policies import can_list_projects
from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import policies, queries
from accelerator.labs.booking import (
    approve_booking,
    cancel_booking,
    has_started,
    record_outcome,
    reject_booking,
)
from accelerator.labs.enums import HOLDING_STATUSES, BookingStatus
from accelerator.labs.forms.booking import CancelForm, OutcomeForm, RejectForm
from accelerator.labs.staff import is_on_staff
from accelerator.labs.views import bp


@bp.get("/bookings")
@login_required
def my_bookings():
    """The bookings of the user's organisation's projects: upcoming first, then the rest."""
    require(can_list_projects(current_user))
    now = utcnow()
    bookings = db.session.scalars(
        queries.bookings_of_organisation(current_user.organisation_id)
    ).all()
    upcoming = [b for b in reversed(bookings) if b.status in HOLDING_STATUSES and b.ends_at > now]
    held = {booking.id for booking in upcoming}
    return render_template(
        "labs/my_bookings.html",
        upcoming=upcoming,
        past=[booking for booking in bookings if booking.id not in held],
    )


@bp.get("/bookings/<int:booking_id>")
@login_required
def booking(booking_id):
    return _booking_page(*_booking_or_404(booking_id))


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def booking_cancel(booking_id):
    the_booking, is_staff = _booking_or_404(booking_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _booking_page(the_booking, is_staff, cancel_form=form)
    return _act(
        the_booking,
        cancel_booking,
        _("The booking is cancelled."),
        {"reason": form.cancellation_reason.data or ""},
    )


@bp.post("/bookings/<int:booking_id>/approve")
@login_required
def booking_approve(booking_id):
    the_booking, is_staff = _booking_or_404(booking_id)
    require(policies.can_manage_lab(current_user, is_staff=is_staff))
    if not ButtonForm().validate_on_submit():
        return redirect(url_for(".booking", booking_id=booking_id))
    return _act(the_booking, approve_booking, _("The booking is approved."))


@bp.post("/bookings/<int:booking_id>/reject")
@login_required
def booking_reject(booking_id):
    the_booking, is_staff = _booking_or_404(booking_id)
    require(policies.can_manage_lab(current_user, is_staff=is_staff))
    form = RejectForm()
    if not form.validate_on_submit():
        return _booking_page(the_booking, is_staff, reject_form=form)
    return _act(
        the_booking,
        reject_booking,
        _("The booking is rejected."),
        {"reason": form.rejection_reason.data},
        form=form,
        form_key="reject_form",
        field="rejection_reason",
    )


@bp.post("/bookings/<int:booking_id>/outcome")
@login_required
def booking_outcome(booking_id):
    the_booking, is_staff = _booking_or_404(booking_id)
    require(policies.can_manage_lab(current_user, is_staff=is_staff))
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _booking_page(the_booking, is_staff, outcome_form=form)
    return _act(
        the_booking,
        record_outcome,
        _("The outcome is recorded."),
        {"outcome": BookingStatus(form.outcome.data)},
        form=form,
        form_key="outcome_form",
        field="outcome",
    )


@bp.get("/manage/queue")
@login_required
def approval_queue():
    """Bookings awaiting approval in the labs the manager staffs (every lab for programme
    managers), oldest request first."""
    require(policies.can_manage_labs_area(current_user))
    lab_ids = None
    if not policies.can_manage_lab(current_user, is_staff=False):
        lab_ids = db.session.scalars(queries.lab_ids_staffed_by(current_user.id)).all()
    return render_template(
        "labs/queue.html",
        pending=db.session.scalars(queries.pending_bookings(lab_ids)).all(),
        reject_form=RejectForm(),
    )


# --- helpers -----------------------------------------------------------------------------


def _booking_or_404(booking_id: int):
    """The booking with its parties, and whether the user staffs its lab; a booking the user
    may not see is not found, so that ids reveal nothing."""
    the_booking = db.session.scalars(queries.booking_with_parties(booking_id)).first()
    if the_booking is None:
        abort(404)
    is_staff = is_on_staff(current_user, the_booking.resource.lab_id)
    if not policies.can_view_booking(current_user, project=the_booking.project, is_staff=is_staff):
        abort(404)
    return the_booking, is_staff


def _act(the_booking, service, done_message, arguments=None, *, form=None, form_key="", field=""):
    """Runs one booking service; a refusal shows next to the form's field (or as a flash). A
    request from the approval queue returns there."""
    booking_id = the_booking.id
    back = (
        url_for(".approval_queue")
        if request.form.get("return_to") == "queue"
        else url_for(".booking", booking_id=booking_id)
    )
    try:
        service(the_booking, by=current_user, now=utcnow(), **(arguments or {}))
    except DomainError as error:
        db.session.rollback()
        if form is None:
            flash(str(error), "error")
            return redirect(back)
        form[field].errors.append(str(error))
        return _booking_page(*_booking_or_404(booking_id), **{form_key: form})
    flash(done_message, "success")
    return redirect(back)


def _booking_page(the_booking, is_staff: bool, **forms):
    now = utcnow()
    project = the_booking.project
    manages = policies.can_manage_lab(current_user, is_staff=is_staff)
    return render_template(
        "labs/booking.html",
        booking=the_booking,
        project=project,
        resource=the_booking.resource,
        week=as_madrid(the_booking.starts_at).date().isoformat(),
        can_cancel=the_booking.status in HOLDING_STATUSES
        and not has_started(the_booking, now=now)
        and policies.can_cancel_booking(current_user, project=project, is_staff=is_staff),
        can_decide=manages and the_booking.status == BookingStatus.PENDING,
        can_record_outcome=manages
        and the_booking.status == BookingStatus.APPROVED
        and the_booking.ends_at <= now,
        cancel_form=forms.get("cancel_form") or CancelForm(),
        reject_form=forms.get("reject_form") or RejectForm(),
        outcome_form=forms.get("outcome_form") or OutcomeForm(),
    )
