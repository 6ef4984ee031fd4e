"""The managers' cohort dashboard and its exports."""

from flask import abort, render_template, request
from flask_login import current_user, login_required

from accelerator.cohorts import charts, exports, policies
from accelerator.cohorts.dashboard import CohortDashboard, cohort_dashboard
from accelerator.cohorts.views import bp
from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.exports import download
from accelerator.core.forms import FIRST_YEAR, LAST_YEAR
from accelerator.core.policies import require


@bp.get("/manage/cohorts")
@login_required
def dashboard():
    require(policies.can_view_dashboard(current_user))
    now = utcnow()
    figures = _dashboard_or_404(request.args.get("year", type=int), now=now)
    return render_template(
        "cohorts/dashboard.html",
        dashboard=figures,
        trl_chart=charts.trl_chart(figures.projects),
        funding_chart=charts.funding_chart(figures.cohorts),
        today=as_madrid(now).date(),
    )


@bp.get("/manage/cohorts/<int:cohort_year>.<any(csv, xlsx):file_format>")
@login_required
def export(cohort_year, file_format):
    require(policies.can_view_dashboard(current_user))
    figures = _dashboard_or_404(cohort_year, now=utcnow())
    name = f"cohort-{cohort_year}"
    content = exports.cohort_csv(figures) if file_format == "csv" else exports.cohort_xlsx(figures)
    return download(content, file_format=file_format, stem=name)


def _dashboard_or_404(cohort_year: int | None, *, now) -> CohortDashboard:
    """The figures of one cohort (None: of all), or 404 for a year without a call."""
    if cohort_year is not None and not FIRST_YEAR <= cohort_year <= LAST_YEAR:
        abort(404)  # no call has such a year, and the query could not hold it
    figures = cohort_dashboard(cohort_year, now=now)
    if cohort_year is not None and cohort_year not in figures.call_years:
        abort(404)
    return figures
