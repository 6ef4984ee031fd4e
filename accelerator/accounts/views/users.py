"""The managers' users page: search, paginate, grant and revoke roles."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.accounts import policies, queries, services
from accelerator.accounts.enums import Role
from accelerator.accounts.forms import RolesForm, UserSearchForm
from accelerator.accounts.models import User
from accelerator.accounts.views import bp
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db


@bp.get("/users")
@login_required
def list_users():
    require(policies.can_manage_users(current_user))
    form = UserSearchForm(request.args)
    term = form.q.data if form.validate() else None
    page = db.paginate(
        queries.users_matching(term),
        per_page=current_app.config["USERS_PER_PAGE"],
        error_out=False,
    )
    return render_template("accounts/users.html", form=form, page=page, Role=Role)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def show_user(user_id):
    require(policies.can_manage_users(current_user))
    user = db.get_or_404(User, user_id)
    form = RolesForm()
    if not form.is_submitted():
        form.roles.data = [role.value for role in user.roles]
    if form.validate_on_submit():
        try:
            services.set_roles(
                user, {Role(value) for value in form.roles.data}, by=current_user, now=utcnow()
            )
        except DomainError as error:
            form.roles.errors.append(str(error))
        else:
            flash(_("Roles of %(name)s are saved.", name=user.name), "success")
            return redirect(url_for(".show_user", user_id=user.id))
    return render_template("accounts/user.html", user=user, form=form, Role=Role)
