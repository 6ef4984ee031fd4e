"""The labs' management: a lab's resources, its trainings and the authorisations it records."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import policies, queries
from accelerator.labs.forms.admin_resources import AuthorisationForm, ResourceForm, TrainingForm
from accelerator.labs.models import Authorisation, Resource
from accelerator.labs.services.resources import create_resource, update_resource
from accelerator.labs.services.trainings import (
    ValidityOutOfRange,
    add_training,
    record_authorisation,
    remove_authorisation,
)
from accelerator.labs.views import bp
from accelerator.labs.views.admin_access import (
    flash_not_saved,
    madrid_today,
    managed_lab_or_404,
    managed_or_404,
    refuse,
    require_managed,
)


@bp.route("/manage/labs/<int:lab_id>/resources/new", methods=["GET", "POST"])
@login_required
def manage_new_resource(lab_id):
    lab = managed_lab_or_404(lab_id)
    form = ResourceForm(trainings=db.session.scalars(queries.trainings_of_lab(lab.id)).all())
    if form.validate_on_submit():
        try:
            resource = create_resource(
                lab, attributes=form.attributes(), by=current_user, now=utcnow()
            )
        except DomainError as error:
            form.show_refusal(error)
        else:
            flash(_("The resource %(name)s is created.", name=resource.name), "success")
            return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="resources"))
    if form.is_submitted():
        flash_not_saved()
    return render_template("labs/admin/resource_form.html", lab=lab, resource=None, form=form)


@bp.route("/manage/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@login_required
def manage_edit_resource(resource_id):
    resource = managed_or_404(Resource, resource_id)
    trainings = db.session.scalars(queries.trainings_of_lab(resource.lab_id)).all()
    form = ResourceForm(trainings=trainings)
    if not form.is_submitted():
        form.show(resource)
    if form.validate_on_submit():
        try:
            update_resource(resource, attributes=form.attributes(), by=current_user, now=utcnow())
        except DomainError as error:
            form.show_refusal(error)
        else:
            flash(_("The resource %(name)s is saved.", name=resource.name), "success")
            return redirect(url_for(".manage_lab", lab_id=resource.lab_id, _anchor="resources"))
    if form.is_submitted():
        flash_not_saved()
    return render_template(
        "labs/admin/resource_form.html", lab=resource.lab, resource=resource, form=form
    )


@bp.route("/manage/labs/<int:lab_id>/trainings", methods=["GET", "POST"])
@login_required
def manage_trainings(lab_id):
    lab = managed_lab_or_404(lab_id)
    form = TrainingForm()
    if form.validate_on_submit():
        try:
            add_training(
                lab,
                name=form.name.data,
                validity_months=form.validity_months.data,
                by=current_user,
                now=utcnow(),
            )
        except ValidityOutOfRange as error:
            refuse(form.validity_months, error)
        except DomainError as error:
            refuse(form.name, error)
        else:
            flash(_("The training is added."), "success")
            return redirect(url_for(".manage_trainings", lab_id=lab_id))
    if form.is_submitted():
        flash_not_saved()
    return _trainings_page(lab, training_form=form)


@bp.post("/manage/labs/<int:lab_id>/authorisations")
@login_required
def manage_record_authorisation(lab_id):
    lab = managed_lab_or_404(lab_id)
    trainings = db.session.scalars(queries.trainings_of_lab(lab.id)).all()
    form = AuthorisationForm(trainings=trainings, today=madrid_today())
    if form.validate_on_submit():
        training = next(t for t in trainings if t.id == form.training.data)
        try:
            authorisation = record_authorisation(
                training,
                email=form.email.data,
                granted_on=form.granted_on.data,
                expires_on=form.expires_on.data,
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            form.show_refusal(error)
        else:
            flash(
                _(
                    "%(name)s is authorised for %(training)s.",
                    name=authorisation.user.name,
                    training=training.name,
                ),
                "success",
            )
            return redirect(url_for(".manage_trainings", lab_id=lab_id))
    flash_not_saved()
    return _trainings_page(lab, trainings=trainings, authorisation_form=form)


@bp.post("/manage/authorisations/<int:authorisation_id>/remove")
@login_required
def manage_remove_authorisation(authorisation_id):
    require(policies.can_manage_labs_area(current_user))
    authorisation = db.get_or_404(Authorisation, authorisation_id)
    lab_id = authorisation.training.lab_id
    require_managed(lab_id)
    if ButtonForm().validate_on_submit():
        remove_authorisation(authorisation, by=current_user, now=utcnow())
        flash(_("The authorisation is removed."), "success")
    return redirect(url_for(".manage_trainings", lab_id=lab_id))


def _trainings_page(lab, *, trainings=None, training_form=None, authorisation_form=None):
    if trainings is None:
        trainings = db.session.scalars(queries.trainings_of_lab(lab.id)).all()
    return render_template(
        "labs/admin/trainings.html",
        lab=lab,
        trainings=trainings,
        authorisations=db.session.scalars(queries.authorisations_of_lab(lab.id)).all(),
        today=madrid_today(),
        training_form=training_form or TrainingForm(formdata=None),
        authorisation_form=authorisation_form
        or AuthorisationForm(formdata=None, trainings=trainings, today=madrid_today()),
        button_form=ButtonForm(),
    )
