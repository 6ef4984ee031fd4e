"""The labs' management: a manager's labs and expiring authorisations, a lab's details,
opening hours, closures and blackouts, and its staff."""

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.accounts.models import User
from accelerator.core.clock import as_madrid, madrid_to_utc, utcnow
from accelerator.core.durations import hours
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import policies, queries
from accelerator.labs.enums import EXPIRY_WARNING_DAYS
from accelerator.labs.forms.admin_labs import (
    BlackoutForm,
    ClosureForm,
    LabForm,
    OpeningHoursForm,
    StaffForm,
    weekday_choices,
)
from accelerator.labs.models import Blackout, Lab, LabClosure, LabStaff, OpeningHours
from accelerator.labs.services.labs_and_staff import (
    attach_lab_manager,
    create_lab,
    detach_lab_manager,
    update_lab,
)
from accelerator.labs.services.opening import (
    BlackoutHitsBookings,
    ReasonMissing,
    ResourceNotInLab,
    add_blackout,
    add_closure,
    add_opening_hours,
    remove_blackout,
    remove_closure,
    remove_opening_hours,
)
from accelerator.labs.views import bp
from accelerator.labs.views.admin_access import (
    flash_not_saved,
    madrid_today,
    managed_lab_or_404,
    managed_or_404,
    manages_every_lab,
    refuse,
)


@bp.get("/manage")
@login_required
def manage_home():
    require(policies.can_manage_labs_area(current_user))
    return _home_page(LabForm())


@bp.post("/manage/labs")
@login_required
def manage_create_lab():
    require(manages_every_lab())
    form = LabForm()
    if form.validate_on_submit():
        try:
            lab = create_lab(details=form.details(), by=current_user, now=utcnow())
        except DomainError as error:
            refuse(form.name, error)
        else:
            flash(_("The lab %(name)s is created.", name=lab.name), "success")
            return redirect(url_for(".manage_lab", lab_id=lab.id))
    flash_not_saved()
    return _home_page(form)


@bp.route("/manage/labs/<int:lab_id>", methods=["GET", "POST"])
@login_required
def manage_lab(lab_id):
    lab = managed_lab_or_404(lab_id)
    form = LabForm(obj=lab)
    if form.validate_on_submit():
        try:
            update_lab(lab, details=form.details(), by=current_user, now=utcnow())
        except DomainError as error:
            refuse(form.name, error)
        else:
            flash(_("The lab's details are saved."), "success")
            return redirect(url_for(".manage_lab", lab_id=lab_id))
    if form.is_submitted():
        flash_not_saved()
    return _lab_page(lab, details_form=form)


@bp.post("/manage/labs/<int:lab_id>/hours")
@login_required
def manage_add_hours(lab_id):
    lab = managed_lab_or_404(lab_id)
    form = OpeningHoursForm()
    if form.validate_on_submit():
        try:
            add_opening_hours(
                lab,
                weekday=form.weekday.data,
                opens_at=form.opens_at.data,
                closes_at=form.closes_at.data,
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form.closes_at, error)
        else:
            flash(_("The opening hours are added."), "success")
            return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="hours"))
    flash_not_saved()
    return _lab_page(lab, hours_form=form)


@bp.post("/manage/hours/<int:hours_id>/remove")
@login_required
def manage_remove_hours(hours_id):
    window = managed_or_404(OpeningHours, hours_id)
    lab_id = window.lab_id
    if ButtonForm().validate_on_submit():
        remove_opening_hours(window, by=current_user, now=utcnow())
        flash(_("The opening hours are removed."), "success")
    return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="hours"))


@bp.post("/manage/labs/<int:lab_id>/closures")
@login_required
def manage_add_closure(lab_id):
    lab = managed_lab_or_404(lab_id)
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            add_closure(
                lab,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
                reason=form.reason.data or "",
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            refuse(form.last_day, error)
        else:
            flash(_("The closure is added."), "success")
            return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="closures"))
    flash_not_saved()
    return _lab_page(lab, closure_form=form)


@bp.post("/manage/closures/<int:closure_id>/remove")
@login_required
def manage_remove_closure(closure_id):
    closure = managed_or_404(LabClosure, closure_id)
    lab_id = closure.lab_id
    if ButtonForm().validate_on_submit():
        remove_closure(closure, by=current_user, now=utcnow())
        flash(_("The closure is removed."), "success")
    return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="closures"))


@bp.post("/manage/labs/<int:lab_id>/blackouts")
@login_required
def manage_add_blackout(lab_id):
    """The first submission lists the bookings the blackout would cancel and asks to confirm."""
    lab = managed_lab_or_404(lab_id)
    resources = db.session.scalars(queries.resources_of_lab(lab.id)).all()
    form = BlackoutForm(resources=resources)
    if form.validate_on_submit():
        starts_at, ends_at = madrid_to_utc(form.starts_at.data), madrid_to_utc(form.ends_at.data)
        try:
            add_blackout(
                lab,
                resource_id=form.resource_id,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=form.reason.data,
                confirm=form.confirmed,
                by=current_user,
                now=utcnow(),
            )
        except BlackoutHitsBookings as hit:
            return render_template(
                "labs/admin/blackout_confirm.html",
                lab=lab,
                form=form,
                starts_at=starts_at,
                ends_at=ends_at,
                bookings=hit.bookings,
            )
        except ResourceNotInLab as error:
            refuse(form.resource, error)
        except ReasonMissing as error:
            refuse(form.reason, error)
        except DomainError as error:
            refuse(form.ends_at, error)
        else:
            flash(_("The blackout is added."), "success")
            return redirect(url_for(".manage_lab", lab_id=lab_id, _anchor="blackouts"))
    flash_not_saved()
    return _lab_page(lab, blackout_form=form)


@bp.post("/manage/blackouts/<int:blackout_id>/remove")
@login_required
def manage_remove_blackout(blackout_id):
    blackout = managed_or_404(Blackout, blackout_id)
    lab_id = blackout.lab_id
    if ButtonForm().validate_on_submit():
        remove_blackout(blackout, by=current_user, now=utcnow())
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
            attach_lab_manager(lab, user=person, by=current_user, now=utcnow())
        except DomainError as error:
            refuse(form.user, error)
        else:
            flash(_("%(name)s now manages %(lab)s.", name=person.name, lab=lab.name), "success")
            return redirect(url_for(".manage_staff", lab_id=lab_id))
    if form.is_submitted():
        flash_not_saved()
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
        detach_lab_manager(staff, by=current_user, now=utcnow())
        flash(_("%(name)s no longer manages this lab.", name=name), "success")
    return redirect(url_for(".manage_staff", lab_id=lab_id))


# --- pages -------------------------------------------------------------------------------


def _home_page(lab_form):
    every_lab = manages_every_lab()
    labs = db.session.scalars(queries.managed_labs(None if every_lab else current_user.id)).all()
    today = madrid_today()
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
