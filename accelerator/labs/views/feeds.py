"""A resource's calendar feed: its lab's staff create or replace the secret address.

The address itself is served with every other feed's at /mentoring/calendar/<token>.ics, and
shown by the same page (mentoring.views.feeds).
"""

from flask import url_for
from flask_login import current_user, login_required

from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import feeds, policies
from accelerator.labs.models import Resource
from accelerator.labs.views import bp
from accelerator.mentoring.views.feeds import issue_address


@bp.post("/resources/<int:resource_id>/calendar/reset")
@login_required
def reset_resource_feed(resource_id):
    """Creates the resource's calendar address, or replaces it."""
    require(policies.can_manage_labs_area(current_user))  # a role that may never: 403 first
    resource = db.get_or_404(Resource, resource_id)
    require(feeds.can_use_resource_feed(current_user, resource))
    # The button's page: the resource's week.
    return issue_address(resource, back=url_for(".resource_week", resource_id=resource.id))
