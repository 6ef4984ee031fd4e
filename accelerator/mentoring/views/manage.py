"""The managers' side: the mentoring report of a year, its exports, and project budgets."""

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DecimalField, IntegerField
from wtforms.validators import InputRequired, NumberRange, StopValidation, ValidationError
from wtforms.widgets import HiddenInput

from accelerator.cohorts.models import Project
from accelerator.core.clock import utcnow
from accelerator.core.exports import download, table_as_csv, table_as_xlsx
from accelerator.core.forms import AppForm, readable_number
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.mentoring import budget, policies
from accelerator.mentoring.report import (
    MentoringReport,
    ProjectLine,
    mentoring_report,
    mentors_table,
    projects_table,
)
from accelerator.mentoring.views import bp

FIRST_YEAR, LAST_YEAR = 2000, 2100
# No project needs more mentoring than there are hours in a year; the cap keeps minutes in range.
MOST_HOURS = Decimal(8760)


def _hours_in_range(form, field):
    # The same message as budget.set_budget's, which refuses a negative budget as well.
    if field.data < 0:
        raise StopValidation(_("The budget is 0 hours or more."))
    if field.data > MOST_HOURS:
        raise StopValidation(_("At most %(hours)s hours.", hours=format_decimal(MOST_HOURS)))


def _half_hours(form, field):
    if (field.data * 2) % 1:
        raise ValidationError(_("Use steps of half an hour, such as 12.5."))


class BudgetForm(AppForm):
    """One project's mentoring budget for one year, in hours.

    The report shows one per project row, so each gets its own element ids; the field names
    stay `year` and `hours`.
    """

    year = IntegerField(
        _l("Year"),
        widget=HiddenInput(),
        validators=[
            InputRequired(_l("Enter the year.")),
            readable_number,
            NumberRange(
                min=FIRST_YEAR,
                max=LAST_YEAR,
                message=_l("Enter a year between %(min)s and %(max)s."),
            ),
        ],
    )
    hours = DecimalField(
        _l("Budget in hours"),
        places=1,
        validators=[
            InputRequired(_l("Enter the budget in hours, 0 for none.")),
            readable_number,
            _hours_in_range,
            _half_hours,
        ],
        render_kw={"step": "0.5", "min": 0},
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project_id = project.id
        for field in self:  # the CSRF token's too: ids are unique on the page
            field.id = field.label.field_id = f"budget-{project.id}-{field.name}"
        self.hours.label.text = _("Budget of %(project)s in hours", project=project.label)


@bp.get("/report")
@login_required
def report():
    require(policies.can_manage_mentoring(current_user))
    year = _year_or_404(request.args.get("year", type=int))
    return _report_page(mentoring_report(year, now=utcnow()))


@bp.get("/report.<any(csv, xlsx):file_format>")
@login_required
def export_report(file_format):
    """The per-project table, or with ?table=mentors the per-mentor one."""
    require(policies.can_manage_mentoring(current_user))
    year = _year_or_404(request.args.get("year", type=int))
    table = request.args.get("table", "projects")
    if table not in ("projects", "mentors"):
        abort(404)
    figures = mentoring_report(year, now=utcnow())
    header, body = projects_table(figures) if table == "projects" else mentors_table(figures)
    if file_format == "csv":
        content = table_as_csv(header, body)
    else:
        content = table_as_xlsx(header, body, title=_("Mentoring %(year)d", year=year))
    stem = f"mentoring-{year}" if table == "projects" else f"mentoring-mentors-{year}"
    return download(content, file_format=file_format, stem=stem)


@bp.post("/projects/<int:project_id>/budget")
@login_required
def save_budget(project_id):
    require(policies.can_manage_mentoring(current_user))
    project = db.get_or_404(Project, project_id)
    form = BudgetForm(project=project)
    if form.validate_on_submit():
        try:
            budget.set_budget(
                project,
                year=form.year.data,
                minutes=int((form.hours.data * 60).to_integral_value()),
                by=current_user,
                now=utcnow(),
            )
        except budget.BudgetNegative as error:
            form.hours.errors.append(str(error))
        else:
            flash(
                _(
                    "%(project)s has %(hours)s h of mentoring in %(year)d.",
                    project=project.label,
                    hours=format_decimal(form.hours.data),
                    year=form.year.data,
                ),
                "success",
            )
            return redirect(
                url_for(".report", year=form.year.data, _anchor=f"project-{project.id}")
            )
    flash(_("Nothing was saved: please correct the fields marked below."), "error")
    for message in form.year.errors:
        flash(message, "error")
    year = form.year.data if not form.year.errors else budget.programme_year_of(utcnow())
    return _report_page(mentoring_report(year, now=utcnow()), failed=form)


def _year_or_404(year: int | None) -> int:
    """The programme year asked for, by default the current Madrid year."""
    if year is None:
        return budget.programme_year_of(utcnow())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return year


def _report_page(figures: MentoringReport, *, failed: BudgetForm | None = None):
    """The report with a budget form per project; `failed` is the one just refused, which
    keeps what was typed and its messages."""
    forms = {line.project.id: _budget_form(line, figures.year) for line in figures.projects}
    if failed is not None and failed.project_id in forms:
        forms[failed.project_id] = failed
    elif failed is not None:  # a project the report does not list: its messages go on top
        for message in failed.hours.errors:
            flash(message, "error")
    return render_template("mentoring/report.html", report=figures, budget_forms=forms)


def _budget_form(line: ProjectLine, year: int) -> BudgetForm:
    # formdata=None: after a refused budget, the other rows show their saved value, not the post.
    return BudgetForm(
        formdata=None,
        project=line.project,
        data={"year": year, "hours": line.usage.budget_hours},
    )
