"""Request-wide behaviour: error pages, security headers, template helpers, mail after commit."""

import logging

from flask import Flask, abort, render_template, request
from flask.globals import request_ctx
from flask_babel import (
    format_date,
    format_datetime,
    format_time,
    format_timedelta,
    get_locale,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import IntegerConverter

from accelerator.accounts import policies as account_policies
from accelerator.core import policies as core_policies
from accelerator.core.errors import NotAllowed
from accelerator.core.forms import LARGEST_INTEGER, madrid_moment
from accelerator.core.links import absolute_url, base_url_adapter
from accelerator.core.mail import send_queued_in_this_request

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RowIdConverter(IntegerConverter):
    """Every route's <int:…>: a number no integer column holds matches no route (a 404, as no
    row has that id) instead of overflowing the query."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_INTEGER, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install(app: Flask) -> None:
    _install_error_pages(app)
    app.before_request(_refuse_nul_bytes)
    app.after_request(_add_security_headers)
    app.after_request(_send_queued_mail)
    app.jinja_env.globals.update(
        absolute_url=absolute_url,
        account_policy=account_policies,
        core_policy=core_policies,
        get_locale=get_locale,
    )
    app.jinja_env.filters["datetime"] = format_moment
    app.jinja_env.filters["date"] = lambda value, style="medium": (
        format_date(value, style) if value else ""
    )
    app.jinja_env.filters["madrid_moment"] = madrid_moment
    # 24-hour times ("14:30") in every language, as the programme's European users write them.
    app.jinja_env.filters["time"] = lambda value: format_time(value, "HH:mm") if value else ""
    app.jinja_env.filters["timeleft"] = lambda delta: format_timedelta(delta, threshold=1)


def format_moment(value, style: str = "medium") -> str:
    """A UTC datetime in Madrid time; "long" spells the date out, without seconds or offset."""
    if not value:
        return ""
    if style == "long":
        return f"{format_date(value, 'long')}, {format_time(value, 'short')}"
    return format_datetime(value, style)


def _refuse_nul_bytes():
    """No text we store may hold a NUL byte (PostgreSQL refuses them): a clear 400 instead."""
    if any("\x00" in value for values in request.values.listvalues() for value in values):
        abort(400, description=_("The request contained a character that is not allowed."))
    if "\x00" in request.path:
        abort(400, description=_("The request contained a character that is not allowed."))


def _add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _send_queued_mail(response):
    # Errors here are recorded on the message; they never change the response.
    send_queued_in_this_request()
    return response


MAX_DRAINED_BYTES = 64 * 1024 * 1024


def _drain_request_body() -> None:
    """Reads and drops an oversized upload so the browser gets the 413 page, not a reset.

    A server that answers before reading the body and then closes the socket makes the client's
    TCP stack report a connection reset instead of the page. Bodies beyond 64 MB are not read.
    """
    stream = request.environ.get("wsgi.input")
    remaining = request.content_length or 0
    if stream is None or remaining > MAX_DRAINED_BYTES:
        return
    while remaining > 0:
        chunk = stream.read(min(64 * 1024, remaining))
        if not chunk:
            return
        remaining -= len(chunk)


def _install_error_pages(app: Flask) -> None:
    def page(template: str, status: int, headers=(), **context):
        return render_template(f"errors/{template}.html", **context), status, list(headers)

    @app.errorhandler(NotAllowed)
    def not_allowed(error):
        return page("403", 403)

    @app.errorhandler(CSRFError)
    def csrf_refused(error):
        return page("400", 400, reason=error.description)

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # Flask built no URL adapter from a Host outside TRUSTED_HOSTS: the page's own links
        # come from BASE_URL instead.
        request_ctx.url_adapter = base_url_adapter()
        return page("400", 400, reason=_("This site does not answer to that address."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 413:
            _drain_request_body()
        if error.code in (403, 404, 405, 413):
            # Keep what the error adds to its headers (a 405's Allow) but not its content type.
            headers = [item for item in error.get_headers() if item[0] != "Content-Type"]
            return page(str(error.code), error.code, headers)
        if error.code and 400 <= error.code < 500:
            return page("400", error.code, reason=error.description)
        return error

    @app.errorhandler(500)
    def server_error(error):
        from accelerator.extensions import db

        db.session.rollback()
        return page("500", 500)
