"""Pages of the lab-access area: resources and bookings, the labs' management, reports."""

from flask import Blueprint

from accelerator.labs import policies

bp = Blueprint("labs", __name__, url_prefix="/labs")
bp.add_app_template_global(policies, "lab_policy")

from accelerator.labs.views import admin, bookings, feeds, reports, resources  # noqa: E402, F401
