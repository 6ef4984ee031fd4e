"""The managers' lab report and its exports, and the programme managers' quota table."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.cohorts.models import Project
from accelerator.core.clock import utcnow
from accelerator.core.durations import hours
from accelerator.core.exports import download, table_as_csv, table_as_xlsx
from accelerator.core.forms import LARGEST_INTEGER
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import policies, quota
from accelerator.labs.forms.reports import QuotaForm, ReportPeriodForm
from accelerator.labs.models import Lab
from accelerator.labs.report.charts import lab_charts
from accelerator.labs.report.exports import projects_table, resources_table
from accelerator.labs.report.lab_hours import QuotaGrid, quota_grid
from accelerator.labs.report.periods import period_between
from accelerator.labs.report.utilisation import lab_report
from accelerator.labs.views import bp


@bp.get("/report")
@login_required
def report():
    """Programme managers see every lab; a lab manager, the labs they staff."""
    require(policies.can_view_reports(current_user))
    form = ReportPeriodForm(request.args)
    figures = None
    if form.validate():
        period = period_between(form.first_day.data, form.last_day.data, now=utcnow())
        figures = lab_report(period, viewer=current_user)
    return render_template(
        "labs/report.html",
        form=form,
        report=figures,
        charts=lab_charts(figures) if figures else {},
    )


@bp.get("/report.<any(csv, xlsx):file_format>")
@login_required
def export_report(file_format):
    """The per-project table, or with ?table=resources the per-resource one."""
    require(policies.can_view_reports(current_user))
    table = request.args.get("table", "projects")
    form = ReportPeriodForm(request.args)
    if table not in ("projects", "resources") or not form.validate():
        abort(404)
    period = period_between(form.first_day.data, form.last_day.data, now=utcnow())
    figures = lab_report(period, viewer=current_user)
    header, body = projects_table(figures) if table == "projects" else resources_table(figures)
    if file_format == "csv":
        content = table_as_csv(header, body)
    else:
        title = _("Lab projects") if table == "projects" else _("Lab resources")
        content = table_as_xlsx(header, body, title=title)
    stem = f"lab-{table}-{period.first_day.isoformat()}-{period.last_day.isoformat()}"
    return download(content, file_format=file_format, stem=stem)


@bp.route("/quotas", methods=["GET", "POST"])
@login_required
def quotas():
    """Each active project's hours per quarter at each lab; a post sets one of them."""
    require(policies.can_set_quotas(current_user))
    if request.method == "GET":
        return _quotas_page()
    project = db.get_or_404(Project, _posted_id("project_id"))
    lab = db.get_or_404(Lab, _posted_id("lab_id"))
    form = QuotaForm(project=project, lab=lab)
    if form.validate_on_submit():
        try:
            quota.set_quota(
                lab,
                project,
                minutes_per_quarter=int((form.hours.data * 60).to_integral_value()),
                by=current_user,
                now=utcnow(),
            )
        except quota.QuotaNegative as error:
            form.hours.errors.append(str(error))
        else:
            flash(
                _(
                    "%(project)s has %(hours)s h per quarter at %(lab)s.",
                    project=project.label,
                    hours=format_decimal(form.hours.data),
                    lab=lab.name,
                ),
                "success",
            )
            return redirect(url_for(".quotas", _anchor=f"quota-{project.id}-{lab.id}"))
    flash(_("Nothing was saved: please correct the fields marked below."), "error")
    return _quotas_page(failed=form)


def _posted_id(name: str) -> int:
    value = request.form.get(name, type=int)
    if value is None or not 0 < value <= LARGEST_INTEGER:
        abort(404)  # no row has such an id, and the query could not hold it
    return value


def _quotas_page(*, failed: QuotaForm | None = None):
    """The table with a form per project and lab; `failed` is the one just refused, which keeps
    what was typed and its messages."""
    year, quarter = quota.quarter_of(utcnow())
    grid = quota_grid(year=year, quarter=quarter)
    forms = {
        (project.id, lab.id): _quota_form(grid, project, lab)
        for project in grid.projects
        for lab in grid.labs
    }
    key = (failed.project_id, failed.lab_id) if failed is not None else None
    if key in forms:
        forms[key] = failed
    elif failed is not None:  # a project the table does not list: its messages go on top
        for message in failed.hours.errors:
            flash(message, "error")
    return render_template("labs/quotas.html", grid=grid, quota_forms=forms)


def _quota_form(grid: QuotaGrid, project: Project, lab: Lab) -> QuotaForm:
    # formdata=None: after a refused quota, the other cells show their saved value, not the post.
    usage = grid.usage[(lab.id, project.id)]
    return QuotaForm(
        formdata=None,
        project=project,
        lab=lab,
        data={"hours": hours(usage.quota_minutes)},
    )
