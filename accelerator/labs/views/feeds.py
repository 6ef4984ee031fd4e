"""A resource's calendar feed: its lab's staff replace the secret address.

The address itself is served with every other feed's at /mentoring/calendar/<token>.ics.
"""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.core.clock import utcnow
from accelerator.core.forms import ButtonForm
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import feeds, policies
from accelerator.labs.models import Resource
from accelerator.labs.views import bp
from accelerator.mentoring.feeds import reset_feed


@bp.post("/resources/<int:resource_id>/calendar/reset")
@login_required
def reset_resource_feed(resource_id):
    require(policies.can_manage_labs_area(current_user))  # a role that may never: 403 first
    resource = db.get_or_404(Resource, resource_id)
    require(feeds.can_use_resource_feed(current_user, resource))
    if ButtonForm().validate_on_submit():
        now = utcnow()
        feed = feeds.feed_of_resource(resource, by=current_user, now=now)
        reset_feed(feed, by=current_user, now=now)
        flash(
            _(
                "The calendar has a new address and the old one no longer works. Subscribe"
                " again with the new address."
            ),
            "success",
        )
    return redirect(url_for(".resource_week", resource_id=resource.id))  # the button's page
