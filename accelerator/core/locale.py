"""Locale and time zone for each request."""

from flask import current_app, has_request_context, request


def select_locale() -> str | None:
    # Commands (flask create-admin, send-mail) have no request: Babel's default applies.
    if not has_request_context():
        return None
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"
