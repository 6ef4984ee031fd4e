"""Managing labs: each service's rule and refusal, and who may call it.

NOW is Monday 2 March 2026, 09:00 UTC; the factory lab is open Monday–Friday 08:00–20:00
Madrid; Wednesday 11 March is in winter time (UTC+1).
"""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from accelerator.accounts.enums import Role
from accelerator.core.clock import add_months
from accelerator.core.errors import NotAllowed
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db
from accelerator.labs import queries
from accelerator.labs.enums import BookingStatus, CleanroomGrade, ResourceKind
from accelerator.labs.feeds import feed_of_resource
from accelerator.labs.models import (
    Authorisation,
    Blackout,
    Lab,
    LabBooking,
    LabStaff,
    Resource,
    WaitlistEntry,
)
from accelerator.labs.services.labs_and_staff import (
    AlreadyOnStaff,
    LabDetails,
    LabNameTaken,
    NotALabManager,
    attach_lab_manager,
    create_lab,
    detach_lab_manager,
    update_lab,
)
from accelerator.labs.services.managing import DetailMissing
from accelerator.labs.services.opening import (
    BlackoutHitsBookings,
    BlackoutInThePast,
    ClosesNotAfterOpens,
    EndNotAfterStart,
    LastDayBeforeFirst,
    OpeningHoursOverlap,
    ReasonMissing,
    ResourceNotInLab,
    add_blackout,
    add_closure,
    add_opening_hours,
    remove_closure,
)
from accelerator.labs.services.resources import (
    BookingStepNotAllowed,
    ContainmentLevelOutOfRange,
    DurationLimitsOutOfOrder,
    DurationOutOfRange,
    NoticeOutOfRange,
    RateOutOfRange,
    ResourceAttributes,
    ResourceNameTaken,
    TrainingNotInLab,
    create_resource,
    update_resource,
)
from accelerator.labs.services.trainings import (
    ExpiryBeforeGrant,
    NoSuchPerson,
    TrainingNameTaken,
    ValidityOutOfRange,
    add_training,
    record_authorisation,
)
from accelerator.labs.staff import can_manage
from accelerator.mentoring.feeds import answering_feed, issue_feed
from tests.cohorts.conftest import make_project, member_of
from tests.factories import make_user
from tests.labs.conftest import (
    NOW,
    WEDNESDAY,
    authorise,
    book,
    madrid,
    make_lab,
    make_lab_manager,
    make_resource,
    make_training,
)

TODAY = date(2026, 3, 2)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def attributes(**changes) -> ResourceAttributes:
    values = {
        "name": "Clean room B2",
        "kind": ResourceKind.GMP_CLEAN_ROOM,
        "description": "Grade B suite with a grade A isolator.",
        "cleanroom_grade": CleanroomGrade.B,
        "containment_level": 2,
        "gmp_certified": True,
        "booking_step_minutes": 30,
        "minimum_hours": Decimal("1.5"),
        "maximum_hours": Decimal(8),
        "minimum_notice_hours": 48,
        "needs_approval": True,
        "hourly_rate": Decimal("125.50"),
        "active": True,
        "training_ids": (),
    }
    return ResourceAttributes(**(values | changes))


@pytest.fixture
def programme_manager(app):
    return make_user(Role.PROGRAMME_MANAGER)


@pytest.fixture
def lab(app):
    return make_lab(name="Leitat")


@pytest.fixture
def manager(lab):
    return make_lab_manager(lab)


@pytest.fixture
def other_manager(app):
    """A lab manager of another lab: they manage nothing of `lab`."""
    return make_lab_manager(make_lab(name="Barcelona Science Park"))


# --- labs and staff ----------------------------------------------------------------------


def test_programme_manager_creates_a_lab_with_its_details(programme_manager):
    lab = create_lab(
        details=LabDetails(
            name=" Leitat ",
            address="C/ de la Innovació 2, Terrassa",
            contact_email="Labs@Leitat.org",
            contact_phone="+34 937 882 300",
        ),
        by=programme_manager,
        now=NOW,
    )

    stored = db.session.get(Lab, lab.id)
    assert (stored.name, stored.contact_email, stored.contact_phone) == (
        "Leitat",
        "labs@leitat.org",
        "+34 937 882 300",
    )
    assert db.session.scalar(select(AuditEntry.action)) == "lab.created"


def test_lab_manager_cannot_create_a_lab(manager):
    with pytest.raises(NotAllowed):
        create_lab(details=LabDetails(name="Mine"), by=manager, now=NOW)


def test_lab_with_a_taken_name_is_refused(lab, programme_manager):
    with pytest.raises(LabNameTaken):
        create_lab(details=LabDetails(name="Leitat"), by=programme_manager, now=NOW)

    assert count(Lab) == 1


def test_lab_manager_updates_their_lab_but_not_another(lab, manager, other_manager):
    update_lab(
        lab,
        details=LabDetails(name="Leitat", contact_phone="93 000 00 00"),
        by=manager,
        now=NOW,
    )

    assert db.session.get(Lab, lab.id).contact_phone == "93 000 00 00"
    with pytest.raises(NotAllowed):
        update_lab(lab, details=LabDetails(name="Taken over"), by=other_manager, now=NOW)


def test_attached_lab_manager_manages_only_that_lab(lab, programme_manager):
    other_lab = make_lab(name="Barcelona Science Park")
    person = make_user(Role.LAB_MANAGER)

    attach_lab_manager(lab, user=person, by=programme_manager, now=NOW)

    assert can_manage(person, lab.id) is True
    assert can_manage(person, other_lab.id) is False


def test_attaching_someone_without_the_lab_manager_role_is_refused(lab, programme_manager):
    with pytest.raises(NotALabManager):
        attach_lab_manager(lab, user=make_user(Role.MENTOR), by=programme_manager, now=NOW)

    assert count(LabStaff) == 0


def test_attaching_a_lab_manager_twice_is_refused(lab, manager, programme_manager):
    with pytest.raises(AlreadyOnStaff):
        attach_lab_manager(lab, user=manager, by=programme_manager, now=NOW)


def test_lab_manager_cannot_attach_staff(lab, manager):
    with pytest.raises(NotAllowed):
        attach_lab_manager(lab, user=make_user(Role.LAB_MANAGER), by=manager, now=NOW)


def test_detached_lab_manager_no_longer_manages_the_lab(lab, manager, programme_manager):
    staff = db.session.scalar(select(LabStaff).where(LabStaff.user_id == manager.id))

    detach_lab_manager(staff, by=programme_manager, now=NOW)

    assert can_manage(manager, lab.id) is False


def test_detaching_a_lab_manager_revokes_the_lab_feeds_addresses(lab, manager, programme_manager):
    """The address the manager may have kept stops answering, even one a programme manager
    issued (who still may use it); the lab's staff create new ones."""
    resource = make_resource(lab)
    old_token = issue_feed(resource, by=programme_manager, now=NOW)
    staff = db.session.scalar(select(LabStaff).where(LabStaff.user_id == manager.id))

    detach_lab_manager(staff, by=programme_manager, now=NOW)

    assert answering_feed(old_token) is None
    assert feed_of_resource(resource, by=programme_manager).is_issued is False


@pytest.mark.parametrize(
    "action",
    [
        lambda lab, by: add_opening_hours(
            lab, weekday=5, opens_at=time(9), closes_at=time(13), by=by, now=NOW
        ),
        lambda lab, by: add_closure(
            lab, first_day=date(2026, 4, 6), last_day=date(2026, 4, 6), reason="", by=by, now=NOW
        ),
        lambda lab, by: add_blackout(
            lab,
            resource_id=None,
            starts_at=madrid(WEDNESDAY, 9),
            ends_at=madrid(WEDNESDAY, 13),
            reason="Maintenance",
            confirm=True,
            by=by,
            now=NOW,
        ),
        lambda lab, by: create_resource(lab, attributes=attributes(), by=by, now=NOW),
        lambda lab, by: add_training(
            lab, name="BSL-2 induction", validity_months=12, by=by, now=NOW
        ),
    ],
    ids=["opening_hours", "closure", "blackout", "resource", "training"],
)
def test_lab_manager_of_another_lab_is_refused(lab, other_manager, action):
    with pytest.raises(NotAllowed):
        action(lab, other_manager)

    assert count(AuditEntry) == 0


def test_applicant_is_refused_every_management_service(lab):
    applicant = member_of()

    with pytest.raises(NotAllowed):
        add_training(lab, name="Gowning", validity_months=12, by=applicant, now=NOW)


# --- opening hours and closures ----------------------------------------------------------


def test_opening_hours_may_have_two_windows_a_day(app, manager):
    lab = make_lab(weekdays=())
    db.session.add(LabStaff(lab_id=lab.id, user_id=manager.id, attached_at=NOW))
    db.session.commit()

    add_opening_hours(lab, weekday=0, opens_at=time(8), closes_at=time(14), by=manager, now=NOW)
    add_opening_hours(lab, weekday=0, opens_at=time(15), closes_at=time(19), by=manager, now=NOW)

    db.session.expire_all()
    windows = [(h.opens_at, h.closes_at) for h in db.session.get(Lab, lab.id).opening_hours]
    assert windows == [(time(8), time(14)), (time(15), time(19))]


def test_opening_hours_closing_before_opening_are_refused(lab, manager):
    with pytest.raises(ClosesNotAfterOpens, match="The lab must close after it opens."):
        add_opening_hours(lab, weekday=5, opens_at=time(14), closes_at=time(9), by=manager, now=NOW)


def test_overlapping_opening_hours_are_refused(lab, manager):
    with pytest.raises(OpeningHoursOverlap, match="08:00–20:00"):
        add_opening_hours(
            lab, weekday=0, opens_at=time(19), closes_at=time(21), by=manager, now=NOW
        )


def test_closure_ending_before_it_starts_is_refused(lab, manager):
    with pytest.raises(LastDayBeforeFirst):
        add_closure(
            lab,
            first_day=date(2026, 4, 6),
            last_day=date(2026, 4, 3),
            reason="",
            by=manager,
            now=NOW,
        )


def test_closure_is_added_and_removed(lab, manager):
    closure = add_closure(
        lab,
        first_day=date(2026, 4, 3),
        last_day=date(2026, 4, 6),
        reason=" Easter ",
        by=manager,
        now=NOW,
    )
    assert closure.reason == "Easter"

    remove_closure(closure, by=manager, now=NOW)

    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() == [
        "lab.closure_added",
        "lab.closure_removed",
    ]


# --- blackouts ---------------------------------------------------------------------------


@pytest.fixture
def booked(lab):
    """Two projects' bookings of two resources on Wednesday morning: approved and pending."""
    clean_room = make_resource(lab, name="Clean room B1")
    cytometer = make_resource(lab, name="Cytometer", needs_approval=True)
    first, second = member_of(), member_of()
    morning = book(
        clean_room, make_project(member=first), first, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12)
    )
    pending = book(
        cytometer, make_project(member=second), second, madrid(WEDNESDAY, 11), madrid(WEDNESDAY, 13)
    )
    return {
        "clean_room": clean_room,
        "cytometer": cytometer,
        "bookers": (first, second),
        "booking_ids": (morning.id, pending.id),
    }


def blackout(
    lab, manager, *, confirm, resource_id=None, starts=9, ends=13, reason="Air handling repair"
):
    return add_blackout(
        lab,
        resource_id=resource_id,
        starts_at=madrid(WEDNESDAY, starts),
        ends_at=madrid(WEDNESDAY, ends),
        reason=reason,
        confirm=confirm,
        by=manager,
        now=NOW,
    )


def test_blackout_over_bookings_lists_them_and_changes_nothing(lab, manager, booked):
    emails_before, audit_before = count(OutboxMessage), count(AuditEntry)

    with pytest.raises(BlackoutHitsBookings) as refusal:
        blackout(lab, manager, confirm=False)

    listed = refusal.value.bookings
    assert [booking.id for booking in listed] == list(booked["booking_ids"])
    assert [(b.resource, b.starts_at, b.booker) for b in listed] == [
        ("Clean room B1", madrid(WEDNESDAY, 10), booked["bookers"][0].name),
        ("Cytometer", madrid(WEDNESDAY, 11), booked["bookers"][1].name),
    ]
    assert [b.status for b in listed] == [BookingStatus.APPROVED, BookingStatus.PENDING]
    assert count(Blackout) == 0
    assert (count(OutboxMessage), count(AuditEntry)) == (emails_before, audit_before)
    statuses = db.session.scalars(select(LabBooking.status).order_by(LabBooking.id)).all()
    assert statuses == [BookingStatus.APPROVED, BookingStatus.PENDING]


def test_confirmed_blackout_cancels_the_bookings_and_emails_each_booker_once_in_one_commit(
    lab, manager, booked
):
    emails_before = count(OutboxMessage)
    commits = []

    def record(connection):
        commits.append(connection)

    event.listen(db.engine, "commit", record)
    try:
        added = blackout(lab, manager, confirm=True)
    finally:
        event.remove(db.engine, "commit", record)

    assert len(commits) == 1
    db.session.expire_all()
    cancelled = db.session.scalars(select(LabBooking).order_by(LabBooking.id)).all()
    assert [
        (b.status, b.cancelled_at, b.cancelled_by_id, b.cancellation_reason, b.sequence)
        for b in cancelled
    ] == [(BookingStatus.CANCELLED, NOW, manager.id, "Air handling repair", 1)] * 2
    recipients = db.session.scalars(
        select(OutboxMessage.recipient)
        .where(OutboxMessage.id > emails_before)
        .order_by(OutboxMessage.id)
    ).all()
    assert sorted(recipients) == sorted(person.email for person in booked["bookers"])
    assert db.session.get(Blackout, added.id).reason == "Air handling repair"


def test_confirmed_blackout_does_not_offer_the_blacked_out_time_to_the_waitlist(
    lab, manager, booked
):
    waiting = member_of()
    db.session.add(
        WaitlistEntry(
            resource_id=booked["clean_room"].id,
            project_id=make_project(member=waiting).id,
            user_id=waiting.id,
            starts_at=madrid(WEDNESDAY, 10),
            ends_at=madrid(WEDNESDAY, 11),
            created_at=NOW,
        )
    )
    db.session.commit()

    blackout(lab, manager, confirm=True)

    told = db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.recipient == waiting.email)
    ).all()
    assert [subject for subject in told if "free" in subject] == []


def test_blackout_of_one_resource_leaves_the_others_bookings(lab, manager, booked):
    blackout(lab, manager, confirm=True, resource_id=booked["cytometer"].id)

    db.session.expire_all()
    statuses = db.session.scalars(select(LabBooking.status).order_by(LabBooking.id)).all()
    assert statuses == [BookingStatus.APPROVED, BookingStatus.CANCELLED]


def test_blackout_next_to_bookings_is_added_without_confirmation(lab, manager, booked):
    added = blackout(lab, manager, confirm=False, starts=13, ends=15)

    assert added.resource_id is None
    db.session.expire_all()
    assert db.session.scalars(select(LabBooking.status)).all() == [
        BookingStatus.APPROVED,
        BookingStatus.PENDING,
    ]


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"starts": 13, "ends": 9}, EndNotAfterStart),
        ({"reason": "  "}, ReasonMissing),
    ],
)
def test_blackout_with_bad_times_or_no_reason_is_refused(lab, manager, changes, refusal):
    with pytest.raises(refusal):
        blackout(lab, manager, confirm=True, **changes)

    assert count(Blackout) == 0


def test_blackout_already_over_is_refused(lab, manager):
    with pytest.raises(BlackoutInThePast):
        add_blackout(
            lab,
            resource_id=None,
            starts_at=NOW - timedelta(days=2),
            ends_at=NOW - timedelta(days=1),
            reason="Too late",
            confirm=True,
            by=manager,
            now=NOW,
        )


def test_blackout_of_another_labs_resource_is_refused(lab, manager):
    elsewhere = make_resource(make_lab(name="Elsewhere"))

    with pytest.raises(ResourceNotInLab):
        blackout(lab, manager, confirm=True, resource_id=elsewhere.id)


# --- resources ---------------------------------------------------------------------------


def test_resource_is_created_with_every_attribute(lab, manager):
    gowning = make_training(lab, "Grade B gowning")

    resource = create_resource(
        lab, attributes=attributes(training_ids=(gowning.id,)), by=manager, now=NOW
    )

    db.session.expire_all()
    stored = db.session.get(Resource, resource.id)
    assert (
        stored.name,
        stored.kind,
        stored.cleanroom_grade,
        stored.containment_level,
        stored.gmp_certified,
        stored.booking_step_minutes,
        stored.minimum_minutes,
        stored.maximum_minutes,
        stored.minimum_notice_hours,
        stored.needs_approval,
        stored.hourly_rate_cents,
        stored.active,
        [training.name for training in stored.required_trainings],
    ) == (
        "Clean room B2",
        ResourceKind.GMP_CLEAN_ROOM,
        CleanroomGrade.B,
        2,
        True,
        30,
        90,
        480,
        48,
        True,
        12_550,
        True,
        ["Grade B gowning"],
    )


def test_resource_is_updated_and_its_trainings_replaced(lab, manager):
    first, second = make_training(lab, "Gowning"), make_training(lab, "BSL-2 induction")
    resource = create_resource(
        lab, attributes=attributes(training_ids=(first.id,)), by=manager, now=NOW
    )

    update_resource(
        resource,
        attributes=attributes(
            name="Clean room B2 (east)",
            containment_level=None,
            cleanroom_grade=CleanroomGrade.NONE,
            hourly_rate=Decimal("0.10"),
            training_ids=(second.id,),
            active=False,
        ),
        by=manager,
        now=NOW,
    )

    db.session.expire_all()
    stored = db.session.get(Resource, resource.id)
    assert (stored.name, stored.containment_level, stored.hourly_rate_cents, stored.active) == (
        "Clean room B2 (east)",
        None,
        10,
        False,
    )
    assert [training.name for training in stored.required_trainings] == ["BSL-2 induction"]


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        (
            {"minimum_hours": Decimal(4), "maximum_hours": Decimal(2)},
            DurationLimitsOutOfOrder,
        ),
        ({"minimum_hours": Decimal("0.75")}, DurationOutOfRange),
        ({"maximum_hours": Decimal(25)}, DurationOutOfRange),
        ({"minimum_hours": Decimal(0)}, DurationOutOfRange),
        ({"hourly_rate": Decimal("-1")}, RateOutOfRange),
        ({"hourly_rate": Decimal("1.005")}, RateOutOfRange),
        ({"hourly_rate": Decimal("NaN")}, RateOutOfRange),
        ({"booking_step_minutes": 20}, BookingStepNotAllowed),
        ({"containment_level": 5}, ContainmentLevelOutOfRange),
        ({"minimum_notice_hours": 721}, NoticeOutOfRange),
        ({"name": "  "}, DetailMissing),
    ],
)
def test_resource_with_bad_attributes_is_refused(lab, manager, changes, refusal):
    with pytest.raises(refusal):
        create_resource(lab, attributes=attributes(**changes), by=manager, now=NOW)

    assert count(Resource) == 0


def test_resource_requiring_another_labs_training_is_refused(lab, manager):
    elsewhere = make_training(make_lab(name="Elsewhere"), "Gowning")

    with pytest.raises(TrainingNotInLab):
        create_resource(
            lab, attributes=attributes(training_ids=(elsewhere.id,)), by=manager, now=NOW
        )


def test_resource_with_a_taken_name_is_refused(lab, manager):
    make_resource(lab, name="Clean room B2")

    with pytest.raises(ResourceNameTaken):
        create_resource(lab, attributes=attributes(), by=manager, now=NOW)


# --- trainings and authorisations --------------------------------------------------------


def test_training_with_a_taken_name_is_refused(lab, manager):
    make_training(lab, "Grade B gowning")

    with pytest.raises(TrainingNameTaken):
        add_training(lab, name="Grade B gowning", validity_months=12, by=manager, now=NOW)


def test_training_valid_for_no_months_is_refused(lab, manager):
    with pytest.raises(ValidityOutOfRange):
        add_training(lab, name="Gowning", validity_months=0, by=manager, now=NOW)


def test_authorisation_expires_after_twelve_months_by_default(lab, manager):
    training = add_training(lab, name="Gowning", validity_months=12, by=manager, now=NOW)
    operator = member_of()

    authorisation = record_authorisation(
        training, email=operator.email.upper(), granted_on=TODAY, by=manager, now=NOW
    )

    assert (authorisation.user_id, authorisation.granted_on, authorisation.expires_on) == (
        operator.id,
        date(2026, 3, 2),
        date(2027, 3, 2),
    )
    assert authorisation.recorded_by_id == manager.id


def test_authorisation_lasts_the_trainings_validity_unless_an_expiry_is_given(lab, manager):
    training = add_training(lab, name="BSL-2", validity_months=6, by=manager, now=NOW)
    operator = member_of()

    by_validity = record_authorisation(
        training, email=operator.email, granted_on=date(2026, 8, 31), by=manager, now=NOW
    )
    given = record_authorisation(
        training,
        email=operator.email,
        granted_on=TODAY,
        expires_on=date(2026, 3, 31),
        by=manager,
        now=NOW,
    )

    assert (by_validity.expires_on, given.expires_on) == (date(2027, 2, 28), date(2026, 3, 31))


def test_authorisation_expiring_before_the_training_is_refused(lab, manager):
    training = make_training(lab)

    with pytest.raises(ExpiryBeforeGrant):
        record_authorisation(
            training,
            email=member_of().email,
            granted_on=TODAY,
            expires_on=TODAY - timedelta(days=1),
            by=manager,
            now=NOW,
        )


def test_authorisation_for_an_unknown_email_is_refused(lab, manager):
    with pytest.raises(NoSuchPerson):
        record_authorisation(
            make_training(lab), email="nobody@example.org", granted_on=TODAY, by=manager, now=NOW
        )

    assert count(Authorisation) == 0


def test_authorisation_of_another_labs_training_is_refused_to_its_non_manager(lab, other_manager):
    with pytest.raises(NotAllowed):
        record_authorisation(
            make_training(lab), email=member_of().email, granted_on=TODAY, by=other_manager, now=NOW
        )


def test_expiring_list_shows_one_expiring_in_ten_days_and_not_one_in_sixty(lab, manager):
    training = make_training(lab, "Gowning")
    soon, later, expired, renewed = member_of(), member_of(), member_of(), member_of()
    in_ten = authorise(soon, training, expires_on=TODAY + timedelta(days=10))
    authorise(later, training, expires_on=TODAY + timedelta(days=60))
    lapsed = authorise(expired, training, expires_on=TODAY - timedelta(days=5))
    authorise(renewed, training, expires_on=TODAY + timedelta(days=3))
    authorise(renewed, training, expires_on=TODAY + timedelta(days=368))

    listed = db.session.scalars(
        queries.expiring_authorisations(
            [lab.id], first_day=TODAY - timedelta(days=30), last_day=TODAY + timedelta(days=30)
        )
    ).all()

    assert [authorisation.id for authorisation in listed] == [lapsed.id, in_ten.id]


def test_authorisation_months_after_keeps_the_day_or_the_months_last(app):
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)
