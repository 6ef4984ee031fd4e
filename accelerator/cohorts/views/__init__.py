"""Pages of the cohorts area: the members' project space and the managers' dashboard."""

from decimal import Decimal

from flask import Blueprint
from flask_babel import format_currency

from accelerator.cohorts import policies, queries
from accelerator.core.policies import is_signed_in
from accelerator.extensions import db

bp = Blueprint("cohorts", __name__)
bp.add_app_template_global(policies, "cohort_policy")


@bp.app_template_global()
def organisation_has_projects(user) -> bool:
    """Whether the user's organisation runs a project (the dashboard's project card)."""
    if not is_signed_in(user) or user.organisation_id is None:
        return False
    return bool(db.session.scalar(queries.organisation_has_projects(user.organisation_id)))


@bp.app_template_filter()
def euros(cents: int | None, whole: bool = False) -> str:
    """An amount kept in cents, in euros for the reader's locale; whole=True drops the cents."""
    if cents is None:
        return ""
    if whole:
        return format_currency(cents // 100, "EUR", "¤#,##0", currency_digits=False)
    return format_currency(Decimal(cents) / 100, "EUR")


from accelerator.cohorts.views import manage, projects  # noqa: E402, F401
