"""Pages of the accounts area, one module per page group, on one blueprint."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from accelerator.accounts.views import auth, organisations, profile, users  # noqa: E402, F401
