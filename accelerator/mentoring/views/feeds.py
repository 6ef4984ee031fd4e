"""Calendar feeds: the address a calendar app reads, and the buttons that create or reset it.

Pages never create a feed (GET requests never write): they say whether an address exists and
offer a button. The button's POST answers with the new address, the one time it is shown.
"""

from urllib.parse import urlsplit, urlunsplit

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.cohorts.models import Project
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm
from accelerator.core.links import absolute_url, local_path
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs.models import Resource
from accelerator.mentoring import feeds, policies, services
from accelerator.mentoring.models import MentorProfile
from accelerator.mentoring.views import bp


@bp.get("/calendar/<token>.ics")
def calendar_feed(token):
    """Public: calendar apps cannot sign in, so the secret token is the credential."""
    feed = feeds.answering_feed(token)
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
    """Creates the mentor's calendar address, or replaces it."""
    require(policies.is_mentor(current_user))
    profile = services.mentor_profile_of(current_user)
    if profile is None:
        flash(_("Fill in your mentor profile first."), "info")
        return redirect(url_for(".profile"))
    return issue_address(profile, back=page_of_the_button(url_for(".my_sessions")))


@bp.post("/projects/<int:project_id>/calendar/reset")
@login_required
def reset_project_feed(project_id):
    """Creates the project's calendar address, or replaces it."""
    project = db.get_or_404(Project, project_id)
    if not policies.can_use_project_feed(current_user, project):
        abort(404)  # as on the project's pages: a guessed id does not reveal the project
    return issue_address(
        project, back=page_of_the_button(url_for(".project", project_id=project.id))
    )


def issue_address(owner: feeds.FeedOwner, *, back: str):
    """Runs the issue and shows the new address (never cached: it is a secret); a refusal goes
    back to the button's page with its message."""
    if not ButtonForm().validate_on_submit():
        return redirect(back)
    try:
        token = feeds.issue_feed(owner, by=current_user, now=utcnow())
    except DomainError as error:
        flash(str(error), "error")
        return redirect(back)
    response = make_response(
        render_template(
            "mentoring/calendar_address.html",
            # The public address a calendar app fetches, whatever Host this request named.
            address=absolute_url("mentoring.calendar_feed", token=token),
            shows=what_the_feed_shows(owner),
            back=back,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def what_the_feed_shows(owner: feeds.FeedOwner) -> str:
    """The sentence every feed's box and address page give about what the calendar holds."""
    if isinstance(owner, MentorProfile):
        return _(
            "Your confirmed mentoring sessions, and those held in the last 90 days, in your"
            " calendar app."
        )
    if isinstance(owner, Resource):
        return _(
            "The bookings of %(resource)s in your calendar app: awaiting approval (tentative),"
            " approved, and completed in the last 90 days. The events name the projects: keep"
            " the address within the lab.",
            resource=owner.name,
        )
    return _(
        "The project's confirmed mentoring sessions and its lab bookings in your calendar app."
    )


def page_of_the_button(fallback: str) -> str:
    """The page the button was on when it is a page of this site, else the fallback."""
    parts = urlsplit(request.referrer or "")
    if parts.scheme in ("http", "https") and parts.netloc == request.host:
        # One leading slash only: "//elsewhere" or "/\\elsewhere" would leave the site.
        path = "/" + parts.path.lstrip("/\\")
        return local_path(urlunsplit(("", "", path, parts.query, "")), default=fallback)
    return fallback
