"""Pages that belong to no single area: home, dashboard, health check, audit trail."""

from datetime import datetime, time, timedelta

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import text

from accelerator.accounts import policies
from accelerator.core.audit import audit_actions, audit_entries
from accelerator.core.clock import madrid_to_utc
from accelerator.core.forms import AuditFilterForm
from accelerator.core.policies import require
from accelerator.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    return render_template("core/home.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    return render_template("core/dashboard.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 -- the health check reports any database failure
        current_app.logger.warning("health check: database unreachable: %s", error)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/audit")
@login_required
def audit():
    require(policies.can_read_audit(current_user))
    form = AuditFilterForm(request.args, actions=audit_actions())
    filters = {}
    if form.validate():
        filters = {
            "action": form.action.data or None,
            "object_type": form.object_type.data or None,
            "actor_email": form.actor.data or None,
            "since": _madrid_midnight(form.since.data),
            "until": _madrid_midnight(form.until.data, days_after=1),
        }
    page = db.paginate(
        audit_entries(**filters),
        per_page=current_app.config["AUDIT_ENTRIES_PER_PAGE"],
        error_out=False,
    )
    return render_template("core/audit.html", form=form, page=page)


def _madrid_midnight(day, *, days_after: int = 0) -> datetime | None:
    if day is None:
        return None
    return madrid_to_utc(datetime.combine(day + timedelta(days=days_after), time()))
