"""A person's own profile."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.accounts import services
from accelerator.accounts.forms import ProfileForm
from accelerator.accounts.views import bp
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm()
    if not form.is_submitted():
        form.name.data = current_user.name
        form.expertise.data = services.expertise_of(current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user, name=form.name.data, expertise=form.expertise.data, now=utcnow()
            )
        except DomainError as error:
            form.expertise.errors.append(str(error))
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for(".profile"))
    return render_template("accounts/profile.html", form=form)
