"""Public call pages and the managers' call administration."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.calls import policies, services
from accelerator.calls.enums import CallStatus
from accelerator.calls.forms import (
    CallForm,
    CallStatusForm,
    EligibilityQuestionsForm,
    RubricForm,
)
from accelerator.calls.models import Call
from accelerator.calls.queries import all_calls, public_calls
from accelerator.core.clock import as_madrid, madrid_to_utc, utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm, choice_list
from accelerator.core.links import local_path
from accelerator.core.policies import require
from accelerator.extensions import db

bp = Blueprint("calls", __name__)
bp.add_app_template_global(policies, "call_policy")

CALL_FIELDS = (
    "title",
    "year",
    "description",
    "selection_quota",
    "reviews_per_application",
    "blind_review",
    "show_scores_to_applicants",
)
MOMENT_FIELDS = ("opens_at", "closes_at", "review_deadline")
BLANK_ROWS = 2


@bp.get("/calls")
def public_list():
    now = utcnow()
    calls = db.session.scalars(public_calls(now)).unique().all()
    return render_template("calls/public_list.html", calls=calls, now=now)


@bp.get("/calls/<int:call_id>")
def public_detail(call_id):
    call = db.get_or_404(Call, call_id)
    if not policies.can_view_call(current_user, call):
        return render_template("errors/404.html"), 404
    return render_template("calls/public_detail.html", call=call, now=utcnow())


@bp.get("/manage/calls")
@login_required
def manage_list():
    require(policies.can_manage_calls(current_user))
    calls = db.session.scalars(all_calls()).unique().all()
    return render_template("calls/manage_list.html", calls=calls, now=utcnow())


@bp.route("/manage/calls/new", methods=["GET", "POST"])
@login_required
def create():
    require(policies.can_manage_calls(current_user))
    form = CallForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            call = services.create_call(
                services.the_programme(now=now), by=current_user, now=now, **_call_fields(form)
            )
        except services.YearTaken as error:
            form.year.errors.append(str(error))
        except services.DatesOutOfOrder as error:
            form.closes_at.errors.append(str(error))
        else:
            flash(_("The call is created as a draft with the default rubric."), "success")
            return redirect(url_for(".manage", call_id=call.id))
    return render_template("calls/form.html", form=form, call=None)


@bp.get("/manage/calls/<int:call_id>")
@login_required
def manage(call_id):
    require(policies.can_manage_calls(current_user))
    call = db.get_or_404(Call, call_id)
    now = utcnow()
    next_statuses = services.next_statuses(call, now=now)
    return render_template(
        "calls/manage.html",
        call=call,
        status_form=_status_form(next_statuses),
        blocked_statuses={s: why for s, why in next_statuses.items() if why is not None},
        button_form=ButtonForm(),
        now=now,
        rubric_locked=services.has_submitted_reviews(call),
    )


def _status_form(next_statuses: dict) -> CallStatusForm:
    """Offers only the statuses the rules would accept now."""
    form = CallStatusForm()
    form.target.choices = choice_list(
        (status.value, status.label) for status, why in next_statuses.items() if why is None
    )
    return form


@bp.route("/manage/calls/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit(call_id):
    require(policies.can_manage_calls(current_user))
    call = db.get_or_404(Call, call_id)
    form = CallForm(obj=call)
    if not form.is_submitted():
        for name in MOMENT_FIELDS:
            getattr(form, name).data = as_madrid(getattr(call, name)).replace(tzinfo=None)
    drafts_shut_out = None
    if form.validate_on_submit():
        try:
            services.update_call(
                call,
                by=current_user,
                now=utcnow(),
                close_with_drafts=form.close_with_drafts.data,
                **_call_fields(form),
            )
        except services.YearTaken as error:
            form.year.errors.append(str(error))
        except services.DatesOutOfOrder as error:
            form.closes_at.errors.append(str(error))
        except services.ClosingWithDrafts as error:
            form.closes_at.errors.append(str(error))
            drafts_shut_out = error.drafts
        except services.BlindReviewLocked as error:
            form.blind_review.errors.append(str(error))
        else:
            flash(_("The call is saved."), "success")
            return redirect(url_for(".manage", call_id=call.id))
    return render_template("calls/form.html", form=form, call=call, drafts_shut_out=drafts_shut_out)


@bp.route("/manage/calls/<int:call_id>/rubric", methods=["GET", "POST"])
@login_required
def rubric(call_id):
    require(policies.can_manage_calls(current_user))
    call = db.get_or_404(Call, call_id)
    form = RubricForm()
    error = None
    if not form.is_submitted():
        form.criteria.pop_entry()  # min_entries' empty row; the empty rows go after the criteria
        for criterion in call.criteria:
            form.criteria.append_entry(criterion)
        _add_blank_rows(form.criteria)
    elif form.validate():
        drafts = [
            services.CriterionDraft(
                name=entry.form.name.data.strip(),
                description=(entry.form.description.data or "").strip(),
                weight=entry.form.weight.data,
                scale_max=entry.form.scale_max.data or services.CriterionDraft.scale_max,
            )
            for entry in form.criteria
            if (entry.form.name.data or "").strip()
        ]
        try:
            services.save_rubric(call, drafts, by=current_user, now=utcnow())
        except DomainError as problem:
            error = str(problem)
        else:
            flash(_("The rubric is saved."), "success")
            return redirect(url_for(".manage", call_id=call.id))
    return render_template("calls/rubric.html", call=call, form=form, error=error)


@bp.route("/manage/calls/<int:call_id>/eligibility", methods=["GET", "POST"])
@login_required
def eligibility(call_id):
    require(policies.can_manage_calls(current_user))
    call = db.get_or_404(Call, call_id)
    form = EligibilityQuestionsForm()
    if not form.is_submitted():
        form.questions.pop_entry()  # min_entries' empty row; the empty rows go after the questions
        for question in call.eligibility_questions:
            form.questions.append_entry(
                {
                    "text": question.text,
                    "qualifying_answer": "yes" if question.qualifying_answer else "no",
                }
            )
        _add_blank_rows(form.questions)
    elif form.validate():
        questions = [
            (entry.form.text.data.strip(), entry.form.qualifying_answer.data == "yes")
            for entry in form.questions
            if (entry.form.text.data or "").strip()
        ]
        services.save_eligibility_questions(call, questions, by=current_user, now=utcnow())
        flash(_("The eligibility questions are saved."), "success")
        return redirect(url_for(".manage", call_id=call.id))
    return render_template("calls/eligibility.html", call=call, form=form)


@bp.post("/manage/calls/<int:call_id>/status")
@login_required
def change_status(call_id):
    require(policies.can_manage_calls(current_user))
    call = db.get_or_404(Call, call_id)
    form = CallStatusForm()  # any status: the service says why one cannot be chosen now
    if form.validate_on_submit():
        try:
            services.change_call_status(
                call, CallStatus(form.target.data), by=current_user, now=utcnow()
            )
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("The call is now %(status)s.", status=call.status.label), "success")
    return redirect(url_for(".manage", call_id=call.id))


@bp.post("/manage/calls/<int:call_id>/close-review")
@login_required
def close_review_phase(call_id):
    require(policies.can_manage_calls(current_user))
    call = db.get_or_404(Call, call_id)
    if ButtonForm().validate_on_submit():
        try:
            services.close_review_phase(call, by=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("The review phase is closed: reviews are read-only now."), "success")
    return redirect(_back_to(url_for(".manage", call_id=call.id)))


def _back_to(default: str) -> str:
    """The page the button was on (its form's "next"), when it is one of ours."""
    return local_path(request.form.get("next"), default=default)


def _call_fields(form: CallForm) -> dict:
    fields = {name: getattr(form, name).data for name in CALL_FIELDS}
    fields["description"] = fields["description"] or ""
    for name in MOMENT_FIELDS:
        fields[name] = madrid_to_utc(getattr(form, name).data)
    return fields


def _add_blank_rows(field_list) -> None:
    for _index in range(BLANK_ROWS):
        field_list.append_entry()
