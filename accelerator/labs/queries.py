"""Read queries of the lab-access area: each returns a Select."""

from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload

from accelerator.accounts.enums import Role
from accelerator.accounts.models import RoleGrant, User
from accelerator.cohorts.models import Project
from accelerator.labs.enums import HOLDING_STATUSES, BookingStatus, CleanroomGrade, ResourceKind
from accelerator.labs.models import (
    Authorisation,
    Blackout,
    Lab,
    LabBooking,
    LabClosure,
    LabStaff,
    Resource,
    Training,
    WaitlistEntry,
)


def lab_names() -> Select:
    """Every lab's id and name, for a choice of lab (without loading opening hours)."""
    return select(Lab.id, Lab.name).order_by(Lab.name, Lab.id)


def resources_matching(
    *,
    kind: ResourceKind | None = None,
    grade: CleanroomGrade | None = None,
    containment_at_least: int | None = None,
    gmp_certified_only: bool = False,
    lab_id: int | None = None,
) -> Select:
    """Active resources of every lab (lab, opening hours and trainings come with them), by lab
    and name, narrowed by the filters given."""
    query = (
        select(Resource)
        .join(Resource.lab)
        .options(contains_eager(Resource.lab))
        .where(Resource.active.is_(True))
        .order_by(Lab.name, Resource.name, Resource.id)
    )
    if kind is not None:
        query = query.where(Resource.kind == kind)
    if grade is not None:
        query = query.where(Resource.cleanroom_grade == grade)
    if containment_at_least is not None:
        query = query.where(Resource.containment_level >= containment_at_least)
    if gmp_certified_only:
        query = query.where(Resource.gmp_certified.is_(True))
    if lab_id is not None:
        query = query.where(Resource.lab_id == lab_id)
    return query


def closures_of_labs(lab_ids, *, first_day: date, last_day: date) -> Select:
    return select(LabClosure).where(
        LabClosure.lab_id.in_(lab_ids),
        LabClosure.last_day >= first_day,
        LabClosure.first_day <= last_day,
    )


def blackouts_of_labs(lab_ids, *, first: datetime, last: datetime) -> Select:
    """Blackouts of the labs (whole-lab and per-resource) touching the interval."""
    return select(Blackout).where(
        Blackout.lab_id.in_(lab_ids), Blackout.ends_at > first, Blackout.starts_at < last
    )


def holding_bookings_of_resources(resource_ids, *, first: datetime, last: datetime) -> Select:
    """Pending and approved bookings of the resources touching the interval, in order."""
    return (
        select(LabBooking)
        .where(
            LabBooking.resource_id.in_(resource_ids),
            LabBooking.status.in_(HOLDING_STATUSES),
            LabBooking.ends_at > first,
            LabBooking.starts_at < last,
        )
        .order_by(LabBooking.starts_at, LabBooking.id)
    )


def projects_named(project_ids) -> Select:
    """The projects a week view names (their label), without their call and organisation."""
    return select(Project).where(Project.id.in_(project_ids)).options(lazyload("*"))


def members_of_organisation(organisation_id: int) -> Select:
    """Active people of the organisation, by name: who may operate for its projects."""
    return (
        select(User.id, User.name)
        .where(User.organisation_id == organisation_id, User.active.is_(True))
        .order_by(User.name, User.id)
    )


def lab_ids_staffed_by(user_id: int) -> Select:
    return select(LabStaff.lab_id).where(LabStaff.user_id == user_id)


def _with_parties(query: Select) -> Select:
    """Bookings with their resource (and its lab), project and people, in the same query; the
    resource's trainings and the people's roles are not needed by booking pages."""
    resource = joinedload(LabBooking.resource)
    return query.options(
        resource.raiseload(Resource.required_trainings),
        resource.joinedload(Resource.lab).raiseload(Lab.opening_hours),
        joinedload(LabBooking.project),
        joinedload(LabBooking.operator).lazyload(User.role_grants),
        joinedload(LabBooking.booked_by).lazyload(User.role_grants),
    )


def booking_with_parties(booking_id: int) -> Select:
    return _with_parties(select(LabBooking).where(LabBooking.id == booking_id))


def bookings_of_organisation(organisation_id: int) -> Select:
    """The bookings of every project of the organisation, latest first."""
    return _with_parties(
        select(LabBooking)
        .join(Project, Project.id == LabBooking.project_id)
        .where(Project.organisation_id == organisation_id)
        .order_by(LabBooking.starts_at.desc(), LabBooking.id.desc())
    )


def pending_bookings(lab_ids=None) -> Select:
    """Bookings awaiting approval, oldest request first; of the labs given, or of every lab."""
    query = (
        select(LabBooking)
        .where(LabBooking.status == BookingStatus.PENDING)
        .order_by(LabBooking.created_at, LabBooking.id)
    )
    if lab_ids is not None:
        query = query.join(Resource, Resource.id == LabBooking.resource_id).where(
            Resource.lab_id.in_(lab_ids)
        )
    return _with_parties(query)


def waiting_entry(
    resource_id: int, user_id: int, *, starts_at: datetime, ends_at: datetime
) -> Select:
    """The person's entry, not yet notified, for exactly this time of the resource."""
    return select(WaitlistEntry).where(
        WaitlistEntry.resource_id == resource_id,
        WaitlistEntry.user_id == user_id,
        WaitlistEntry.starts_at == starts_at,
        WaitlistEntry.ends_at == ends_at,
        WaitlistEntry.notified_at.is_(None),
    )


# --- the labs' management (services/ and views/admin_*.py) ------------------------------


def active_staff_of(lab_id: int) -> Select:
    """The lab's active staff, in the order they joined the app."""
    return (
        select(User)
        .join(LabStaff, LabStaff.user_id == User.id)
        .where(LabStaff.lab_id == lab_id, User.active)
        .order_by(User.id)
    )


def staff_membership(lab_id: int, user_id: int) -> Select:
    return select(LabStaff.id).where(LabStaff.lab_id == lab_id, LabStaff.user_id == user_id)


def managed_labs(user_id: int | None) -> Select:
    """Every lab by name (user_id None: a programme manager's view), or the user's labs."""
    query = select(Lab).options(lazyload(Lab.opening_hours)).order_by(Lab.name, Lab.id)
    if user_id is not None:
        query = query.where(Lab.id.in_(lab_ids_staffed_by(user_id)))
    return query


def lab_named(name: str) -> Select:
    return select(Lab.id).where(Lab.name == name)


def resource_named(lab_id: int, name: str) -> Select:
    return select(Resource.id).where(Resource.lab_id == lab_id, Resource.name == name)


def training_named(lab_id: int, name: str) -> Select:
    return select(Training.id).where(Training.lab_id == lab_id, Training.name == name)


def trainings_by_id(training_ids) -> Select:
    return select(Training).where(Training.id.in_(list(training_ids)))


def user_by_email(email: str) -> Select:
    return select(User).where(User.email == email)


def resources_of_lab(lab_id: int) -> Select:
    """The lab's resources by name with their required trainings (the lab is the caller's)."""
    return (
        select(Resource)
        .where(Resource.lab_id == lab_id)
        .options(lazyload(Resource.lab))
        .order_by(Resource.name, Resource.id)
    )


def closures_of_lab(lab_id: int, *, from_day: date) -> Select:
    """Closures not over before `from_day`, in order."""
    return (
        select(LabClosure)
        .where(LabClosure.lab_id == lab_id, LabClosure.last_day >= from_day)
        .order_by(LabClosure.first_day, LabClosure.id)
    )


def blackouts_of_lab(lab_id: int, *, after: datetime) -> Select:
    """Blackouts of the lab and of its resources not over at `after`, in order."""
    return (
        select(Blackout)
        .where(Blackout.lab_id == lab_id, Blackout.ends_at > after)
        .order_by(Blackout.starts_at, Blackout.id)
    )


def holding_bookings_over(
    lab_id: int,
    *,
    resource_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    after: datetime,
) -> Select:
    """Pending and approved bookings of the lab (or of one resource) overlapping the interval
    and not over at `after`, with their parties, in order."""
    query = (
        select(LabBooking)
        .join(Resource, Resource.id == LabBooking.resource_id)
        .where(
            Resource.lab_id == lab_id,
            LabBooking.status.in_(HOLDING_STATUSES),
            LabBooking.starts_at < ends_at,
            LabBooking.ends_at > starts_at,
            LabBooking.ends_at > after,
        )
        .order_by(LabBooking.starts_at, LabBooking.id)
    )
    if resource_id is not None:
        query = query.where(LabBooking.resource_id == resource_id)
    return query.options(
        joinedload(LabBooking.resource).lazyload(Resource.lab),
        joinedload(LabBooking.resource).lazyload(Resource.required_trainings),
        joinedload(LabBooking.project),
        joinedload(LabBooking.booked_by).lazyload(User.role_grants),
    )


def resources_to_lock(lab_id: int, *, resource_id: int | None) -> Select:
    """The rows a booking request locks, of one resource or of the whole lab, in id order."""
    query = (
        select(Resource.id)
        .where(Resource.lab_id == lab_id)
        .order_by(Resource.id)
        .with_for_update(of=Resource)
    )
    if resource_id is not None:
        query = query.where(Resource.id == resource_id)
    return query


def staff_of_lab(lab_id: int) -> Select:
    return (
        select(LabStaff)
        .join(LabStaff.user)
        .where(LabStaff.lab_id == lab_id)
        .options(contains_eager(LabStaff.user).lazyload(User.role_grants))
        .order_by(User.name, User.id)
    )


def lab_managers() -> Select:
    """Active people holding the lab manager role, by name."""
    return (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.LAB_MANAGER, User.active.is_(True))
        .order_by(User.name, User.id)
    )


def trainings_of_lab(lab_id: int) -> Select:
    return select(Training).where(Training.lab_id == lab_id).order_by(Training.name, Training.id)


def authorisations_of_lab(lab_id: int) -> Select:
    """Every authorisation for the lab's trainings, by person, training and expiry."""
    return (
        select(Authorisation)
        .join(Authorisation.training)
        .join(Authorisation.user)
        .where(Training.lab_id == lab_id)
        .options(
            contains_eager(Authorisation.training),
            contains_eager(Authorisation.user).lazyload(User.role_grants),
        )
        .order_by(User.name, User.id, Training.name, Authorisation.expires_on.desc())
    )


def expiring_authorisations(lab_ids, *, first_day: date, last_day: date) -> Select:
    """Authorisations for trainings of the labs (None: of every lab) expiring between the two
    dates, unless the person holds a later one for the same training, soonest first."""
    later = aliased(Authorisation)
    renewed = (
        select(later.id)
        .where(
            later.user_id == Authorisation.user_id,
            later.training_id == Authorisation.training_id,
            later.expires_on > Authorisation.expires_on,
        )
        .exists()
    )
    query = (
        select(Authorisation)
        .join(Authorisation.training)
        .join(Authorisation.user)
        .where(
            Authorisation.expires_on >= first_day,
            Authorisation.expires_on <= last_day,
            ~renewed,
        )
        .options(
            contains_eager(Authorisation.training),
            contains_eager(Authorisation.user).lazyload(User.role_grants),
        )
        .order_by(Authorisation.expires_on, User.name, Authorisation.id)
    )
    if lab_ids is not None:
        query = query.where(Training.lab_id.in_(lab_ids))
    return query
