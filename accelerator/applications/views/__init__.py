"""Pages of the applications area: the applicants' side and the managers' side."""

from flask import Blueprint

from accelerator.applications import policies

bp = Blueprint("applications", __name__)
bp.add_app_template_global(policies, "application_policy")

from accelerator.applications.views import applicant, manage  # noqa: E402, F401
