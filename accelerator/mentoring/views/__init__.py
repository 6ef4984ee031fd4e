"""Pages of the mentoring area: the mentor's side, the project's side, the managers' side."""

from flask import Blueprint

from accelerator.mentoring import policies

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")
bp.add_app_template_global(policies, "mentoring_policy")

from accelerator.mentoring.views import feeds, manage, mentor, pool, sessions  # noqa: E402, F401
