"""The managers' decisions, carry-forward, waitlist, letters and publishing."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.applications.models import Application
from accelerator.calls import policies as call_policies
from accelerator.calls.models import Call
from accelerator.cohorts.models import Project
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm, choice_list
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.reviews.ranking import ranking_for_call
from accelerator.selection import policies, publishing, services
from accelerator.selection.enums import Outcome
from accelerator.selection.forms import (
    DecisionForm,
    LetterForm,
    PreviewForm,
    PromoteForm,
    PublishForm,
)
from accelerator.selection.readiness import publication_summary
from accelerator.selection.views import bp


@bp.get("/manage/calls/<int:call_id>/decisions")
@login_required
def decisions(call_id):
    require(policies.can_decide(current_user))
    call = db.get_or_404(Call, call_id)
    rows = ranking_for_call(call)
    decided = {
        application.id: decision for application, decision in publishing.decided_applications(call)
    }
    projects = {
        project.application_id: project
        for project in db.session.scalars(db.select(Project).where(Project.call_id == call.id))
    }
    return render_template(
        "selection/decisions.html",
        call=call,
        rows=rows,
        decided=decided,
        projects=projects,
        other_projects=services.other_projects_of(
            {row.application.organisation_id for row in rows},
            besides={row.application.id for row in rows},
        ),
        reviews_open=call_policies.is_review_phase_open(call, utcnow()),
        in_call=services.selected_in_call(call),
        in_programme=services.selected_in_programme(call.programme),
        button_form=ButtonForm(),
        outcomes=list(Outcome),
    )


@bp.post("/manage/applications/<int:application_id>/decision")
@login_required
def decide(application_id):
    require(policies.can_decide(current_user))
    application = db.get_or_404(Application, application_id)
    call_id = application.call_id
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.decide(
                application,
                Outcome(form.outcome.data),
                note=form.note.data or "",
                second_project_reason=form.second_project_reason.data or "",
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_decision_recorded(application), "success")
    else:
        flash(_("Choose a decision."), "error")
    return redirect(url_for(".decisions", call_id=call_id, _anchor=f"application-{application_id}"))


@bp.post("/manage/applications/<int:application_id>/promote")
@login_required
def promote(application_id):
    require(policies.can_decide(current_user))
    application = db.get_or_404(Application, application_id)
    call_id = application.call_id
    form = PromoteForm()
    if form.validate_on_submit():
        try:
            services.promote_from_waitlist(
                application,
                second_project_reason=form.second_project_reason.data or "",
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("Promoted from the waitlist; the applicants are told."), "success")
    return redirect(url_for(".decisions", call_id=call_id))


@bp.post("/manage/projects/<int:project_id>/withdraw")
@login_required
def withdraw(project_id):
    require(policies.can_decide(current_user))
    project = db.get_or_404(Project, project_id)
    if ButtonForm().validate_on_submit():
        try:
            services.withdraw_project(project, by=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("The project has withdrawn; its place is free."), "success")
    return redirect(url_for(".decisions", call_id=project.call_id))


@bp.post("/manage/calls/<int:call_id>/carry-forward")
@login_required
def carry_forward(call_id):
    require(policies.can_decide(current_user))
    call = db.get_or_404(Call, call_id)
    if ButtonForm().validate_on_submit():
        try:
            places = services.carry_forward(call, by=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(
                _("%(count)d place(s) carried forward to the next call.", count=places), "success"
            )
    return redirect(url_for(".decisions", call_id=call.id))


@bp.route("/manage/calls/<int:call_id>/results", methods=["GET", "POST"])
@login_required
def results(call_id):
    require(policies.can_decide(current_user))
    call = db.get_or_404(Call, call_id)
    now = utcnow()
    letters = publishing.letters_of(call, now=now)
    editing = request.form.get("outcome") if request.method == "POST" else None
    forms = {
        outcome: LetterForm(
            prefix=outcome.value,
            formdata=request.form if editing == outcome.value else None,
            obj=letter,
        )
        for outcome, letter in letters.items()
    }
    if editing in {outcome.value for outcome in Outcome}:
        outcome = Outcome(editing)
        form = forms[outcome]
        if form.validate_on_submit():
            try:
                publishing.save_letter(
                    call,
                    outcome,
                    subject=form.subject.data,
                    body=form.body.data,
                    by=current_user,
                    now=now,
                )
            except DomainError as error:
                flash(str(error), "error")
            else:
                flash(_("Letter saved."), "success")
                return redirect(url_for(".results", call_id=call.id))
    db.session.commit()  # the default letters, created on first view
    decided = publishing.decided_applications(call)
    preview_form = PreviewForm(request.args)
    preview_form.application.choices = choice_list(
        (application.id, application.title or application.id) for application, _d in decided
    )
    preview = _preview(decided, letters, preview_form.application.data)
    return render_template(
        "selection/results.html",
        call=call,
        forms=forms,
        decided=decided,
        preview_form=preview_form,
        preview=preview,
    )


@bp.route("/manage/calls/<int:call_id>/publish", methods=["GET", "POST"])
@login_required
def publish(call_id):
    """What publishing will do, and the ticked confirmation that does it."""
    require(policies.can_decide(current_user))
    call = db.get_or_404(Call, call_id)
    now = utcnow()
    form = PublishForm()
    if form.validate_on_submit():
        try:
            sent = publishing.publish_results(call, by=current_user, now=now)
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(
                _("Results published: %(count)d letters are on their way.", count=sent), "success"
            )
            return redirect(url_for(".results", call_id=call.id))
    return render_template(
        "selection/publish.html",
        call=call,
        summary=publication_summary(call, now=now),
        form=form,
        button_form=ButtonForm(),
        now=now,
    )


def _decision_recorded(application) -> str:
    """The confirmation, with the reviews still outstanding while the review phase is open (as
    the decisions page counts them: the ranking's own row)."""
    call = application.call
    if not call_policies.is_review_phase_open(call, utcnow()):
        return _("Decision recorded.")
    row = next(row for row in ranking_for_call(call) if row.application.id == application.id)
    if row.missing_reviews:
        return _(
            "Decision recorded. %(count)d of %(expected)d expected reviews of this application "
            "are still outstanding.",
            count=row.missing_reviews,
            expected=row.expected,
        )
    return _("Decision recorded.")


def _preview(decided, letters, application_id):
    """The letter one applicant would receive, filled for the organisation's first member."""
    for application, decision in decided:
        if application_id in (None, application.id):
            member = publishing.first_member(application)
            if member is None:
                return None
            letter = letters[decision.outcome]
            return {
                "application": application,
                "recipient": member,
                "subject": publishing.fill(letter.subject, application=application, member=member),
                "body": publishing.fill(letter.body, application=application, member=member),
            }
    return None
