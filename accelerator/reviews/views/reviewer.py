"""The reviewers' pages: dashboard, review form, declining, conflicts, joining the pool."""

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user

from accelerator.accounts.enums import Role
from accelerator.accounts.forms import RegistrationForm
from accelerator.accounts.models import User
from accelerator.accounts.queries import organisations_named
from accelerator.applications import attachments as attachment_services
from accelerator.applications.anonymised import CannotAnonymise, anonymised_pdf
from accelerator.applications.models import Attachment
from accelerator.applications.snapshots import submitted_application, submitted_titles
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm, choice_list
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.reviews import policies, pool, services
from accelerator.reviews.assignment import decline_assignment, review_of
from accelerator.reviews.conflicts import (
    conflicts_in_call,
    declarations_of,
    declare_conflict,
    is_conflicted,
)
from accelerator.reviews.forms import (
    ConflictReasonForm,
    DeclineForm,
    OrganisationConflictForm,
    OrganisationSearchForm,
    review_form_for,
)
from accelerator.reviews.models import Assignment
from accelerator.reviews.queries import assignments_of_reviewer
from accelerator.reviews.views import bp

# At most this many organisations answer a search: enough to find one, too few to list them all.
SEARCH_RESULTS = 5


@bp.get("/reviews")
@login_required
def dashboard():
    require(policies.is_reviewer(current_user))
    rows = _without_conflicts(
        db.session.execute(assignments_of_reviewer(current_user.id)).unique().all()
    )
    now = utcnow()
    submitted = sum(1 for _assignment, review in rows if review and review.is_submitted)
    to_do = [
        (assignment, review)
        for assignment, review in rows
        if policies.is_review_to_do(review, assignment.application.call, now)
    ]
    return render_template(
        "reviews/dashboard.html",
        rows=rows,
        titles=submitted_titles([assignment.application_id for assignment, _review in rows]),
        to_do=to_do,
        finished=[row for row in rows if row not in to_do],
        submitted=submitted,
        now=now,
    )


@bp.route("/reviews/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def review(assignment_id):
    assignment = _reviewable(assignment_id)
    application = assignment.application
    submitted = _submitted(application)
    call = application.call
    existing = review_of(assignment)
    form = review_form_for(call.criteria)
    if not form.is_submitted() and existing is not None:
        _fill(form, existing)
    now = utcnow()
    if form.validate_on_submit():
        try:
            services.save_review(
                assignment,
                scores={
                    criterion.id: services.CriterionInput(
                        services.parse_score(form[f"score_{criterion.id}"].data),
                        form[f"comment_{criterion.id}"].data or "",
                    )
                    for criterion in call.criteria
                },
                overall_comment=form.overall_comment.data or "",
                recommendation=form.recommendation.data or None,
                submit=bool(form.submit.data),
                by=current_user,
                now=now,
            )
        except services.ReviewIncomplete as error:
            for name, message in error.problems.items():
                form[name].errors.append(message)
            flash(str(error), "error")
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(
                _("Review submitted. Thank you.") if form.submit.data else _("Draft saved."),
                "success",
            )
            return redirect(url_for(".review", assignment_id=assignment.id))
    return render_template(
        "reviews/review.html",
        assignment=assignment,
        application=application,
        submitted=submitted,
        call=call,
        review=existing,
        form=form,
        # Blind review hides who applies: the people are not even handed to the template.
        people=[] if call.blind_review else _people_of(application),
        editable=policies.is_review_editable(call, now),
        locked_reason=services.why_reviews_are_locked(call, now),
        decline_form=DeclineForm(prefix="decline"),
        conflict_form=ConflictReasonForm(prefix="conflict"),
        now=now,
    )


@bp.get("/reviews/<int:assignment_id>/attachments/<int:attachment_id>")
@login_required
def attachment(assignment_id, attachment_id):
    assignment = _reviewable(assignment_id)
    file = db.get_or_404(Attachment, attachment_id)
    # The files the reviewed submission names, even those the applicants replaced since.
    submitted = _submitted(assignment.application)
    if file.application_id != assignment.application_id or not submitted.names_attachment(file.id):
        abort(404)
    path = attachment_services.stored_path(file)
    if not assignment.application.call.blind_review:
        return send_file(
            path,
            mimetype="application/pdf",
            as_attachment=True,
            download_name=file.original_filename,
        )
    try:
        content = anonymised_pdf(path)
    except CannotAnonymise as error:
        return render_template(
            "reviews/cannot_anonymise.html", assignment=assignment, message=str(error)
        ), 422
    return send_file(
        io.BytesIO(content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{file.kind.value}-{file.id}.pdf",
    )


@bp.post("/reviews/<int:assignment_id>/decline")
@login_required
def decline(assignment_id):
    assignment = _reviewable(assignment_id)
    form = DeclineForm(prefix="decline")
    if form.validate_on_submit():
        try:
            decline_assignment(assignment, reason=form.reason.data, by=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error), "error")
            return redirect(url_for(".review", assignment_id=assignment.id))
        flash(_("You have declined this review; the programme office will reassign it."), "info")
        return redirect(url_for(".dashboard"))
    flash(_("Tell the programme office why you decline."), "error")
    return redirect(url_for(".review", assignment_id=assignment.id))


@bp.post("/reviews/<int:assignment_id>/conflict")
@login_required
def declare_application_conflict(assignment_id):
    assignment = _reviewable(assignment_id)
    form = ConflictReasonForm(prefix="conflict")
    if form.validate_on_submit():
        try:
            declare_conflict(
                current_user,
                reason=form.reason.data,
                by=current_user,
                now=utcnow(),
                application_id=assignment.application_id,
            )
        except DomainError as error:
            flash(str(error), "error")
            return redirect(url_for(".review", assignment_id=assignment.id))
        flash(_("Conflict recorded. This application is no longer yours to review."), "info")
        return redirect(url_for(".dashboard"))
    flash(_("Give the reason for the conflict."), "error")
    return redirect(url_for(".review", assignment_id=assignment.id))


@bp.route("/reviews/conflicts", methods=["GET", "POST"])
@login_required
def conflicts():
    require(policies.can_declare_conflicts(current_user))
    search = OrganisationSearchForm(request.args)
    searched = "q" in request.args and search.validate()
    matches = (
        db.session.scalars(organisations_named(search.q.data, limit=SEARCH_RESULTS + 1)).all()
        if searched
        else []
    )
    form = OrganisationConflictForm()
    form.organisation.choices = choice_list((o.id, o.legal_name) for o in matches[:SEARCH_RESULTS])
    if form.validate_on_submit():
        try:
            declaration = declare_conflict(
                current_user,
                reason=form.reason.data,
                by=current_user,
                now=utcnow(),
                organisation_id=form.organisation.data,
            )
        except DomainError as error:
            form.organisation.errors.append(str(error))
        else:
            flash(*_declared_message(declaration))
            return redirect(url_for(".conflicts"))
    return render_template(
        "reviews/conflicts.html",
        search=search,
        searched=searched,
        more_matches=len(matches) > SEARCH_RESULTS,
        form=form,
        declarations=declarations_of(current_user),
    )


def _declared_message(declaration) -> tuple[str, str]:
    if declaration.awaiting_confirmation:
        return (
            _(
                "Your declaration awaits the programme office: until then you will not see"
                " this organisation's applications."
            ),
            "info",
        )
    return _("Conflict recorded."), "success"


# What joining each pool says (with an account already, and with a new one) and where the new
# member starts: a mentor fills in their profile first.
JOINED = {
    Role.REVIEWER: _l("You are now in the reviewer pool."),
    Role.MENTOR: _l("You are now in the mentor pool."),
}
WELCOMED = {
    Role.REVIEWER: _l("Welcome to the reviewer pool, %(name)s."),
    Role.MENTOR: _l("Welcome to the mentor pool, %(name)s."),
}
FIRST_PAGES = {Role.REVIEWER: "reviews.dashboard", Role.MENTOR: "mentoring.profile"}


@bp.route("/reviewers/join/<token>", methods=["GET", "POST"])
def join_pool(token):
    now = utcnow()
    try:
        invitation = pool.invitation_for_token(token, now=now)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("core.home"))
    if current_user.is_authenticated:
        form = ButtonForm()
        if form.validate_on_submit():
            try:
                pool.accept_as_existing_user(token, by=current_user, now=now)
            except DomainError as error:
                flash(str(error), "error")
                return redirect(url_for("core.dashboard"))
            flash(str(JOINED[invitation.role]), "success")
            return redirect(url_for(FIRST_PAGES[invitation.role]))
        return render_template("reviews/join.html", invitation=invitation, form=form)
    form = RegistrationForm(data={"email": invitation.email})
    if form.validate_on_submit():
        try:
            user = pool.accept_with_new_account(
                token, name=form.name.data, password=form.password.data, now=now
            )
        except DomainError as error:
            form.email.errors.append(str(error))
        else:
            login_user(user)
            flash(str(WELCOMED[invitation.role]) % {"name": user.name}, "success")
            return redirect(url_for(FIRST_PAGES[invitation.role]))
    return render_template("reviews/join.html", invitation=invitation, form=form)


def _without_conflicts(rows):
    """Drops assignments the reviewer has since come into conflict with (a few queries a call)."""
    conflicts = {}
    for call_id in {assignment.application.call_id for assignment, _review in rows}:
        conflicts.update(conflicts_in_call(call_id, reviewer_ids=[current_user.id]))
    return [
        (assignment, review)
        for assignment, review in rows
        if (current_user.id, assignment.application_id) not in conflicts
    ]


def _reviewable(assignment_id: int) -> Assignment:
    """The assignment, or 404 for anyone else, and for a conflicted or declined reviewer."""
    assignment = db.get_or_404(Assignment, assignment_id)
    conflicted = is_conflicted(current_user, assignment.application)
    if not policies.can_review(current_user, assignment, conflicted=conflicted):
        abort(404)
    return assignment


def _submitted(application):
    """What the applicants last submitted, which is what reviewers review."""
    submitted = submitted_application(application)
    if submitted is None:
        abort(404)
    return submitted


def _people_of(application) -> list[User]:
    """The applying organisation's members, whom an open (not blind) review shows."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.organisation_id == application.organisation_id)
            .order_by(User.name, User.id)
        ).unique()
    )


def _fill(form, review) -> None:
    for score in review.scores:
        if f"score_{score.criterion_id}" not in form:
            continue  # a criterion the rubric no longer has (a draft from before a change)
        form[f"score_{score.criterion_id}"].data = "" if score.score is None else str(score.score)
        form[f"comment_{score.criterion_id}"].data = score.comment
    form.overall_comment.data = review.overall_comment
    form.recommendation.data = review.recommendation.value if review.recommendation else None
