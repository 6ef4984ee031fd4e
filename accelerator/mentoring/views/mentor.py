"""The mentor's side: profile and availability; and the mentor directory."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.accounts.enums import EXPERTISE_TAGS
from accelerator.cohorts.queries import organisation_has_projects
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import ButtonForm
from accelerator.core.policies import is_signed_in, require
from accelerator.extensions import db
from accelerator.mentoring import policies, queries, services
from accelerator.mentoring.enums import (
    ATMP_CLASS_TAGS,
    THERAPEUTIC_AREA_TAGS,
    TOPIC_TAGS,
    WEEKDAYS,
    Language,
)
from accelerator.mentoring.forms import (
    AvailabilityExceptionForm,
    AvailabilityRuleForm,
    MentorDirectoryFilterForm,
    MentorProfileForm,
    SlotPreviewForm,
)
from accelerator.mentoring.models import AvailabilityException, AvailabilityRule, MentorProfile
from accelerator.mentoring.slots import bookable_slots
from accelerator.mentoring.views import bp

PREVIEW_DAYS = 14


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    require(policies.can_edit_mentor_profile(current_user))
    existing = services.mentor_profile_of(current_user)
    require(policies.can_edit_mentor_profile(current_user, existing))
    form = MentorProfileForm(obj=existing)
    if existing is not None and not form.is_submitted():
        form.languages.data = sorted(existing.language_codes)
        form.topics.data = sorted(existing.tags & set(TOPIC_TAGS))
        form.atmp_classes.data = sorted(existing.tags & set(ATMP_CLASS_TAGS))
        form.therapeutic_areas.data = sorted(existing.tags & set(THERAPEUTIC_AREA_TAGS))
    if form.validate_on_submit():
        try:
            services.save_mentor_profile(
                current_user,
                bio=form.bio.data or "",
                organisation=form.organisation.data or "",
                languages=form.languages.data or [],
                tags=form.tags,
                monthly_hour_limit=form.monthly_hour_limit.data,
                minimum_notice_hours=form.minimum_notice_hours.data,
                buffer_minutes=form.buffer_minutes.data,
                by=current_user,
                now=utcnow(),
            )
        except services.HourLimitNotPositive as error:
            form.monthly_hour_limit.errors.append(str(error))
        except DomainError as error:
            form.topics.errors.append(str(error))
        else:
            flash(_("Your mentor profile is saved."), "success")
            return redirect(url_for(".availability"))
    elif form.is_submitted():
        _flash_not_saved()
    return render_template("mentoring/profile.html", form=form, profile=existing)


@bp.get("/availability")
@login_required
def availability():
    mentor = _own_profile_or_redirect()
    if not isinstance(mentor, MentorProfile):
        return mentor
    return _availability_page(mentor, AvailabilityRuleForm(), AvailabilityExceptionForm())


@bp.post("/availability/rules")
@login_required
def add_rule():
    mentor = _own_profile_or_redirect()
    if not isinstance(mentor, MentorProfile):
        return mentor
    form = AvailabilityRuleForm()
    if form.validate_on_submit():
        try:
            services.add_availability_rule(
                mentor,
                weekday=form.weekday.data,
                starts_at=form.starts_at.data,
                ends_at=form.ends_at.data,
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            form.ends_at.errors.append(str(error))
        else:
            flash(_("The weekly time is added."), "success")
            return redirect(url_for(".availability"))
    _flash_not_saved()
    return _availability_page(mentor, form, AvailabilityExceptionForm())


@bp.post("/availability/rules/<int:rule_id>/delete")
@login_required
def remove_rule(rule_id):
    require(policies.can_edit_mentor_profile(current_user))
    rule = db.get_or_404(AvailabilityRule, rule_id)
    _own_or_404(rule.mentor_id)
    if ButtonForm().validate_on_submit():
        services.remove_availability_rule(rule, by=current_user, now=utcnow())
        flash(_("The weekly time is removed."), "success")
    return redirect(url_for(".availability"))


@bp.post("/availability/exceptions")
@login_required
def add_exception():
    mentor = _own_profile_or_redirect()
    if not isinstance(mentor, MentorProfile):
        return mentor
    form = AvailabilityExceptionForm()
    if form.validate_on_submit():
        try:
            services.add_availability_exception(
                mentor,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
                note=form.note.data or "",
                by=current_user,
                now=utcnow(),
            )
        except DomainError as error:
            form.last_day.errors.append(str(error))
        else:
            flash(_("The days away are added."), "success")
            return redirect(url_for(".availability"))
    _flash_not_saved()
    return _availability_page(mentor, AvailabilityRuleForm(), form)


@bp.post("/availability/exceptions/<int:exception_id>/delete")
@login_required
def remove_exception(exception_id):
    require(policies.can_edit_mentor_profile(current_user))
    exception = db.get_or_404(AvailabilityException, exception_id)
    _own_or_404(exception.mentor_id)
    if ButtonForm().validate_on_submit():
        services.remove_availability_exception(exception, by=current_user, now=utcnow())
        flash(_("The days away are removed."), "success")
    return redirect(url_for(".availability"))


@bp.get("/mentors")
@login_required
def directory():
    require(
        policies.can_view_mentor_directory(
            current_user, organisation_has_project=_organisation_has_project(current_user)
        )
    )
    form = MentorDirectoryFilterForm(request.args)
    mentors = []
    if form.validate():
        mentors = db.session.scalars(
            queries.mentor_directory(
                tag=form.expertise.data or None,
                language=Language(form.language.data) if form.language.data else None,
                atmp_class_tag=form.atmp_class.data or None,
            )
        ).all()
    return render_template(
        "mentoring/directory.html", form=form, mentors=mentors, expertise_labels=EXPERTISE_TAGS
    )


# --- helpers -----------------------------------------------------------------------------


def _organisation_has_project(user) -> bool:
    if not is_signed_in(user) or user.organisation_id is None:
        return False
    return bool(db.session.scalar(organisation_has_projects(user.organisation_id)))


def _own_profile_or_redirect():
    """The signed-in mentor's profile; availability needs one, so without it, the profile page."""
    require(policies.can_edit_mentor_profile(current_user))
    mentor = services.mentor_profile_of(current_user)
    if mentor is None:
        flash(_("Fill in your mentor profile first."), "info")
        return redirect(url_for(".profile"))
    return mentor


def _own_or_404(mentor_id: int) -> None:
    """Another mentor's rule or exception is not found, so that ids reveal nothing."""
    mentor = services.mentor_profile_of(current_user)
    if mentor is None or mentor.id != mentor_id:
        abort(404)


def _availability_page(mentor, rule_form, exception_form):
    rules = db.session.scalars(queries.rules_of(mentor)).all()
    exceptions = db.session.scalars(queries.exceptions_of(mentor)).all()
    preview = SlotPreviewForm(request.args)
    now = utcnow()
    slots = []
    if preview.validate():
        try:
            # What projects are offered: booked times and their buffers are not free.
            slots = bookable_slots(
                mentor,
                length_minutes=preview.length.data or preview.length.default,
                now=now,
                days=PREVIEW_DAYS,
            )
        except DomainError as error:
            preview.length.errors.append(str(error))
    return render_template(
        "mentoring/availability.html",
        mentor=mentor,
        rules=rules,
        exceptions=exceptions,
        rule_form=rule_form,
        exception_form=exception_form,
        button_form=ButtonForm(),
        preview=preview,
        slots=slots,
        preview_days=PREVIEW_DAYS,
        weekdays=WEEKDAYS,
    )


def _flash_not_saved() -> None:
    flash(_("Nothing was saved: please correct the fields marked below."), "error")
