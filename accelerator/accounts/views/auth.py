"""Registration, confirmation, login, logout and password reset."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from accelerator.accounts import services
from accelerator.accounts.forms import (
    EmailOnlyForm,
    LoginForm,
    RegistrationForm,
    ResetPasswordForm,
)
from accelerator.accounts.views import bp
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm
from accelerator.core.links import local_path
from accelerator.core.throttle import Throttled


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                ip=request.remote_addr,
                now=utcnow(),
            )
        except Throttled as error:
            return _throttled("accounts/register.html", form, error)
        except services.EmailTaken as error:
            form.email.errors.append(str(error))
        except services.PasswordTooShort as error:
            form.password.errors.append(str(error))
        else:
            return render_template("accounts/registered.html", email=user.email)
    return render_template("accounts/register.html", form=form)


@bp.get("/confirm/<token>")
def confirm_email(token):
    try:
        services.confirm_email(token, now=utcnow())
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".resend_confirmation"))
    flash(_("Thank you: your email address is confirmed. You can sign in now."), "success")
    return redirect(url_for("core.dashboard" if current_user.is_authenticated else ".login"))


@bp.route("/confirm", methods=["GET", "POST"])
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        try:
            services.resend_confirmation(form.email.data, ip=request.remote_addr, now=utcnow())
        except Throttled as error:
            return _throttled("accounts/resend_confirmation.html", form, error)
        flash(_("If that address has an unconfirmed account, we have sent it a new link."), "info")
        return redirect(url_for(".login"))
    return render_template("accounts/resend_confirmation.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, ip=request.remote_addr, now=utcnow()
            )
        except Throttled as error:
            return _throttled("accounts/login.html", form, error)
        except services.EmailNotConfirmed as error:
            form.email.errors.append(str(error))
            return render_template("accounts/login.html", form=form, unconfirmed=True)
        except DomainError as error:
            form.password.errors.append(str(error))
        else:
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    form = ButtonForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        try:
            services.request_password_reset(form.email.data, ip=request.remote_addr, now=utcnow())
        except Throttled as error:
            return _throttled("accounts/forgot_password.html", form, error)
        flash(
            _("If an account uses that address, we have emailed it a link valid for one hour."),
            "info",
        )
        return redirect(url_for(".login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        services.user_for_reset_token(token, now=utcnow())
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for(".forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data, now=utcnow())
        except services.PasswordTooShort as error:
            form.password.errors.append(str(error))
        except DomainError as error:
            flash(str(error), "error")
            return redirect(url_for(".forgot_password"))
        else:
            flash(_("Your password has been changed. You can sign in with it now."), "success")
            return redirect(url_for(".login"))
    return render_template("accounts/reset_password.html", form=form)


def _throttled(template: str, form, error: Throttled):
    """The form again with what was typed, and how long to wait next to the email field."""
    form.email.errors.append(str(error))
    return render_template(template, form=form), 429


def _safe_next(target: str | None) -> str:
    return local_path(target, default=url_for("core.dashboard"))
