"""A cohort's projects and their figures as CSV or XLSX, as the dashboard shows them."""

from flask_babel import gettext as _

from accelerator.cohorts.dashboard import CohortDashboard, ProjectFigures
from accelerator.core.exports import XLSX_MIME, table_as_csv, table_as_xlsx

__all__ = ["XLSX_MIME", "cohort_csv", "cohort_xlsx"]


def _columns():
    return [
        (_("Cohort"), lambda row: row.project.cohort_year),
        (_("Project"), lambda row: row.project.title),
        (_("Acronym"), lambda row: row.project.acronym),
        (_("Organisation"), lambda row: row.project.organisation.legal_name),
        (_("ATMP class"), lambda row: _label(row.project.atmp_class)),
        (_("Therapeutic area"), lambda row: _label(row.project.therapeutic_area)),
        (_("Entry TRL"), lambda row: row.project.entry_trl),
        (_("Current TRL"), lambda row: row.project.current_trl),
        (_("Milestones"), lambda row: row.milestones),
        (_("Overdue"), lambda row: row.overdue),
        (_("At risk"), lambda row: row.at_risk),
        (_("Done"), lambda row: row.done),
        (_("KPI reports submitted"), lambda row: row.reports),
        (_("Funding raised (EUR)"), lambda row: _euros(row.funding_raised_cents)),
        (_("Latest headcount"), lambda row: _blank_if_none(row.latest_headcount)),
        (_("Patents filed"), lambda row: row.patents_filed),
    ]


def _label(value) -> str:
    return str(value.label) if value is not None else ""


def _blank_if_none(value):
    return "" if value is None else value


def _euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _table(rows: list[ProjectFigures]) -> tuple[list[str], list[list]]:
    columns = _columns()
    return [str(title) for title, _value in columns], [
        [value(row) for _title, value in columns] for row in rows
    ]


def cohort_csv(dashboard: CohortDashboard) -> str:
    return table_as_csv(*_table(dashboard.projects))


def cohort_xlsx(dashboard: CohortDashboard) -> bytes:
    return table_as_xlsx(
        *_table(dashboard.projects), title=_("Cohort %(year)s", year=dashboard.cohort_year)
    )
