"""Pages of the review area: the reviewers' side and the managers' side."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)

from accelerator.reviews.views import manage, reviewer  # noqa: E402, F401
