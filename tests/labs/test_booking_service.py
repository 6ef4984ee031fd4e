"""Booking a resource: each rule refuses with its own message; overlaps are impossible.

NOW is Monday 2 March 2026, 09:00 UTC; the lab is open Monday–Friday 08:00–20:00 Madrid;
Wednesday 11 March is in winter time (UTC+1).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.errors import DomainError, NotAllowed
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.labs.booking import (
    BookingStarted,
    approve_booking,
    cancel_booking,
    record_outcome,
    reject_booking,
)
from accelerator.labs.booking_rules import (
    BlackedOut,
    BookingOverlap,
    EndNotAfterStart,
    InThePast,
    LabClosed,
    MissingTraining,
    OffStep,
    OperatorNotInProject,
    OutsideOpeningHours,
    TooLittleNotice,
    TooLong,
    TooShort,
)
from accelerator.labs.enums import BookingStatus
from accelerator.labs.models import Blackout, LabBooking, LabClosure, Resource
from accelerator.labs.quota import QuotaExceeded, set_quota
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

WORKERS = 20


@pytest.fixture
def setting(app):
    member = member_of()
    project = make_project(member=member)
    lab = make_lab(name="Leitat")
    resource = make_resource(lab, name="Clean room B1")
    return resource, project, member


def holding(resource_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(LabBooking.id)).where(
            LabBooking.resource_id == resource_id,
            LabBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]),
        )
    )


def test_booking_without_approval_is_approved_at_once(setting):
    resource, project, member = setting

    booking = book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    assert (booking.status, booking.minutes, booking.year, booking.quarter) == (
        BookingStatus.APPROVED,
        120,
        2026,
        1,
    )


def test_booking_needing_approval_is_pending_until_the_lab_approves(setting):
    _resource, project, member = setting
    lab_resource = make_resource(make_lab(), needs_approval=True)
    manager = make_lab_manager(db.session.get(Resource, lab_resource.id).lab)

    booking = book(lab_resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))
    assert booking.status == BookingStatus.PENDING
    approve_booking(booking, by=manager, now=NOW)

    assert (booking.status, booking.decided_by_id) == (BookingStatus.APPROVED, manager.id)


def test_adjacent_bookings_are_both_accepted(setting):
    resource, project, member = setting

    book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 11))
    book(resource, project, member, madrid(WEDNESDAY, 11), madrid(WEDNESDAY, 12))

    assert holding(resource.id) == 2


def test_overlap_names_the_taken_time_and_offers_the_next_free_one(setting):
    resource, project, member = setting
    book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    with pytest.raises(BookingOverlap) as refusal:
        book(resource, project, member, madrid(WEDNESDAY, 11), madrid(WEDNESDAY, 12))

    assert str(refusal.value) == (
        "11 Mar 2026, 10:00–12:00 is already booked."
        " The next free time of the same length is 11 Mar 2026, 12:00–13:00."
    )
    assert refusal.value.next_free.starts_at == madrid(WEDNESDAY, 12)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "error", "message"),
    [
        (
            madrid(WEDNESDAY, 12),
            madrid(WEDNESDAY, 11),
            EndNotAfterStart,
            "The end must be after the start.",
        ),
        (
            madrid(WEDNESDAY, 7, 15),
            madrid(WEDNESDAY, 9),
            OffStep,
            "Bookings start and end on 30-minute steps, such as 07:00 and 07:30.",
        ),
        (
            madrid(date(2026, 2, 25), 10),
            madrid(date(2026, 2, 25), 12),
            InThePast,
            "This time has passed.",
        ),
        (
            madrid(date(2026, 3, 2), 18),
            madrid(date(2026, 3, 2), 19),
            TooLittleNotice,
            "This resource is booked at least 24 hours ahead.",
        ),
        (
            madrid(WEDNESDAY, 10),
            madrid(WEDNESDAY, 10) + timedelta(hours=500),
            TooLong,
            "Book at most 8 h.",
        ),
        (
            madrid(WEDNESDAY, 6),
            madrid(WEDNESDAY, 9),
            OutsideOpeningHours,
            "Leitat is open 08:00–20:00 on Wednesday (Madrid time); book within these hours.",
        ),
        (
            madrid(date(2026, 3, 14), 10),
            madrid(date(2026, 3, 14), 12),
            OutsideOpeningHours,
            "Leitat is closed on Saturday.",
        ),
    ],
)
def test_each_rule_refuses_with_its_own_message(setting, starts_at, ends_at, error, message):
    resource, project, member = setting

    with pytest.raises(error) as refusal:
        book(resource, project, member, starts_at, ends_at)

    assert str(refusal.value) == message
    assert holding(resource.id) == 0


def test_booking_shorter_than_the_minimum_is_refused(setting):
    resource, project, member = setting
    resource.minimum_minutes = 120
    db.session.commit()

    with pytest.raises(TooShort, match=r"^Book at least 2 h\.$"):
        book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 11))


def test_closure_is_refused_with_its_reason(setting):
    resource, project, member = setting
    db.session.add(
        LabClosure(lab_id=resource.lab_id, first_day=WEDNESDAY, last_day=WEDNESDAY, reason="Audit")
    )
    db.session.commit()

    with pytest.raises(LabClosed, match=r"^Leitat is closed on Wednesday 11 March \(Audit\)\.$"):
        book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))


def test_blackout_is_refused_with_its_reason(setting):
    resource, project, member = setting
    db.session.add(
        Blackout(
            lab_id=resource.lab_id,
            resource_id=resource.id,
            starts_at=madrid(WEDNESDAY, 11),
            ends_at=madrid(WEDNESDAY, 15),
            reason="HVAC maintenance",
            created_at=NOW,
        )
    )
    db.session.commit()

    with pytest.raises(BlackedOut, match=r"HVAC maintenance\.$"):
        book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))
    book(resource, project, member, madrid(WEDNESDAY, 9), madrid(WEDNESDAY, 11))  # just before


def test_operator_without_the_training_is_refused_by_name(setting):
    resource, project, member = setting
    gowning = make_training(resource.lab, "Grade B gowning")
    resource.required_trainings = [gowning]
    db.session.commit()

    with pytest.raises(MissingTraining) as refusal:
        book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    assert str(refusal.value) == (
        f"{member.name} has no valid authorisation for Grade B gowning on these dates."
    )


def test_operator_whose_authorisation_expires_before_the_booking_is_refused(setting):
    resource, project, member = setting
    gowning = make_training(resource.lab, "Grade B gowning")
    induction = make_training(resource.lab, "BSL-2 induction")
    resource.required_trainings = [gowning, induction]
    db.session.commit()
    authorise(member, gowning, expires_on=date(2026, 3, 10))  # the day before
    authorise(member, induction)

    with pytest.raises(MissingTraining, match="for Grade B gowning on these dates"):
        book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))
    authorise(member, gowning, granted_on=date(2026, 3, 9), expires_on=date(2027, 3, 9))
    book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))


def test_operator_outside_the_project_is_refused(setting):
    resource, project, member = setting

    with pytest.raises(OperatorNotInProject):
        book(
            resource,
            project,
            member,
            madrid(WEDNESDAY, 10),
            madrid(WEDNESDAY, 12),
            operator=member_of(),
        )


def test_booking_by_a_non_member_is_not_allowed(setting):
    resource, project, _member = setting
    outsider = member_of()

    with pytest.raises(NotAllowed):
        book(resource, project, outsider, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))


# --- quota -------------------------------------------------------------------------------


def test_quota_refusal_shows_hours_left(setting):
    resource, project, member = setting
    set_quota(
        resource.lab,
        project,
        minutes_per_quarter=180,
        by=make_user(Role.PROGRAMME_MANAGER),
        now=NOW,
    )
    book(resource, project, member, madrid(WEDNESDAY, 8), madrid(WEDNESDAY, 10))

    with pytest.raises(QuotaExceeded) as refusal:
        book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    assert str(refusal.value) == (
        "This booking would exceed the project's hours at Leitat for Q1 2026: 1 h left of 3 h."
    )


def test_quota_is_per_quarter(setting):
    resource, project, member = setting
    set_quota(
        resource.lab, project, minutes_per_quarter=60, by=make_user(Role.PROGRAMME_MANAGER), now=NOW
    )
    book(resource, project, member, madrid(WEDNESDAY, 8), madrid(WEDNESDAY, 9))

    april = datetime(2026, 4, 8, 8, 0, tzinfo=UTC)  # 10:00 Madrid, summer time
    booking = book(resource, project, member, april, april + timedelta(hours=1))

    assert (booking.year, booking.quarter) == (2026, 2)


# --- lab staff ---------------------------------------------------------------------------


def test_lab_manager_of_another_lab_cannot_approve_reject_or_complete(setting):
    _resource, project, member = setting
    resource = make_resource(make_lab(), needs_approval=True)
    other_manager = make_lab_manager(make_lab())
    booking = book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    with pytest.raises(NotAllowed):
        approve_booking(booking, by=other_manager, now=NOW)
    with pytest.raises(NotAllowed):
        reject_booking(booking, reason="No", by=other_manager, now=NOW)
    with pytest.raises(NotAllowed):
        cancel_booking(booking, reason="", by=other_manager, now=NOW)
    assert booking.status == BookingStatus.PENDING


def test_rejection_frees_the_time(setting):
    _resource, project, member = setting
    resource = make_resource(make_lab(), needs_approval=True)
    manager = make_lab_manager(db.session.get(Resource, resource.id).lab)
    first = book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    reject_booking(first, reason="Maintenance that week", by=manager, now=NOW)
    second = book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    assert (first.status, first.rejection_reason) == (
        BookingStatus.REJECTED,
        "Maintenance that week",
    )
    assert second.status == BookingStatus.PENDING


def test_cancelling_frees_the_slot_and_emails_the_booker(setting):
    resource, project, member = setting
    first = book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    cancel_booking(first, reason="Cells not ready", by=member, now=NOW)
    book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    assert (first.status, first.cancelled_by_id, first.sequence) == (
        BookingStatus.CANCELLED,
        member.id,
        1,
    )
    cancelled = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.startswith("Lab booking cancelled"))
    ).all()
    assert [message.recipient for message in cancelled] == [member.email]
    assert "METHOD:CANCEL" in cancelled[0].attachment_body


def test_outcome_is_recorded_by_the_lab_after_the_end(setting):
    resource, project, member = setting
    manager = make_lab_manager(db.session.get(Resource, resource.id).lab)
    booking = book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    with pytest.raises(DomainError, match="has not ended yet"):
        record_outcome(booking, outcome=BookingStatus.NO_SHOW, by=manager, now=NOW)
    with pytest.raises(NotAllowed):
        record_outcome(
            booking, outcome=BookingStatus.COMPLETED, by=member, now=madrid(WEDNESDAY, 13)
        )
    record_outcome(booking, outcome=BookingStatus.NO_SHOW, by=manager, now=madrid(WEDNESDAY, 13))

    assert booking.status == BookingStatus.NO_SHOW


# --- overlaps can never happen -------------------------------------------------------------


def test_exclusion_constraint_refuses_a_raw_overlapping_row(setting, backend):
    if backend != "postgres":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    resource, project, member = setting
    book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))
    insert = text(
        "INSERT INTO lab_bookings (resource_id, project_id, starts_at, ends_at, year, quarter,"
        " purpose, status, created_at, rejection_reason, cancellation_reason, sequence)"
        " VALUES (:resource, :project, :starts, :ends, 2026, 1, '', 'pending', :now, '', '', 0)"
    )

    with pytest.raises(IntegrityError, match="ex_lab_bookings_no_overlap"):
        db.session.execute(
            insert,
            {
                "resource": resource.id,
                "project": project.id,
                "starts": madrid(WEDNESDAY, 11, 30),
                "ends": madrid(WEDNESDAY, 12, 30),
                "now": NOW,
            },
        )
    db.session.rollback()


def test_exclusion_constraint_lets_a_cancelled_row_overlap(setting, backend):
    if backend != "postgres":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    resource, project, member = setting
    first = book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))
    cancel_booking(first, reason="", by=member, now=NOW)

    book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    assert holding(resource.id) == 1


def _booking_call(resource_id, project_id, member_id, starts_at, ends_at):
    def prepare():
        resource = db.session.get(Resource, resource_id)
        project = db.session.get(Project, project_id)
        member = db.session.get(User, member_id)
        _ = resource.required_trainings, resource.lab  # loaded before the barrier

        def act():
            book(resource, project, member, starts_at, ends_at)
            return "booked"

        return act

    return prepare


def test_simultaneous_overlapping_bookings_leave_exactly_one(setting, at_the_same_instant):
    resource, project, _member = setting
    members = [member_of(project.organisation) for _ in range(WORKERS)]
    calls = [
        # Twenty overlapping requests: 10:00–12:00, 10:30–12:30, 09:30–11:30…
        _booking_call(
            resource.id,
            project.id,
            someone.id,
            madrid(WEDNESDAY, 10) + timedelta(minutes=30 * (index % 3 - 1)),
            madrid(WEDNESDAY, 12) + timedelta(minutes=30 * (index % 3 - 1)),
        )
        for index, someone in enumerate(members)
    ]

    results = at_the_same_instant(calls)

    assert sorted(results) == ["BookingOverlap"] * (WORKERS - 1) + ["booked"], results
    assert holding(resource.id) == 1


def test_simultaneous_bookings_never_exceed_the_quota(setting, at_the_same_instant):
    """Twenty members book twenty different resources at the same instant with 3 h left."""
    _resource, project, _member = setting
    lab = make_lab()
    set_quota(lab, project, minutes_per_quarter=180, by=make_user(Role.PROGRAMME_MANAGER), now=NOW)
    resources = [make_resource(lab) for _ in range(WORKERS)]
    members = [member_of(project.organisation) for _ in range(WORKERS)]
    calls = [
        _booking_call(r.id, project.id, m.id, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 11))
        for r, m in zip(resources, members, strict=True)
    ]

    results = at_the_same_instant(calls)

    assert sorted(results) == ["QuotaExceeded"] * (WORKERS - 3) + ["booked"] * 3, results


def test_a_started_booking_cannot_be_cancelled(setting):
    resource, project, member = setting
    booking = book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))

    with pytest.raises(BookingStarted):
        cancel_booking(booking, reason="", by=member, now=madrid(WEDNESDAY, 10, 30))

    assert booking.status == BookingStatus.APPROVED
