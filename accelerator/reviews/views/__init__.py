"""Pages of the review area: the reviewers' side and the managers' side."""

from flask import Blueprint

from accelerator.reviews import policies

bp = Blueprint("reviews", __name__)
bp.add_app_template_global(policies, "review_policy")

from accelerator.reviews.views import manage, reviewer  # noqa: E402, F401
