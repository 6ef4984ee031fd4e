"""The waiting list: joined from a refused overlap, one entry per person and time, and one email
when the time frees up (by cancellation or rejection), never a second.

Pages run on the real clock, so times are next week's (Madrid dates).
"""

import html
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from accelerator.core.clock import as_madrid, madrid_to_utc, utcnow
from accelerator.core.errors import NotAllowed
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db
from accelerator.labs.models import WaitlistEntry
from accelerator.labs.waitlist import WaitlistTimeInvalid, join_waitlist
from tests.cohorts.conftest import make_project, member_of
from tests.conftest import post_form, sign_in
from tests.labs.conftest import book, make_lab, make_lab_manager, make_resource

FREED = "A time you wanted is free: Clean room B1"


def next_wednesday():
    today = as_madrid(utcnow()).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=9)


def at(day, hour: int, minute: int = 0) -> datetime:
    return madrid_to_utc(datetime.combine(day, time(hour, minute)))


def emails_to(person) -> list[str]:
    return db.session.scalars(
        select(OutboxMessage.subject)
        .where(OutboxMessage.recipient == person.email, OutboxMessage.subject == FREED)
        .order_by(OutboxMessage.id)
    ).all()


@pytest.fixture
def taken(app):
    """Next Wednesday 10:00–12:00 of a clean room is booked by another project."""
    lab = make_lab(name="Parc Científic")
    resource = make_resource(lab, name="Clean room B1")
    member = member_of()
    project = make_project(member=member, acronym="RETIGENE")
    rival = member_of()
    rival_project = make_project(member=rival, acronym="SECRETCAR")
    day = next_wednesday()
    booking = book(resource, rival_project, rival, at(day, 10), at(day, 12), now=utcnow())
    return {
        "lab": lab,
        "resource": resource,
        "member": member,
        "project": project,
        "rival": rival,
        "rival_project": rival_project,
        "booking": booking,
        "day": day,
    }


def waitlist_url(resource) -> str:
    return f"/labs/resources/{resource.id}/waitlist"


def join_from_the_refusal(client, taken, start="11:00", end="13:00"):
    """Asks for a taken time on the booking form, then presses "Tell me if this time frees up"
    with what the page offers."""
    resource, member, project = taken["resource"], taken["member"], taken["project"]
    page = post_form(
        client,
        f"/labs/resources/{resource.id}/book",
        {
            "project": str(project.id),
            "day": taken["day"].isoformat(),
            "starts": start,
            "ends": end,
            "operator": str(member.id),
            "purpose": "Vector production",
        },
    ).text
    offer = page[
        page.index(f'action="{waitlist_url(resource)}"') : page.index('id="join-waitlist"')
    ]
    data = {
        name: html.unescape(value)
        for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', offer)
        if name != "csrf_token"
    }
    return post_form(client, waitlist_url(resource), data, page="/labs/bookings")


def test_joining_from_a_refused_overlap_records_the_wanted_time(client, taken):
    sign_in(client, taken["member"])

    response = join_from_the_refusal(client, taken)

    entry = db.session.scalars(select(WaitlistEntry)).one()
    day = taken["day"]
    monday = day - timedelta(days=day.weekday())
    assert response.headers["Location"] == (
        f"/labs/resources/{taken['resource'].id}?week={monday.isoformat()}"
    )
    assert (entry.starts_at, entry.ends_at, entry.project_id, entry.user_id) == (
        at(day, 11),
        at(day, 13),
        taken["project"].id,
        taken["member"].id,
    )
    assert entry.notified_at is None
    audit = db.session.scalars(select(AuditEntry.action)).all()
    assert audit.count("lab_waitlist.joined") == 1
    assert "We will email you if" in client.get(response.headers["Location"]).text


def test_cancelling_the_booking_emails_the_waiter_once(client, taken):
    booking = taken["booking"]
    sign_in(client, taken["member"])
    join_from_the_refusal(client, taken)
    sign_in(client, taken["rival"])

    first = post_form(client, f"/labs/bookings/{booking.id}/cancel", {})
    again = post_form(client, f"/labs/bookings/{booking.id}/cancel", {})

    assert (first.status_code, again.status_code) == (302, 302)
    assert emails_to(taken["member"]) == [FREED]
    assert "This booking is no longer open." in client.get(again.headers["Location"]).text


def test_a_later_booking_freed_over_the_same_time_does_not_email_again(client, taken):
    resource, rival, day = taken["resource"], taken["rival"], taken["day"]
    sign_in(client, taken["member"])
    join_from_the_refusal(client, taken)
    sign_in(client, rival)
    post_form(client, f"/labs/bookings/{taken['booking'].id}/cancel", {})
    again = book(resource, taken["rival_project"], rival, at(day, 10), at(day, 12), now=utcnow())

    post_form(client, f"/labs/bookings/{again.id}/cancel", {})

    assert emails_to(taken["member"]) == [FREED]


def test_rejecting_the_booking_emails_the_waiter_once(client, taken):
    resource = make_resource(taken["lab"], name="Vector suite", needs_approval=True)
    day = taken["day"]
    pending = book(
        resource, taken["rival_project"], taken["rival"], at(day, 14), at(day, 16), now=utcnow()
    )
    join_waitlist(
        resource,
        taken["project"],
        starts_at=at(day, 15),
        ends_at=at(day, 17),
        by=taken["member"],
        now=utcnow(),
    )
    sign_in(client, make_lab_manager(taken["lab"]))

    post_form(
        client, f"/labs/bookings/{pending.id}/reject", {"rejection_reason": "Maintenance due"}
    )
    post_form(client, f"/labs/bookings/{pending.id}/reject", {"rejection_reason": "Again"})

    subjects = db.session.scalars(
        select(OutboxMessage.subject).where(
            OutboxMessage.recipient == taken["member"].email,
            OutboxMessage.subject.startswith("A time you wanted"),
        )
    ).all()
    assert subjects == ["A time you wanted is free: Vector suite"]


def test_joining_twice_keeps_one_entry_and_says_so(client, taken):
    sign_in(client, taken["member"])
    join_from_the_refusal(client, taken)

    response = join_from_the_refusal(client, taken)

    assert len(db.session.scalars(select(WaitlistEntry)).all()) == 1
    page = client.get(response.headers["Location"]).text
    assert "You are already on the waiting list for this time." in page


def test_waiting_for_another_time_is_not_emailed(client, taken):
    day = taken["day"]
    join_waitlist(
        taken["resource"],
        taken["project"],
        starts_at=at(day, 14),
        ends_at=at(day, 16),
        by=taken["member"],
        now=utcnow(),
    )
    sign_in(client, taken["rival"])

    post_form(client, f"/labs/bookings/{taken['booking'].id}/cancel", {})

    assert emails_to(taken["member"]) == []


def test_waitlist_refuses_past_times_and_other_organisations_projects(taken):
    resource, project, day = taken["resource"], taken["project"], taken["day"]
    now = utcnow()

    with pytest.raises(WaitlistTimeInvalid, match="This time has passed."):
        join_waitlist(
            resource,
            project,
            starts_at=now - timedelta(hours=2),
            ends_at=now - timedelta(hours=1),
            by=taken["member"],
            now=now,
        )
    with pytest.raises(WaitlistTimeInvalid, match="The end must be after the start."):
        join_waitlist(
            resource,
            project,
            starts_at=at(day, 12),
            ends_at=at(day, 11),
            by=taken["member"],
            now=now,
        )
    with pytest.raises(NotAllowed):
        join_waitlist(
            resource,
            project,
            starts_at=at(day, 10),
            ends_at=at(day, 12),
            by=taken["rival"],
            now=now,
        )
    assert db.session.scalars(select(WaitlistEntry)).all() == []


def test_waitlist_post_without_a_time_returns_to_the_form_with_a_message(client, taken):
    resource = taken["resource"]
    sign_in(client, taken["member"])

    response = post_form(client, waitlist_url(resource), {}, page="/labs/bookings")

    assert response.headers["Location"] == f"/labs/resources/{resource.id}/book"
    assert db.session.scalars(select(WaitlistEntry)).all() == []
