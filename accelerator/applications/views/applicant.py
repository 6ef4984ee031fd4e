"""The applicants' pages: dashboard, form, attachments, submission, withdrawal."""

from decimal import Decimal

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import StringField

from accelerator.applications import attachments as attachment_services
from accelerator.applications import policies, services
from accelerator.applications.enums import DESCRIPTION_SECTIONS, AttachmentKind
from accelerator.applications.fields import EDITABLE_FIELDS
from accelerator.applications.forms import AttachmentForm, application_form_for
from accelerator.applications.guidance import next_step
from accelerator.applications.models import Application, Attachment, Submission
from accelerator.applications.queries import applications_of_organisation
from accelerator.applications.views import bp
from accelerator.calls.models import Call
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm
from accelerator.core.policies import require
from accelerator.extensions import db

PLAIN_FIELDS = tuple(
    name for name in EDITABLE_FIELDS if name not in ("funding_raised_cents", "funding_sought_cents")
)


@bp.get("/applications")
@login_required
def dashboard():
    applications = []
    if current_user.organisation_id is not None:
        applications = (
            db.session.scalars(applications_of_organisation(current_user.organisation_id))
            .unique()
            .all()
        )
    now = utcnow()
    rows = [(application, next_step(application, now)) for application in applications]
    return render_template("applications/dashboard.html", rows=rows, now=now)


@bp.post("/calls/<int:call_id>/apply")
@login_required
def start(call_id):
    call = db.get_or_404(Call, call_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        application = services.start_application(call, by=current_user, now=utcnow())
    except services.AlreadyApplied as error:
        return redirect(url_for(".edit", application_id=error.application_id))
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("calls.public_detail", call_id=call.id))
    return redirect(url_for(".edit", application_id=application.id))


@bp.get("/applications/<int:application_id>")
@login_required
def show(application_id):
    application = _viewable(application_id)
    attachments = services.attachments_of(application)
    return render_template(
        "applications/show.html",
        application=application,
        attachments=attachments,
        missing=services.missing_items(application, attachments=attachments),
        submissions=services.submissions_of(application),
        attachment_form=AttachmentForm(blind_review=application.call.blind_review),
        button_form=ButtonForm(),
        now=utcnow(),
    )


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
def edit(application_id):
    application = _editable(application_id)
    form = application_form_for(application.call)
    if not form.is_submitted():
        _fill_form(form, application)
    if form.validate_on_submit():
        try:
            services.save_draft(
                application,
                by=current_user,
                now=utcnow(),
                fields=_form_fields(form),
                eligibility=_eligibility_from(form, application),
            )
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("Draft saved."), "success")
            return redirect(url_for(".show", application_id=application.id))
    elif form.is_submitted():
        flash(_("Nothing was saved: please correct the fields marked below."), "error")
    return render_template(
        "applications/form.html",
        application=application,
        form=form,
        questions=application.call.eligibility_questions,
        now=utcnow(),
    )


@bp.post("/applications/<int:application_id>/submit")
@login_required
def submit(application_id):
    application = _editable(application_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        submission = services.submit_application(application, by=current_user, now=utcnow())
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".show", application_id=application.id))
    flash(
        _("Submitted. A receipt is on its way to %(email)s.", email=current_user.email), "success"
    )
    return redirect(url_for(".submission", application_id=application.id, number=submission.number))


@bp.get("/applications/<int:application_id>/submissions/<int:number>")
@login_required
def submission(application_id, number):
    application = _viewable(application_id)
    record = db.first_or_404(
        db.select(Submission).where(
            Submission.application_id == application.id, Submission.number == number
        )
    )
    return render_template(
        "applications/submission.html",
        application=application,
        submission=record,
        sections=DESCRIPTION_SECTIONS,
    )


@bp.post("/applications/<int:application_id>/withdraw")
@login_required
def withdraw(application_id):
    return _status_action(
        application_id, services.withdraw_application, _("The application is withdrawn.")
    )


@bp.post("/applications/<int:application_id>/reopen")
@login_required
def reopen(application_id):
    return _status_action(
        application_id, services.reopen_application, _("The application is a draft again.")
    )


@bp.post("/applications/<int:application_id>/attachments")
@login_required
def upload(application_id):
    application = _editable(application_id)
    form = AttachmentForm(blind_review=application.call.blind_review)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attachment_services.add_attachment(
                application,
                kind=AttachmentKind(form.kind.data),
                filename=upload.filename,
                content=upload.read(),
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            form.file.errors.append(str(error))
        else:
            flash(_("%(name)s is uploaded.", name=upload.filename), "success")
            return redirect(url_for(".show", application_id=application.id))
    attachments = services.attachments_of(application)
    return render_template(
        "applications/show.html",
        application=application,
        attachments=attachments,
        missing=services.missing_items(application, attachments=attachments),
        submissions=services.submissions_of(application),
        attachment_form=form,
        button_form=ButtonForm(),
        now=utcnow(),
    ), 400


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id):
    attachment = db.get_or_404(Attachment, attachment_id)
    if not policies.can_download_attachment(current_user, attachment):
        abort(404)
    return send_file(
        attachment_services.stored_path(attachment),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=attachment.original_filename,
    )


@bp.post("/attachments/<int:attachment_id>/delete")
@login_required
def remove(attachment_id):
    attachment = db.get_or_404(Attachment, attachment_id)
    application = attachment.application
    if not policies.can_view_application(current_user, application):
        abort(404)
    if ButtonForm().validate_on_submit():
        try:
            attachment_services.remove_attachment(attachment, by=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("The file is removed."), "success")
    return redirect(url_for(".show", application_id=application.id))


# --- helpers -----------------------------------------------------------------------------


def _viewable(application_id: int) -> Application:
    """The application, or 404 for anyone who may not see it (no hint that it exists)."""
    application = db.get_or_404(Application, application_id)
    if not policies.can_view_application(current_user, application):
        abort(404)
    return application


def _editable(application_id: int) -> Application:
    application = _viewable(application_id)
    require(policies.can_edit_application(current_user, application))
    return application


def _status_action(application_id: int, service, success: str):
    application = _editable(application_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        service(application, by=current_user, now=utcnow())
    except DomainError as error:
        flash(str(error), "error")
    else:
        flash(success, "success")
    return redirect(url_for(".show", application_id=application.id))


def _fill_form(form, application: Application) -> None:
    for name in PLAIN_FIELDS:
        value = getattr(application, name)
        getattr(form, name).data = value.value if hasattr(value, "value") else value
    form.funding_raised.data = _euros(application.funding_raised_cents)
    form.funding_sought.data = _euros(application.funding_sought_cents)
    for question_id, answer in services.eligibility_answers_by_question(application).items():
        field = getattr(form, f"eligibility_{question_id}", None)
        if field is not None:
            field.data = "yes" if answer else "no"


def _form_fields(form) -> dict:
    fields = {}
    for name in PLAIN_FIELDS:
        field = getattr(form, name)
        value = field.data
        if isinstance(field, StringField):  # text areas too
            value = (value or "").strip()  # a field missing from the request is empty, not NULL
        fields[name] = value
    fields["funding_raised_cents"] = _cents(form.funding_raised.data)
    fields["funding_sought_cents"] = _cents(form.funding_sought.data)
    return fields


def _eligibility_from(form, application: Application) -> dict[int, bool | None]:
    answers = {}
    for question in application.call.eligibility_questions:
        value = getattr(form, f"eligibility_{question.id}").data
        answers[question.id] = {"yes": True, "no": False}.get(value)
    return answers


def _cents(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100
