"""The labs' management: a manager's labs and expiring authorisations, a lab's details, hours,
closures and blackouts, its staff, resources, trainings and authorisations.

A role that may never manage labs gets 403; a lab manager gets 404 for a lab they are not
attached to (and for anything of it), so that ids reveal nothing.
"""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.accounts.models import User
from accelerator.core.clock import as_madrid, madrid_to_utc, utcnow
from accelerator.core.durations import hours
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import policies, queries, services
from accelerator.labs.enums import EXPIRY_WARNING_DAYS
from accelerator.labs.forms.admin import (
    AuthorisationForm,
    BlackoutForm,
    ClosureForm,
    LabForm,
    OpeningHoursForm,
    ResourceForm,
    StaffForm,
    TrainingForm,
    weekday_choices,
)
from accelerator.labs.models import (
    Authorisation,
    Blackout,
    Lab,
    LabClosure,
    LabStaff,
    OpeningHours,
    Resource,
)
from accelerator.labs.views import bp


@bp.get("/manage")
@login_required
def manage_home():
    require(policies.can_manage_labs_area(current_user))
    return _home_page(LabForm())


@bp.post("/manage/labs")
@login_required
def manage_create_lab():
    require(_manages_every_lab())
    form = LabForm()
    if form.validate_on_submit():
        try:
            lab = services.create_lab(details=form.details(), by=current_user, now=utcnow())
        except DomainError as error:
            _refuse(form.name, error)
        else:
            flash(_("The lab %(name)s is created.", name=lab.name), "success")
            return redirect(url_for(".manage_lab", lab_id=lab.id))
    _flash_not_saved()
    return _home_page(form)


@bp.route("/manage/labs/<int:lab_id>", methods=["GET", "POST"])
@login_required
def manage_lab(lab_id):
    lab = _managed_lab_or_404(lab_id)
    form = LabForm(obj=lab)
    if form.validate_on_submit():
        try:
            services.update_lab(lab, details=form.details(), by=current_user, now=utcnow())
        except DomainError as error:
            _refuse(form.name, error)
        else:
            flash(_("The lab's details are saved."), "success")
            return redirect(url_for(".manage_lab", lab_id=lab_id))
    if form.is_submitted():
        _flash_not_saved()
    return _lab_page(lab, details_form=form)


@bp.post("/manage/labs/<int:lab_id>/hours")
@login_required
def manage_add_hours(lab_id):
    lab = _managed_lab_or_404(lab_id)
    form = OpeningHoursForm()
    if form.validate_on_submit():
        try:
            services.add_opening_hours(
                lab,
                weekday=form.weekday.data,
                opens_at=form.opens_at.data,
                closes_at=form.closes_at.data,
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            _refuse(form.closes_at, error)
        else:
            flash(_("The opening hours are added."), "success")
            return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="hours"))
    _flash_not_saved()
    return _lab_page(lab, hours_form=form)


@bp.post("/manage/hours/<int:hours_id>/remove")
@login_required
def manage_remove_hours(hours_id):
    window = _managed_or_404(OpeningHours, hours_id)
    lab_id = window.lab_id
    if ButtonForm().validate_on_submit():
        services.remove_opening_hours(window, by=current_user, now=utcnow())
        flash(_("The opening hours are removed."), "success")
    return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="hours"))


@bp.post("/manage/labs/<int:lab_id>/closures")
@login_required
def manage_add_closure(lab_id):
    lab = _managed_lab_or_404(lab_id)
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            services.add_closure(
                lab,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
                reason=form.reason.data or "",
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            _refuse(form.last_day, error)
        else:
            flash(_("The closure is added."), "success")
            return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="closures"))
    _flash_not_saved()
    return _lab_page(lab, closure_form=form)


@bp.post("/manage/closures/<int:closure_id>/remove")
@login_required
def manage_remove_closure(closure_id):
    closure = _managed_or_404(LabClosure, closure_id)
    lab_id = closure.lab_id
    if ButtonForm().validate_on_submit():
        services.remove_closure(closure, by=current_user, now=utcnow())
        flash(_("The closure is removed."), "success")
    return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="closures"))


@bp.post("/manage/labs/<int:lab_id>/blackouts")
@login_required
def manage_add_blackout(lab_id):
    """The first submission lists the bookings the blackout would cancel and asks to confirm."""
    lab = _managed_lab_or_404(lab_id)
    resources = db.session.scalars(queries.resources_of_lab(lab.id)).all()
    form = BlackoutForm(resources=resources)
    if form.validate_on_submit():
        starts_at, ends_at = madrid_to_utc(form.starts_at.data), madrid_to_utc(form.ends_at.data)
        try:
            services.add_blackout(
                lab,
                resource_id=form.resource_id,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=form.reason.data,
                confirm=form.confirmed,
                by=current_user,
                now=utcnow(),
            )
        except services.BlackoutHitsBookings as hit:
            return render_template(
                "labs/admin/blackout_confirm.html",
                lab=lab,
                form=form,
                starts_at=starts_at,
                ends_at=ends_at,
                bookings=hit.bookings,
            )
        except services.ResourceNotInLab as error:
            _refuse(form.resource, error)
        except services.ReasonMissing as error:
            _refuse(form.reason, error)
        except DomainError as error:
            _refuse(form.ends_at, error)
        else:
            flash(_("The blackout is added."), "success")
            return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="blackouts"))
    _flash_not_saved()
    return _lab_page(lab, blackout_form=form)


@bp.post("/manage/blackouts/<int:blackout_id>/remove")
@login_required
def manage_remove_blackout(blackout_id):
    blackout = _managed_or_404(Blackout, blackout_id)
    lab_id = blackout.lab_id
    if ButtonForm().validate_on_submit():
        services.remove_blackout(blackout, by=current_user, now=utcnow())
        flash(_("The blackout is removed."), "success")
    return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="blackouts"))


@bp.route("/manage/labs/<int:lab_id>/staff", methods=["GET", "POST"])
@login_required
def manage_staff(lab_id):
    require(policies.can_attach_staff(current_user))
    lab = db.get_or_404(Lab, lab_id)
    staff = db.session.scalars(queries.staff_of_lab(lab.id)).all()
    attached = {member.user_id for member in staff}
    candidates = [
        person for person in db.session.scalars(queries.lab_managers()) if person.id not in attached
    ]
    form = StaffForm(candidates=candidates)
    if form.validate_on_submit():
        person = db.session.get(User, form.user.data)
        try:
            services.attach_lab_manager(lab, user=person, by=current_user, now=utcnow())
        except DomainError as error:
            _refuse(form.user, error)
        else:
            flash(_("%(name)s now manages %(lab)s.", name=person.name, lab=lab.name), "success")
            return redirect(url_for(".manage_staff", lab_id=lab_id))
    if form.is_submitted():
        _flash_not_saved()
    return render_template(
        "labs/admin/staff.html", lab=lab, staff=staff, form=form, button_form=ButtonForm()
    )


@bp.post("/manage/staff/<int:staff_id>/remove")
@login_required
def manage_detach_staff(staff_id):
    require(policies.can_attach_staff(current_user))
    staff = db.get_or_404(LabStaff, staff_id)
    lab_id, name = staff.lab_id, staff.user.name
    if ButtonForm().validate_on_submit():
        services.detach_lab_manager(staff, by=current_user, now=utcnow())
        flash(_("%(name)s no longer manages this lab.", name=name), "success")
    return redirect(url_for(".manage_staff", lab_id=lab_id))


@bp.route("/manage/labs/<int:lab_id>/resources/new", methods=["GET", "POST"])
@login_required
def manage_new_resource(lab_id):
    lab = _managed_lab_or_404(lab_id)
    form = ResourceForm(trainings=db.session.scalars(queries.trainings_of_lab(lab.id)).all())
    if form.validate_on_submit():
        try:
            resource = services.create_resource(
                lab, attributes=form.attributes(), by=current_user, now=utcnow()
            )
        except DomainError as error:
            form.show_refusal(error)
        else:
            flash(_("The resource %(name)s is created.", name=resource.name), "success")
            return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="resources"))
    if form.is_submitted():
        _flash_not_saved()
    return render_template("labs/admin/resource_form.html", lab=lab, resource=None, form=form)


@bp.route("/manage/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@login_required
def manage_edit_resource(resource_id):
    resource = _managed_or_404(Resource, resource_id)
    trainings = db.session.scalars(queries.trainings_of_lab(resource.lab_id)).all()
    form = ResourceForm(trainings=trainings)
    if not form.is_submitted():
        form.show(resource)
    if form.validate_on_submit():
        try:
            services.update_resource(
                resource, attributes=form.attributes(), by=current_user, now=utcnow()
            )
        except DomainError as error:
            form.show_refusal(error)
        else:
            flash(_("The resource %(name)s is saved.", name=resource.name), "success")
            return redirect(url_for(".manage_lab", lab_id=resource.lab_id, _anchor="resources"))
    if form.is_submitted():
        _flash_not_saved()
    return render_template(
        "labs/admin/resource_form.html", lab=resource.lab, resource=resource, form=form
    )


@bp.route("/manage/labs/<int:lab_id>/trainings", methods=["GET", "POST"])
@login_required
def manage_trainings(lab_id):
    lab = _managed_lab_or_404(lab_id)
    form = TrainingForm()
    if form.validate_on_submit():
        try:
            services.add_training(
                lab,
                name=form.name.data,
                validity_months=form.validity_months.data,
                by=current_user,
                now=utcnow(),
            )
        except services.ValidityOutOfRange as error:
            _refuse(form.validity_months, error)
        except DomainError as error:
            _refuse(form.name, error)
        else:
            flash(_("The training is added."), "success")
            return redirect(url_for(".manage_trainings", lab_id=lab_id))
    if form.is_submitted():
        _flash_not_saved()
    return _trainings_page(lab, training_form=form)


@bp.post("/manage/labs/<int:lab_id>/authorisations")
@login_required
def manage_record_authorisation(lab_id):
    lab = _managed_lab_or_404(lab_id)
    trainings = db.session.scalars(queries.trainings_of_lab(lab.id)).all()
    form = AuthorisationForm(trainings=trainings, today=_today())
    if form.validate_on_submit():
        training = next(t for t in trainings if t.id == form.training.data)
        try:
            authorisation = services.record_authorisation(
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
    _flash_not_saved()
    return _trainings_page(lab, trainings=trainings, authorisation_form=form)


@bp.post("/manage/authorisations/<int:authorisation_id>/remove")
@login_required
def manage_remove_authorisation(authorisation_id):
    require(policies.can_manage_labs_area(current_user))
    authorisation = db.get_or_404(Authorisation, authorisation_id)
    lab_id = authorisation.training.lab_id
    _require_managed(lab_id)
    if ButtonForm().validate_on_submit():
        services.remove_authorisation(authorisation, by=current_user, now=utcnow())
        flash(_("The authorisation is removed."), "success")
    return redirect(url_for(".manage_trainings", lab_id=lab_id))


# --- pages -------------------------------------------------------------------------------


def _home_page(lab_form):
    every_lab = _manages_every_lab()
    labs = db.session.scalars(queries.managed_labs(None if every_lab else current_user.id)).all()
    today = _today()
    expiring = db.session.scalars(
        queries.expiring_authorisations(
            None if every_lab else [lab.id for lab in labs],
            first_day=today - timedelta(days=EXPIRY_WARNING_DAYS),
            last_day=today + timedelta(days=EXPIRY_WARNING_DAYS),
        )
    ).all()
    return render_template(
        "labs/admin/home.html",
        labs=labs,
        lab_names={lab.id: lab.name for lab in labs},
        expiring=expiring,
        today=today,
        warning_days=EXPIRY_WARNING_DAYS,
        lab_form=lab_form if every_lab else None,
    )


def _lab_page(lab, **forms):
    now = utcnow()
    resources = db.session.scalars(queries.resources_of_lab(lab.id)).all()
    return render_template(
        "labs/admin/lab.html",
        lab=lab,
        resources=resources,
        resource_names={resource.id: resource.name for resource in resources},
        closures=db.session.scalars(
            queries.closures_of_lab(lab.id, from_day=as_madrid(now).date())
        ).all(),
        blackouts=db.session.scalars(queries.blackouts_of_lab(lab.id, after=now)).all(),
        staff=db.session.scalars(queries.staff_of_lab(lab.id)).all(),
        weekdays={choice.value: choice.label for choice in weekday_choices()},
        hours=hours,
        details_form=forms.get("details_form") or LabForm(obj=lab),
        hours_form=forms.get("hours_form") or OpeningHoursForm(formdata=None),
        closure_form=forms.get("closure_form") or ClosureForm(formdata=None),
        blackout_form=forms.get("blackout_form")
        or BlackoutForm(formdata=None, resources=resources),
        button_form=ButtonForm(),
    )


def _trainings_page(lab, *, trainings=None, training_form=None, authorisation_form=None):
    if trainings is None:
        trainings = db.session.scalars(queries.trainings_of_lab(lab.id)).all()
    return render_template(
        "labs/admin/trainings.html",
        lab=lab,
        trainings=trainings,
        authorisations=db.session.scalars(queries.authorisations_of_lab(lab.id)).all(),
        today=_today(),
        training_form=training_form or TrainingForm(formdata=None),
        authorisation_form=authorisation_form
        or AuthorisationForm(formdata=None, trainings=trainings, today=_today()),
        button_form=ButtonForm(),
    )


# --- helpers -----------------------------------------------------------------------------


def _manages_every_lab() -> bool:
    """Programme managers: they may manage a lab without being on its staff."""
    return policies.can_manage_lab(current_user, is_staff=False)


def _managed_lab_or_404(lab_id: int) -> Lab:
    require(policies.can_manage_labs_area(current_user))
    lab = db.get_or_404(Lab, lab_id)
    _require_managed(lab.id)
    return lab


def _managed_or_404(model, object_id: int):
    """A lab's hours, closure, blackout or resource, for those who manage the lab."""
    require(policies.can_manage_labs_area(current_user))
    thing = db.get_or_404(model, object_id)
    _require_managed(thing.lab_id)
    return thing


def _require_managed(lab_id: int) -> None:
    if not services.can_manage(current_user, lab_id):
        abort(404)


def _today():
    return as_madrid(utcnow()).date()


def _refuse(field, error: Exception) -> None:
    field.errors = [*field.errors, str(error)]


def _flash_not_saved() -> None:
    flash(_("Nothing was saved: please correct the fields marked below."), "error")
