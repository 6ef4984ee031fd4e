"""Calendar feeds: the address a calendar app reads, and the buttons that replace it."""

from urllib.parse import urlsplit, urlunsplit

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.cohorts.models import Project
from accelerator.core.clock import utcnow
from accelerator.core.forms import ButtonForm
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.mentoring import feeds, policies, services
from accelerator.mentoring.views import bp


@bp.get("/calendar/<token>.ics")
def calendar_feed(token):
    """Public: calendar apps cannot sign in, so the secret token is the credential."""
    feed = feeds.feed_by_token(token)
    if feed is None:
        abort(404)
    response = Response(
        feeds.calendar_of_feed(feed, now=utcnow()), content_type="text/calendar; charset=utf-8"
    )
    # The sessions are private: no shared cache may keep them, nor a search engine list them.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/calendar/mentor/reset")
@login_required
def reset_mentor_feed():
    require(policies.is_mentor(current_user))
    profile = services.mentor_profile_of(current_user)
    if profile is None:
        flash(_("Fill in your mentor profile first."), "info")
        return redirect(url_for(".profile"))
    require(policies.can_use_mentor_feed(current_user, profile))
    if ButtonForm().validate_on_submit():
        now = utcnow()
        feeds.reset_feed(feeds.feed_of_mentor(profile, now=now), by=current_user, now=now)
        _flash_new_address()
    return _back_or(url_for(".my_sessions"))


@bp.post("/projects/<int:project_id>/calendar/reset")
@login_required
def reset_project_feed(project_id):
    project = db.get_or_404(Project, project_id)
    if not policies.can_use_project_feed(current_user, project):
        abort(404)  # as on the project's pages: a guessed id does not reveal the project
    if ButtonForm().validate_on_submit():
        now = utcnow()
        feed = feeds.feed_of_project(project, by=current_user, now=now)
        feeds.reset_feed(feed, by=current_user, now=now)
        _flash_new_address()
    return _back_or(url_for(".project", project_id=project.id))


# --- helpers -----------------------------------------------------------------------------


def _flash_new_address() -> None:
    flash(
        _(
            "The calendar has a new address and the old one no longer works. Subscribe again"
            " with the new address."
        ),
        "success",
    )


def _back_or(fallback: str):
    """Back to the page the button was on when it is a page of this site, else the fallback."""
    parts = urlsplit(request.referrer or "")
    if parts.scheme in ("http", "https") and parts.netloc == request.host:
        # One leading slash only: "//elsewhere" or "/\\elsewhere" would leave the site.
        path = "/" + parts.path.lstrip("/\\")
        return redirect(urlunsplit(("", "", path, parts.query, "")))
    return redirect(fallback)
