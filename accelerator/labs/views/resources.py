"""Finding and booking resources: the list with filters, a resource's week, the booking form,
and the waiting list for a taken time."""

from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accelerator.cohorts.queries import projects_of_organisation
from accelerator.core.clock import as_madrid, madrid_to_utc, utcnow
from accelerator.core.errors import DomainError
from accelerator.core.forms import FIRST_YEAR, LAST_YEAR, parse_madrid_moment
from accelerator.core.policies import is_signed_in, require
from accelerator.extensions import db
from accelerator.labs import feeds, policies, queries, schedule, waitlist
from accelerator.labs.availability import Interval
from accelerator.labs.booking import book_resource
from accelerator.labs.booking_rules import (
    BookingOverlap,
    EndNotAfterStart,
    MissingTraining,
    OperatorNotInProject,
    Request,
    TooLong,
    TooShort,
)
from accelerator.labs.enums import BookingStatus
from accelerator.labs.forms.booking import BookingForm, ResourceFilterForm, WaitlistForm
from accelerator.labs.models import Resource
from accelerator.labs.quota import QuotaExceeded
from accelerator.labs.staff import can_manage
from accelerator.labs.views import bp
from accelerator.mentoring.views.feeds import what_the_feed_shows

# Which booking field shows a refusal; any other refusal is about the start time.
FIELD_OF_REFUSAL = (
    ((EndNotAfterStart, TooShort, TooLong), "ends"),
    ((MissingTraining, OperatorNotInProject), "operator"),
    ((QuotaExceeded,), "project"),
)


@bp.get("/resources")
@login_required
def resources():
    """Active resources of every lab, narrowed by their attributes and by free time."""
    _require_browsing(_organisation_projects())
    form = ResourceFilterForm(request.args, labs=db.session.execute(queries.lab_names()).all())
    found, free = [], {}
    if form.validate():
        found = db.session.scalars(queries.resources_matching(**form.attribute_filters)).all()
        if form.wants_free_time:
            first_day, last_day = form.free_days
            free = schedule.first_free_slots(
                found,
                first_day=first_day,
                last_day=last_day,
                minutes=form.free_minutes,
                now=utcnow(),
            )
            found = [resource for resource in found if resource.id in free]
    return render_template("labs/resources.html", form=form, resources=found, free=free)


@bp.get("/resources/<int:resource_id>")
@login_required
def resource_week(resource_id):
    """The resource's week, Monday to Sunday, step by step: closed, blacked out, booked or
    free (a link to the booking form). Other projects' bookings show only as booked."""
    projects = _organisation_projects()
    _require_browsing(projects)
    resource = _active_resource_or_404(resource_id)
    now = utcnow()
    manages = can_manage(current_user, resource.lab_id)
    feed = feeds.feed_of_resource(resource, by=current_user) if manages else None
    monday = _monday_of(request.args.get("week"), today=as_madrid(now).date())
    first, last = schedule.week_bounds(monday)
    calendar = schedule.calendars_of([resource], first=first, last=last)[resource.id]
    week = schedule.week_of(resource, calendar, monday=monday, now=now)
    held_by = {booking.project_id for booking in calendar.bookings}
    project_names = {}
    if manages and held_by:
        project_names = {
            project.id: project.label
            for project in db.session.scalars(queries.projects_named(held_by))
        }
    return render_template(
        "labs/resource_week.html",
        resource=resource,
        week=week,
        closures=calendar.closures,
        blackouts=calendar.blackouts,
        today=as_madrid(now).date(),
        own_project_ids={project.id for project in projects},
        manages=manages,
        project_names=project_names,
        can_book=bool(_bookable(projects)),
        feed=feed,
        feed_shows=what_the_feed_shows(resource),
    )


@bp.route("/resources/<int:resource_id>/book", methods=["GET", "POST"])
@login_required
def book(resource_id):
    """The booking form: the service checks every rule and each refusal shows next to its
    field; a taken time offers the next free one and the waiting list."""
    projects = _bookable(_organisation_projects())
    require(bool(projects))
    resource = _active_resource_or_404(resource_id)
    form = BookingForm(
        projects=projects,
        members=db.session.execute(
            queries.members_of_organisation(current_user.organisation_id)
        ).all(),
        step_minutes=resource.booking_step_minutes,
    )
    if not form.is_submitted():
        _prefill(form, resource, projects)
    overlap = None
    if form.validate_on_submit():
        project = next(project for project in projects if project.id == form.project.data)
        try:
            made = book_resource(
                resource,
                project,
                Request(
                    starts_at=form.starts_at,
                    ends_at=form.ends_at,
                    operator_id=form.operator.data,
                    purpose=form.purpose.data,
                ),
                by=current_user,
                now=utcnow(),
            )
        except BookingOverlap as error:
            form.starts.errors.append(str(error))
            overlap = _overlap_offer(form, error.next_free)
        except DomainError as error:
            form[_field_of(error)].errors.append(str(error))
        else:
            if made.status == BookingStatus.APPROVED:
                flash(_("The resource is booked for you."), "success")
            else:
                flash(_("Your booking is requested: the lab will approve or reject it."), "success")
            return redirect(url_for(".booking", booking_id=made.id))
        resource = db.get_or_404(Resource, resource_id)  # the refusal rolled back
    return render_template("labs/book.html", resource=resource, form=form, overlap=overlap)


@bp.post("/resources/<int:resource_id>/waitlist")
@login_required
def join_waitlist(resource_id):
    """Waits for a taken time: the person is emailed once if it frees up."""
    projects = _bookable(_organisation_projects())
    require(bool(projects))
    resource = _active_resource_or_404(resource_id)
    form = WaitlistForm(projects=projects)
    if not form.validate_on_submit():
        flash(_("Choose the time you want to wait for on the booking form."), "error")
        return redirect(url_for(".book", resource_id=resource_id))
    starts_at, ends_at = form.starts_at.data, form.ends_at.data
    day = as_madrid(starts_at).date()
    week = day - timedelta(days=day.weekday())
    try:
        waitlist.join_waitlist(
            resource,
            next(project for project in projects if project.id == form.project.data),
            starts_at=starts_at,
            ends_at=ends_at,
            by=current_user,
            now=utcnow(),
        )
    except waitlist.AlreadyWaiting as error:
        flash(str(error), "info")
    except DomainError as error:
        flash(str(error), "error")
    else:
        flash(
            _(
                "We will email you if %(start)s–%(end)s frees up.",
                start=format_datetime(starts_at, "EEEE d MMMM HH:mm"),
                end=format_datetime(ends_at, "HH:mm"),
            ),
            "success",
        )
    return redirect(url_for(".resource_week", resource_id=resource_id, week=week.isoformat()))


# --- helpers -----------------------------------------------------------------------------


def _organisation_projects() -> list:
    """Every project of the user's organisation (none without one)."""
    if not is_signed_in(current_user) or current_user.organisation_id is None:
        return []
    return list(db.session.scalars(projects_of_organisation(current_user.organisation_id)))


def _require_browsing(projects) -> None:
    require(policies.can_browse_resources(current_user, organisation_has_project=bool(projects)))


def _bookable(projects) -> list:
    """The projects the user may book for: their organisation's active ones."""
    return sorted(
        (project for project in projects if policies.can_book(current_user, project)),
        key=lambda project: (project.title, project.id),
    )


def _active_resource_or_404(resource_id: int) -> Resource:
    resource = db.get_or_404(Resource, resource_id)
    if not resource.active:
        abort(404)
    return resource


def _monday_of(value: str | None, *, today: date) -> date:
    """The Monday of the week holding the date given (this week's when absent or unreadable)."""
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        day = today
    return day - timedelta(days=day.weekday())


def _prefill(form: BookingForm, resource: Resource, projects) -> None:
    """A new form: the user operates, the only project is chosen, and a time from a link
    (start, and end or the resource's shortest booking) is filled in."""
    form.operator.data = current_user.id
    if len(projects) == 1:
        form.project.data = projects[0].id
    starts_at = _moment_argument("start")
    ends_at = _moment_argument("end")
    if starts_at is not None and (ends_at is None or ends_at <= starts_at):
        ends_at = starts_at + timedelta(minutes=resource.minimum_minutes)
    form.prefill(
        starts_at=starts_at, ends_at=ends_at, project_id=request.args.get("project", type=int)
    )


def _moment_argument(name: str) -> datetime | None:
    local = parse_madrid_moment(request.args.get(name))
    return madrid_to_utc(local) if local is not None else None


def _field_of(error: DomainError) -> str:
    return next(
        (name for refusals, name in FIELD_OF_REFUSAL if isinstance(error, refusals)), "starts"
    )


def _overlap_offer(form: BookingForm, next_free: Interval | None) -> dict:
    """What a refused overlap offers: the form again at the next free time (the other fields
    as typed), and waiting for the requested time."""
    offer = {"requested": Interval(form.starts_at, form.ends_at), "next_free": next_free}
    if next_free is not None:
        starts, ends = as_madrid(next_free.starts_at), as_madrid(next_free.ends_at)
        offer["rebook"] = {
            "project": form.project.data,
            "day": starts.date().isoformat(),
            "starts": starts.strftime("%H:%M"),
            "end_day": ends.date().isoformat() if ends.date() != starts.date() else "",
            "ends": ends.strftime("%H:%M"),
            "operator": form.operator.data,
            "purpose": form.purpose.data,
        }
    return offer
