"""The ranking as CSV or XLSX."""

from flask_babel import gettext as _

from accelerator.calls.models import Call
from accelerator.core.exports import XLSX_MIME, table_as_csv, table_as_xlsx
from accelerator.reviews.ranking import RankedApplication

__all__ = ["XLSX_MIME", "ranking_csv", "ranking_xlsx"]


def _table(call: Call, rows: list[RankedApplication]):
    criteria = call.criteria
    header = [_("Rank"), _("ID"), _("Organisation"), _("Title"), _("Score")]
    header += [f"{criterion.name} ({criterion.weight} %)" for criterion in criteria]
    header += [_("Reviews submitted"), _("Reviews expected"), _("Spread"), _("Disagreement")]
    body = []
    for row in rows:
        body.append(
            [
                row.rank,
                row.application.id,
                row.application.organisation.legal_name,
                row.application.title,
                _rounded(row.score),
                *(_rounded(row.criterion_means.get(criterion.id)) for criterion in criteria),
                row.submitted,
                row.expected,
                _rounded(row.spread),
                _("yes") if row.disagreement else "",
            ]
        )
    return [str(title) for title in header], body


def _rounded(value: float | None):
    return "" if value is None else round(value, 2)


def ranking_csv(call: Call, rows: list[RankedApplication]) -> str:
    return table_as_csv(*_table(call, rows))


def ranking_xlsx(call: Call, rows: list[RankedApplication]) -> bytes:
    return table_as_xlsx(*_table(call, rows), title=_("Ranking"))
