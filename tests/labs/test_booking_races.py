"""Two people act on one pending booking at the same instant: exactly one wins, the other is
refused with BookingNotOpen, and only the winner's audit entry and email exist. An approval
checks again that the time is still free.

The threads are released together by the at_the_same_instant fixture. Without the conditional
update both actions pass their status check on the booking as loaded and both commit (tried:
two audit entries and two emails on both backends).
"""

import pytest

from accelerator.extensions import db
from accelerator.labs.booking import approve_booking, cancel_booking, reject_booking
from accelerator.labs.booking_rules import LabClosed
from accelerator.labs.enums import BookingStatus
from accelerator.labs.models import LabBooking, Resource
from accelerator.labs.services.opening import add_closure
from tests.cohorts.conftest import make_project, member_of
from tests.labs.conftest import (
    NOW,
    WEDNESDAY,
    book,
    madrid,
    make_lab,
    make_lab_manager,
    make_resource,
)
from tests.rivals import acting, last_message_id, left_behind

SUBJECTS = {
    BookingStatus.APPROVED: "Lab booking approved: Clean room B1",
    BookingStatus.REJECTED: "Lab booking rejected: Clean room B1",
    BookingStatus.CANCELLED: "Lab booking cancelled: Clean room B1",
}


def pending_booking():
    """A pending booking of a resource that needs approval, its booker and a lab manager."""
    member = member_of()
    project = make_project(member=member)
    lab = make_lab(name="Leitat")
    resource = make_resource(lab, name="Clean room B1", needs_approval=True)
    manager = make_lab_manager(lab)
    booking = book(resource, project, member, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))
    return booking, member, manager


def test_approve_and_reject_at_the_same_instant_leave_one_decision(app, at_the_same_instant):
    booking, _member, manager = pending_booking()
    before = last_message_id()

    results = at_the_same_instant(
        [
            acting(approve_booking, LabBooking, booking.id, manager.id, "approved", now=NOW),
            acting(
                reject_booking,
                LabBooking,
                booking.id,
                manager.id,
                "rejected",
                reason="Maintenance.",
                now=NOW,
            ),
        ]
    )

    status, actions, subjects = left_behind(
        LabBooking, booking.id, object_type="lab_booking", since_message_id=before
    )
    assert sorted(results) == sorted(["BookingNotOpen", status.value]), results
    assert actions == [f"lab_booking.{status.value}"]
    assert subjects == [SUBJECTS[status]]


def test_cancel_and_approve_at_the_same_instant_leave_one_of_them(app, at_the_same_instant):
    booking, member, manager = pending_booking()
    before = last_message_id()

    results = at_the_same_instant(
        [
            acting(
                cancel_booking,
                LabBooking,
                booking.id,
                member.id,
                "cancelled",
                reason="Plans changed.",
                now=NOW,
            ),
            acting(approve_booking, LabBooking, booking.id, manager.id, "approved", now=NOW),
        ]
    )

    status, actions, subjects = left_behind(
        LabBooking, booking.id, object_type="lab_booking", since_message_id=before
    )
    assert sorted(results) == sorted(["BookingNotOpen", status.value]), results
    assert actions == [f"lab_booking.{status.value}"]
    assert subjects == [SUBJECTS[status]]


def test_approving_a_booking_on_a_day_closed_since_the_request_is_refused(app):
    booking, _member, manager = pending_booking()
    lab = db.session.get(Resource, booking.resource_id).lab
    add_closure(lab, first_day=WEDNESDAY, last_day=WEDNESDAY, reason="Audit", by=manager, now=NOW)

    with pytest.raises(LabClosed) as refusal:
        approve_booking(booking, by=manager, now=NOW)

    assert str(refusal.value) == "Leitat is closed on Wednesday 11 March (Audit)."
    assert db.session.get(LabBooking, booking.id).status == BookingStatus.PENDING
