"""Creating, editing and joining an organisation; inviting colleagues."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from accelerator.accounts import organisation_changes, policies
from accelerator.accounts import organisations as services
from accelerator.accounts.forms import InviteForm, OrganisationForm
from accelerator.accounts.models import Organisation, OrganisationChange
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
    return _organisation_page(organisation, InviteForm())


def _organisation_page(organisation, invite_form, status: int = 200):
    return render_template(
        "accounts/organisation.html",
        organisation=organisation,
        members=services.members_of(organisation),
        pending_changes=organisation_changes.pending_changes_of(organisation),
        invite_form=invite_form,
        button_form=ButtonForm(),
    ), status


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id):
    organisation = db.get_or_404(Organisation, organisation_id)
    require(policies.can_edit_organisation(current_user, organisation))
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            waiting = services.update_organisation(
                organisation, by=current_user, now=utcnow(), **_fields(form)
            )
        except services.VatIdTaken as error:
            form.vat_id.errors.append(str(error))
        except organisation_changes.ChangeAlreadyPending as error:
            form[error.field.value].errors.append(str(error))
        else:
            flash(_("The organisation is saved."), "success")
            for change in waiting:
                flash(
                    _(
                        "The change of %(field)s waits for the programme office's confirmation.",
                        field=change.field.label,
                    ),
                    "info",
                )
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
    return _organisation_page(organisation, form, 400)


@bp.post("/organisations/<int:organisation_id>/changes/<int:change_id>/confirm")
@login_required
def confirm_change(organisation_id, change_id):
    return _decide_change(organisation_id, change_id, accepted=True)


@bp.post("/organisations/<int:organisation_id>/changes/<int:change_id>/refuse")
@login_required
def refuse_change(organisation_id, change_id):
    return _decide_change(organisation_id, change_id, accepted=False)


DECIDED = {True: _l("The change is confirmed."), False: _l("The change is refused.")}


def _decide_change(organisation_id: int, change_id: int, *, accepted: bool):
    require(policies.can_decide_organisation_change(current_user))
    change = db.get_or_404(OrganisationChange, change_id)
    if change.organisation_id != organisation_id:
        abort(404)
    if ButtonForm().validate_on_submit():
        try:
            organisation_changes.decide_organisation_change(
                change, accepted=accepted, by=current_user, now=utcnow()
            )
        except DomainError as error:
            flash(str(error), "error")
        else:
            flash(str(DECIDED[accepted]), "success")
    return redirect(url_for(".show_organisation", organisation_id=organisation_id))


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
