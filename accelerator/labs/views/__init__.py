"""Pages of the lab-access area: resources and bookings, the labs' management, reports."""

from flask import Blueprint

from accelerator.labs import policies

bp = Blueprint("labs", __name__, url_prefix="/labs")
bp.add_app_template_global(policies, "lab_policy")

from accelerator.labs.views import (  # noqa: E402, F401
    admin_labs,
    admin_resources,
    bookings,
    feeds,
    reports,
    resources,
)
