"""The managers' side: a call's application list, exports, detail and eligibility screening."""

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.applications import exports, policies, screening, services
from accelerator.applications.forms import ApplicationFilterForm, EligibilityScreeningForm
from accelerator.applications.models import Application
from accelerator.applications.queries import ApplicationFilters, applications_in_call
from accelerator.applications.views import bp
from accelerator.calls.models import Call
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.exports import download
from accelerator.core.policies import require
from accelerator.extensions import db


def _filters(form: ApplicationFilterForm) -> ApplicationFilters:
    """The filters as typed; an invalid value (?trl=12) matches nothing rather than everything."""
    if not form.validate():
        return ApplicationFilters(matches_nothing=True)
    return ApplicationFilters(
        status=form.status.data or None,
        atmp_class=form.atmp_class.data or None,
        therapeutic_area=form.therapeutic_area.data or None,
        development_stage=form.development_stage.data or None,
        trl=int(form.trl.data) if form.trl.data else None,
        search=form.q.data or None,
    )


@bp.get("/manage/calls/<int:call_id>/applications")
@login_required
def manage_list(call_id):
    require(policies.can_list_applications(current_user))
    call = db.get_or_404(Call, call_id)
    form = ApplicationFilterForm(request.args)
    page = db.paginate(
        applications_in_call(call, _filters(form)),
        per_page=current_app.config["APPLICATIONS_PER_PAGE"],
        error_out=False,
        count=True,
    )
    return render_template("applications/manage_list.html", call=call, form=form, page=page)


@bp.get("/manage/calls/<int:call_id>/applications.<any(csv, xlsx):file_format>")
@login_required
def export(call_id, file_format):
    require(policies.can_list_applications(current_user))
    call = db.get_or_404(Call, call_id)
    form = ApplicationFilterForm(request.args)
    applications = db.session.scalars(applications_in_call(call, _filters(form))).unique().all()
    name = f"applications-{call.year}"
    content = (
        exports.as_csv(applications) if file_format == "csv" else exports.as_xlsx(applications)
    )
    return download(content, file_format=file_format, stem=name)


@bp.route("/manage/applications/<int:application_id>", methods=["GET", "POST"])
@login_required
def manage_detail(application_id):
    require(policies.can_list_applications(current_user))
    application = db.get_or_404(Application, application_id)
    form = EligibilityScreeningForm()
    if form.validate_on_submit():
        try:
            screening.screen_eligibility(
                application,
                eligible=form.verdict.data == "eligible",
                reason=form.reason.data or "",
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            form.verdict.errors.append(str(error))
        else:
            flash(_("Eligibility recorded and the applicants notified."), "success")
            return redirect(url_for(".manage_detail", application_id=application.id))
    submissions = services.submissions_of(application)
    now = utcnow()
    return render_template(
        "applications/manage_detail.html",
        application=application,
        latest=submissions[-1] if submissions else None,
        submissions=submissions,
        attachments=services.attachments_of(application),
        form=form,
        screening_note=screening.screening_note(application, now),
        now=now,
    )
