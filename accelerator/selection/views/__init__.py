"""Pages of the selection area."""

from flask import Blueprint

bp = Blueprint("selection", __name__)

from accelerator.selection.views import applicant, manage  # noqa: E402, F401
