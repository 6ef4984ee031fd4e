"""The managers' application list as CSV or XLSX, with the same filters as the page."""

from collections.abc import Iterable

from flask_babel import format_datetime
from flask_babel import gettext as _

from accelerator.applications.models import Application
from accelerator.core.exports import XLSX_MIME, table_as_csv, table_as_xlsx

__all__ = ["XLSX_MIME", "as_csv", "as_xlsx", "rows"]


def _columns():
    return [
        (_("ID"), lambda a: a.id),
        (_("Organisation"), lambda a: a.organisation.legal_name),
        (_("Title"), lambda a: a.title),
        (_("Acronym"), lambda a: a.acronym),
        (_("Status"), lambda a: str(a.status.label)),
        (_("ATMP class"), lambda a: str(a.atmp_class.label) if a.atmp_class else ""),
        (
            _("Therapeutic area"),
            lambda a: str(a.therapeutic_area.label) if a.therapeutic_area else "",
        ),
        (
            _("Development stage"),
            lambda a: str(a.development_stage.label) if a.development_stage else "",
        ),
        (_("TRL"), lambda a: a.trl if a.trl is not None else ""),
        (_("Funding sought (EUR)"), lambda a: _euros(a.funding_sought_cents)),
        (
            _("Submitted (Madrid)"),
            lambda a: format_datetime(a.submitted_at, "yyyy-MM-dd HH:mm") if a.submitted_at else "",
        ),
    ]


def _euros(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"{cents // 100}.{cents % 100:02d}"


def rows(applications: Iterable[Application]) -> tuple[list[str], list[list]]:
    columns = _columns()
    header = [str(title) for title, _value in columns]
    return header, [[value(app) for _title, value in columns] for app in applications]


def as_csv(applications: Iterable[Application]) -> str:
    return table_as_csv(*rows(applications))


def as_xlsx(applications: Iterable[Application]) -> bytes:
    return table_as_xlsx(*rows(applications), title=_("Applications"))
