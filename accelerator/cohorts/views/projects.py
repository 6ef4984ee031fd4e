"""The project space of a selected organisation: overview, TRL, milestones and KPI reports.

Anyone who may not see a project gets 404, so that a guessed id does not reveal that it exists.
"""

from decimal import Decimal

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.cohorts import policies, queries, services
from accelerator.cohorts.forms import KPIReportForm, MilestoneForm, TRLForm
from accelerator.cohorts.models import KPIReport, Milestone, Project
from accelerator.cohorts.views import bp
from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs.quota import quarter_of
from accelerator.labs.report.lab_hours import lab_hours_of_project
from accelerator.labs.report.periods import quarter_label
from accelerator.mentoring.budget import programme_year_of, usage_of


@bp.get("/projects")
@login_required
def my_projects():
    projects = []
    if current_user.organisation_id is not None:
        projects = db.session.scalars(
            queries.projects_of_organisation(current_user.organisation_id)
        ).all()
    return render_template("cohorts/projects.html", projects=projects)


@bp.get("/projects/<int:project_id>")
@login_required
def show(project_id):
    project = _viewable(project_id)
    now = utcnow()
    mentoring_year = programme_year_of(now)
    lab_year, lab_quarter = quarter_of(now)
    return render_template(
        "cohorts/project.html",
        project=project,
        history=db.session.scalars(queries.trl_history(project)).all(),
        milestones=db.session.scalars(queries.milestones_of(project)).all(),
        reports=db.session.scalars(queries.kpi_reports_of(project)).all(),
        today=as_madrid(now).date(),
        editable=policies.can_edit_project(current_user, project),
        mentoring_year=mentoring_year,
        mentoring=usage_of(project.id, mentoring_year),
        lab_quarter=quarter_label(lab_year, lab_quarter),
        lab_hours=lab_hours_of_project(project.id, year=lab_year, quarter=lab_quarter),
    )


@bp.route("/projects/<int:project_id>/trl", methods=["GET", "POST"])
@login_required
def change_trl(project_id):
    project = _editable(project_id)
    form = TRLForm()
    if not form.is_submitted():
        form.trl.data = project.current_trl
    if form.validate_on_submit():
        try:
            services.update_trl(
                project, trl=form.trl.data, note=form.note.data or "", by=current_user, now=utcnow()
            )
        except DomainError as error:
            form.trl.errors.append(str(error))
        else:
            flash(_("TRL %(trl)d is recorded.", trl=project.current_trl), "success")
            return redirect(url_for(".show", project_id=project.id))
    elif form.is_submitted():
        _flash_not_saved()
    return render_template("cohorts/trl_form.html", project=project, form=form)


@bp.route("/projects/<int:project_id>/milestones/new", methods=["GET", "POST"])
@login_required
def new_milestone(project_id):
    project = _editable(project_id)
    return _milestone_page(project, MilestoneForm(), milestone=None)


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@login_required
def edit_milestone(project_id, milestone_id):
    project = _editable(project_id)
    milestone = _milestone_of(project, milestone_id)
    return _milestone_page(project, MilestoneForm(obj=milestone), milestone=milestone)


@bp.get("/projects/<int:project_id>/milestones/<int:milestone_id>/evidence")
@login_required
def evidence(project_id, milestone_id):
    project = _viewable(project_id)
    milestone = _milestone_of(project, milestone_id)
    if not milestone.has_evidence_file:
        abort(404)
    return send_file(
        services.evidence_path(milestone),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=milestone.evidence_filename,
    )


@bp.route("/projects/<int:project_id>/reports/new", methods=["GET", "POST"])
@login_required
def new_report(project_id):
    project = _editable(project_id)
    form = KPIReportForm()
    if not form.is_submitted():
        form.year.data, form.quarter.data = services.current_quarter(utcnow())
    return _report_page(project, form, report=None)


@bp.route("/projects/<int:project_id>/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit_report(project_id, report_id):
    project = _editable(project_id)
    report = db.first_or_404(
        db.select(KPIReport).where(KPIReport.id == report_id, KPIReport.project_id == project.id)
    )
    if report.is_locked:
        flash(
            _("The report for %(quarter)s is submitted and locked.", quarter=report.label), "error"
        )
        return redirect(url_for(".show", project_id=project.id))
    form = KPIReportForm(obj=report)
    if not form.is_submitted():
        form.funding_raised.data = Decimal(report.funding_raised_cents) / 100
    return _report_page(project, form, report=report)


# --- helpers -----------------------------------------------------------------------------


def _viewable(project_id: int) -> Project:
    """The project, or 404 for anyone who may not see it."""
    project = db.get_or_404(Project, project_id)
    if not policies.can_view_project(current_user, project):
        abort(404)
    return project


def _editable(project_id: int) -> Project:
    project = _viewable(project_id)
    require(policies.can_edit_project(current_user, project))
    return project


def _milestone_of(project: Project, milestone_id: int) -> Milestone:
    return db.first_or_404(
        db.select(Milestone).where(Milestone.id == milestone_id, Milestone.project_id == project.id)
    )


def _milestone_page(project: Project, form: MilestoneForm, *, milestone: Milestone | None):
    if form.validate_on_submit():
        upload = form.evidence.data
        values = {
            "title": form.title.data,
            "due_date": form.due_date.data,
            "status": form.status.data,
            "evidence_note": form.evidence_note.data or "",
            "evidence": services.EvidencePdf(upload.filename, upload.read()) if upload else None,
            "by": current_user,
            "now": utcnow(),
        }
        try:
            if milestone is None:
                services.add_milestone(project, **values)
            else:
                services.update_milestone(milestone, **values)
        except DomainError as error:
            form.evidence.errors.append(str(error))
        else:
            flash(_("The milestone is saved."), "success")
            return redirect(url_for(".show", project_id=project.id))
    elif form.is_submitted():
        _flash_not_saved()
    return render_template(
        "cohorts/milestone_form.html", project=project, form=form, milestone=milestone
    )


def _report_page(project: Project, form: KPIReportForm, *, report: KPIReport | None):
    if form.validate_on_submit():
        submit = form.submit_report.data
        try:
            services.save_kpi_report(
                project,
                report=report,
                year=form.year.data,
                quarter=form.quarter.data,
                fields=_kpi_fields(form),
                submit=submit,
                by=current_user,
                now=utcnow(),
            )
        except (
            services.KPIReportExists,
            services.QuarterInFuture,
            services.QuarterOutOfRange,
        ) as error:
            form.quarter.errors.append(str(error))
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(_("The report is submitted.") if submit else _("Draft saved."), "success")
            return redirect(url_for(".show", project_id=project.id))
    elif form.is_submitted():
        _flash_not_saved()
    return render_template("cohorts/report_form.html", project=project, form=form, report=report)


def _flash_not_saved() -> None:
    flash(_("Nothing was saved: please correct the fields marked below."), "error")


def _kpi_fields(form: KPIReportForm) -> dict:
    return {
        "funding_raised_cents": int((form.funding_raised.data * 100).to_integral_value()),
        "headcount": form.headcount.data,
        "patents_filed": form.patents_filed.data,
        "regulatory_milestones": form.regulatory_milestones.data or "",
        "clinical_trial_status": form.clinical_trial_status.data,
    }
