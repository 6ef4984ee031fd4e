"""Creating, editing and joining an organisation; inviting colleagues."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.accounts import organisations as services
from accelerator.accounts import policies
from accelerator.accounts.forms import InviteForm, OrganisationForm
from accelerator.accounts.models import Organisation
from accelerator.accounts.views import bp
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm
from accelerator.core.policies import require
from accelerator.extensions import db

ORGANISATION_FIELDS = (
    "legal_name",
    "kind",
    "vat_id",
    "country",
    "city",
    "founding_year",
    "website",
    "email_domain",
)


def _fields(form: OrganisationForm) -> dict:
    return {name: getattr(form, name).data for name in ORGANISATION_FIELDS}


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def create_organisation():
    require(policies.can_create_organisation(current_user))
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(
                by=current_user, now=utcnow(), **_fields(form)
            )
        except services.VatIdTaken as error:
            form.vat_id.errors.append(str(error))
        else:
            flash(_("%(name)s is created.", name=organisation.legal_name), "success")
            return redirect(url_for(".show_organisation", organisation_id=organisation.id))
    return render_template("accounts/organisation_form.html", form=form, organisation=None)


@bp.get("/organisations/<int:organisation_id>")
@login_required
def show_organisation(organisation_id):
    organisation = db.get_or_404(Organisation, organisation_id)
    require(policies.can_edit_organisation(current_user, organisation))
    members = services.members_of(organisation)
    return render_template(
        "accounts/organisation.html",
        organisation=organisation,
        members=members,
        invite_form=InviteForm(),
    )


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id):
    organisation = db.get_or_404(Organisation, organisation_id)
    require(policies.can_edit_organisation(current_user, organisation))
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            services.update_organisation(
                organisation, by=current_user, now=utcnow(), **_fields(form)
            )
        except services.VatIdTaken as error:
            form.vat_id.errors.append(str(error))
        else:
            flash(_("The organisation is saved."), "success")
            return redirect(url_for(".show_organisation", organisation_id=organisation.id))
    return render_template("accounts/organisation_form.html", form=form, organisation=organisation)


@bp.post("/organisations/<int:organisation_id>/invitations")
@login_required
def invite_colleague(organisation_id):
    organisation = db.get_or_404(Organisation, organisation_id)
    require(policies.can_invite_to_organisation(current_user, organisation))
    form = InviteForm()
    if form.validate_on_submit():
        services.invite_to_organisation(
            organisation, email=form.email.data, by=current_user, now=utcnow()
        )
        flash(_("We have emailed an invitation to %(email)s.", email=form.email.data), "success")
        return redirect(url_for(".show_organisation", organisation_id=organisation.id))
    members = services.members_of(organisation)
    return render_template(
        "accounts/organisation.html",
        organisation=organisation,
        members=members,
        invite_form=form,
    ), 400


@bp.route("/organisations/join/<token>", methods=["GET", "POST"])
@login_required
def join_organisation(token):
    try:
        invitation = services.invitation_for_token(token, now=utcnow())
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("core.dashboard"))
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            organisation = services.accept_invitation(token, by=current_user, now=utcnow())
        except DomainError as error:
            flash(str(error), "error")
            return redirect(url_for("core.dashboard"))
        flash(_("You are now a member of %(name)s.", name=organisation.legal_name), "success")
        return redirect(url_for(".show_organisation", organisation_id=organisation.id))
    return render_template("accounts/join_organisation.html", invitation=invitation, form=form)
