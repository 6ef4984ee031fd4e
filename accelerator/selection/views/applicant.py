"""The applicants' result page: the decision and the reviewers' anonymised comments."""

from flask import abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from accelerator.applications.models import Application
from accelerator.extensions import db
from accelerator.reviews.published import comments_shown
from accelerator.selection import policies
from accelerator.selection.models import Decision
from accelerator.selection.views import bp


@bp.get("/applications/<int:application_id>/result")
@login_required
def result(application_id):
    application = db.get_or_404(Application, application_id)
    published = application.call.results_published_at is not None
    decision = db.session.scalar(select(Decision).where(Decision.application_id == application.id))
    if decision is None or not policies.can_read_result(
        current_user, application, published=published
    ):
        abort(404)
    return render_template(
        "selection/result.html",
        application=application,
        call=application.call,
        decision=decision,
        reviews=comments_shown(application),
    )
