"""The managers' side of the mentor pool: who mentors, and inviting more by email."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.accounts.enums import Role
from accelerator.core.clock import utcnow
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.mentoring import policies
from accelerator.mentoring.models import MentorProfile
from accelerator.mentoring.views import bp
from accelerator.reviews import pool
from accelerator.reviews.forms import InviteReviewerForm


@bp.route("/pool", methods=["GET", "POST"])
@login_required
def mentor_pool():
    require(policies.can_manage_mentoring(current_user))
    form = InviteReviewerForm()
    if form.validate_on_submit():
        pool.invite_to_pool(form.email.data, role=Role.MENTOR, by=current_user, now=utcnow())
        flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
        return redirect(url_for(".mentor_pool"))
    return render_template(
        "mentoring/pool.html",
        form=form,
        mentors=pool.pool_members(Role.MENTOR),
        with_profile=set(db.session.scalars(db.select(MentorProfile.user_id))),
        invitations=pool.pending_invitations(role=Role.MENTOR),
    )
