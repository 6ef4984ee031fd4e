"""The managers' side: reviewer pool, conflicts, assignments, ranking and progress."""

from collections import defaultdict

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.accounts.enums import Role
from accelerator.accounts.models import Organisation
from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.exports import download
from accelerator.core.forms import ButtonForm, choice_list
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.reviews import exports, policies, pool
from accelerator.reviews.assignment import (
    assign_reviewer,
    assignments_in_call,
    auto_assign,
    plan_for_call,
    reviewable_applications,
    unassign_reviewer,
)
from accelerator.reviews.blind_declarations import awaiting_confirmation_in
from accelerator.reviews.conflicts import (
    confirm_declaration,
    conflicts_in_call,
    declare_conflict,
    refuse_declaration,
)
from accelerator.reviews.forms import AssignForm, InviteReviewerForm, ManagerConflictForm
from accelerator.reviews.models import Assignment, ConflictDeclaration
from accelerator.reviews.published import reviewed_pairs_now_conflicted
from accelerator.reviews.queries import progress_in_call
from accelerator.reviews.ranking import ranking_for_call
from accelerator.reviews.views import bp


@bp.route("/manage/reviewers", methods=["GET", "POST"])
@login_required
def reviewer_pool():
    require(policies.can_manage_reviews(current_user))
    form = InviteReviewerForm()
    if form.validate_on_submit():
        pool.invite_reviewer(form.email.data, by=current_user, now=utcnow())
        flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
        return redirect(url_for(".reviewer_pool"))
    return render_template(
        "reviews/pool.html",
        form=form,
        reviewers=pool.reviewer_pool(),
        invitations=pool.pending_invitations(role=Role.REVIEWER),
    )


@bp.get("/manage/calls/<int:call_id>/assignments")
@login_required
def assignments(call_id):
    require(policies.can_manage_reviews(current_user))
    call = db.get_or_404(Call, call_id)
    applications = reviewable_applications(call)
    by_application = defaultdict(list)
    for assignment in assignments_in_call(call):
        by_application[assignment.application_id].append(assignment)
    reviewers = pool.reviewer_pool()
    return render_template(
        "reviews/assignments.html",
        call=call,
        applications=applications,
        by_application=by_application,
        reviewer_choices=choice_list((r.id, r.name) for r in reviewers),
        button_form=ButtonForm(),
        assign_form=AssignForm(),
    )


@bp.route("/manage/calls/<int:call_id>/assignments/automatic", methods=["GET", "POST"])
@login_required
def automatic_assignment(call_id):
    require(policies.can_manage_reviews(current_user))
    call = db.get_or_404(Call, call_id)
    form = ButtonForm()
    if form.validate_on_submit():
        plan = auto_assign(call, by=current_user, now=utcnow())
        flash(_("%(count)d assignments saved.", count=len(plan.new_pairs)), "success")
        if plan.short:
            flash(
                _(
                    "%(count)d application(s) lack enough reviewers without a conflict.",
                    count=len(plan.short),
                ),
                "warning",
            )
        return redirect(url_for(".assignments", call_id=call.id))
    plan = plan_for_call(call)
    applications = {app.id: app for app in reviewable_applications(call)}
    reviewers = {reviewer.id: reviewer for reviewer in pool.reviewer_pool()}
    return render_template(
        "reviews/automatic.html",
        call=call,
        plan=plan,
        applications=applications,
        reviewers=reviewers,
        form=form,
    )


@bp.post("/manage/applications/<int:application_id>/assign")
@login_required
def assign(application_id):
    require(policies.can_manage_reviews(current_user))
    application = db.get_or_404(Application, application_id)
    form = AssignForm()
    form.reviewer.choices = choice_list((r.id, r.name) for r in pool.reviewer_pool())
    if form.validate_on_submit():
        reviewer = db.get_or_404(pool.User, form.reviewer.data)
        try:
            assign_reviewer(application, reviewer, by=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("%(name)s is assigned.", name=reviewer.name), "success")
    else:
        flash(_("Choose a reviewer."), "error")
    return redirect(url_for(".assignments", call_id=application.call_id))


@bp.post("/manage/assignments/<int:assignment_id>/remove")
@login_required
def unassign(assignment_id):
    require(policies.can_manage_reviews(current_user))
    assignment = db.get_or_404(Assignment, assignment_id)
    call_id = assignment.application.call_id
    if ButtonForm().validate_on_submit():
        try:
            unassign_reviewer(assignment, by=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("Assignment removed."), "success")
    return redirect(url_for(".assignments", call_id=call_id))


@bp.route("/manage/calls/<int:call_id>/conflicts", methods=["GET", "POST"])
@login_required
def conflict_matrix(call_id):
    require(policies.can_manage_reviews(current_user))
    call = db.get_or_404(Call, call_id)
    reviewers = pool.reviewer_pool()
    form = ManagerConflictForm()
    form.reviewer.choices = choice_list((r.id, r.name) for r in reviewers)
    form.organisation.choices = choice_list(
        (o.id, o.legal_name)
        for o in db.session.scalars(db.select(Organisation).order_by(Organisation.legal_name))
    )
    if form.validate_on_submit():
        reviewer = db.get_or_404(pool.User, form.reviewer.data)
        try:
            declare_conflict(
                reviewer,
                reason=form.reason.data,
                by=current_user,
                now=utcnow(),
                organisation_id=form.organisation.data,
            )
        except DomainError as error:
            form.organisation.errors.append(str(error))
        else:
            flash(_("Conflict recorded for %(name)s.", name=reviewer.name), "success")
            return redirect(url_for(".conflict_matrix", call_id=call.id))
    page = db.paginate(
        db.select(Application).where(Application.call_id == call.id).order_by(Application.id),
        per_page=25,
        error_out=False,
    )
    return render_template(
        "reviews/conflicts_matrix.html",
        call=call,
        reviewers=reviewers,
        page=page,
        conflicts=conflicts_in_call(call.id),
        form=form,
        awaiting=awaiting_confirmation_in(call),
        button_form=ButtonForm(),
    )


@bp.post("/manage/calls/<int:call_id>/conflicts/<int:declaration_id>/confirm")
@login_required
def confirm_conflict(call_id, declaration_id):
    return _decide_declaration(
        call_id, declaration_id, confirm_declaration, _("Declaration confirmed.")
    )


@bp.post("/manage/calls/<int:call_id>/conflicts/<int:declaration_id>/refuse")
@login_required
def refuse_conflict(call_id, declaration_id):
    return _decide_declaration(
        call_id, declaration_id, refuse_declaration, _("Declaration refused and deleted.")
    )


def _decide_declaration(call_id: int, declaration_id: int, decide, done: str):
    require(policies.can_manage_reviews(current_user))
    call = db.get_or_404(Call, call_id)
    declaration = db.get_or_404(ConflictDeclaration, declaration_id)
    if ButtonForm().validate_on_submit():
        try:
            decide(declaration, by=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(done, "success")
    return redirect(url_for(".conflict_matrix", call_id=call.id))


@bp.get("/manage/calls/<int:call_id>/ranking")
@login_required
def ranking(call_id):
    require(policies.can_manage_reviews(current_user))
    call = db.get_or_404(Call, call_id)
    normalise = request.args.get("normalise") == "1"
    published = call.results_published_at is not None
    return render_template(
        "reviews/ranking.html",
        call=call,
        rows=ranking_for_call(call, normalise=normalise),
        normalise=normalise,
        conflicted_since=reviewed_pairs_now_conflicted(call) if published else [],
    )


@bp.get("/manage/calls/<int:call_id>/ranking.<any(csv, xlsx):file_format>")
@login_required
def ranking_export(call_id, file_format):
    require(policies.can_manage_reviews(current_user))
    call = db.get_or_404(Call, call_id)
    normalise = request.args.get("normalise") == "1"
    rows = ranking_for_call(call, normalise=normalise)
    name = f"ranking-{call.year}{'-normalised' if normalise else ''}"
    content = (
        exports.ranking_csv(call, rows)
        if file_format == "csv"
        else exports.ranking_xlsx(call, rows)
    )
    return download(content, file_format=file_format, stem=name)


@bp.get("/manage/calls/<int:call_id>/review-progress")
@login_required
def progress(call_id):
    require(policies.can_manage_reviews(current_user))
    call = db.get_or_404(Call, call_id)
    now = utcnow()
    return render_template(
        "reviews/progress.html", call=call, rows=progress_in_call(call, now=now), now=now
    )
