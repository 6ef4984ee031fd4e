"""Pages of the applications area: the applicants' side and the managers' side."""

from flask import Blueprint

bp = Blueprint("applications", __name__)

from accelerator.applications.views import applicant, manage  # noqa: E402, F401
