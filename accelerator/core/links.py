"""Absolute links for emails and calendar files, built from BASE_URL and never from a request;
and the one check that a path to send someone back to stays on this site.

A request's Host header is whatever the sender typed: a reset link built from it would send the
reset token to the attacker's site. BASE_URL's scheme, host and path prefix are ours.
"""

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter


def base_url_adapter() -> MapAdapter:
    """The app's routes bound to BASE_URL, the same inside a request and outside one."""
    parts = urlsplit(current_app.config["BASE_URL"])
    return current_app.url_map.bind(
        parts.netloc,
        script_name=parts.path.rstrip("/") or "/",
        url_scheme=parts.scheme,
    )


def is_absolute_base_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def absolute_url(endpoint: str, **values) -> str:
    """The full address of a page, e.g. absolute_url("accounts.reset_password", token=token)."""
    return base_url_adapter().build(endpoint, values, force_external=True)


def local_path(target: str | None, *, default: str) -> str:
    """`target` when it is a path on this site, else `default`: "https://elsewhere", "//elsewhere"
    and "/\\elsewhere" (which browsers read as "//elsewhere") would send the person away."""
    if not target or "\\" in target or not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target
