"""The lab report as tables for CSV and Excel: per project, and per resource."""

from decimal import Decimal

from flask_babel import gettext as _

from accelerator.labs.report.figures import LabReport


def projects_table(report: LabReport) -> tuple[list[str], list[list]]:
    """The per-project table as the report shows it: hours are Decimals, cost in euros."""
    header = [
        _("From"),
        _("To"),
        _("Project"),
        _("Acronym"),
        _("Cohort"),
        _("Organisation"),
        _("Lab"),
        _("Quarter"),
        _("Bookings"),
        _("Booked (h)"),
        _("Cost (EUR)"),
        _("No-shows"),
        _("Quarter booked (h)"),
        _("Quota (h)"),
        _("Left (h)"),
    ]
    body = [
        [
            report.period.first_day.isoformat(),
            report.period.last_day.isoformat(),
            line.project.title,
            line.project.acronym,
            line.project.cohort_year,
            line.project.organisation.legal_name,
            line.lab.name,
            line.quarter_label,
            line.bookings,
            _plain(line.booked_hours),
            _euros(line.cost_cents),
            line.no_shows,
            _plain(line.quarter_booked_hours),
            _plain(line.quota_hours),
            _plain(line.left_hours),
        ]
        for line in report.projects
    ]
    return header, body


def resources_table(report: LabReport) -> tuple[list[str], list[list]]:
    header = [
        _("From"),
        _("To"),
        _("Lab"),
        _("Resource"),
        _("Kind"),
        _("Open (h)"),
        _("Booked (h)"),
        _("Utilisation (%)"),
        _("Hourly rate (EUR)"),
        _("Cost (EUR)"),
        _("No-shows"),
    ]
    body = [
        [
            report.period.first_day.isoformat(),
            report.period.last_day.isoformat(),
            line.resource.lab.name,
            line.resource.name,
            str(line.resource.kind.label),
            _plain(line.period.open_hours),
            _plain(line.period.booked_hours),
            _plain(line.period.percent),
            _euros(line.resource.hourly_rate_cents),
            _euros(line.cost_cents),
            line.no_shows,
        ]
        for line in report.resources
    ]
    return header, body


def _plain(value: Decimal | None) -> Decimal | str:
    """A Decimal without an exponent (20, not 2E+1), so CSV readers see a plain number."""
    if value is None:
        return ""
    return Decimal(format(value, "f"))


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100
