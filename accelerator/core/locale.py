"""Locale and time zone for each request."""

from flask import current_app, request


def select_locale() -> str:
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"
