"""A project member finds a grade B clean room in a real browser, books it from its week view,
the lab manager approves it from the approval queue, and the member receives the calendar
invitation and sees the booking as theirs on the week view. axe-core checks the resource list
(filtered), the week view (before and after booking), the booking form (as opened and with an
error), the booking page, the approval queue and the lab report.

Pages run on the real clock, so the lab is open every day 08:00–20:00 Madrid and the booking is
made next week on Wednesday 10:00–12:00: at least three days ahead, past the resource's 24 hours
of notice whatever day the test runs.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.labs.enums import BookingStatus, CleanroomGrade, ResourceKind
from accelerator.labs.models import LabBooking
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_accessibility import report, serious_violations
from tests.cohorts.conftest import make_project, member_of
from tests.factories import PASSWORD
from tests.labs.conftest import (
    authorise,
    make_lab,
    make_lab_manager,
    make_resource,
    make_training,
)

ROOM = "GMP clean room B1"
PURPOSE = "CAR-T manufacturing run: T-cell expansion, day 3."
APPROVED_SUBJECT = f"Lab booking approved: {ROOM}"
BOOKING_PATH = re.compile(r"/labs/bookings/(\d+)$")


@pytest.fixture
def today(app):
    return as_madrid(utcnow()).date()


@pytest.fixture
def member(app):
    return member_of()


@pytest.fixture
def project(member):
    return make_project(member=member)


@pytest.fixture
def lab(app):
    """Open every day 08:00–20:00, so that the test works whatever day it runs."""
    return make_lab(name="Barcelona GMP Facility", weekdays=range(7))


@pytest.fixture
def rooms(lab, member, today):
    """The grade B room the member looks for (needing a training the member holds and the
    lab's approval), and two rooms the filters leave out: grade C, and grade B with
    containment level 1."""
    training = make_training(lab, "Aseptic gowning")
    authorise(
        member,
        training,
        granted_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=300),
    )
    wanted = make_resource(
        lab,
        name=ROOM,
        kind=ResourceKind.GMP_CLEAN_ROOM,
        cleanroom_grade=CleanroomGrade.B,
        containment_level=2,
        needs_approval=True,
        trainings=[training],
    )
    grade_c = make_resource(
        lab, name="GMP clean room C1", cleanroom_grade=CleanroomGrade.C, containment_level=2
    )
    level_1 = make_resource(
        lab, name="GMP clean room B2", cleanroom_grade=CleanroomGrade.B, containment_level=1
    )
    return wanted, grade_c, level_1


@pytest.fixture
def lab_manager(lab):
    return make_lab_manager(lab)


def sign_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Welcome, {user.name}.")


def assert_accessible(page) -> None:
    violations = serious_violations(page)
    assert violations == [], report(violations)


def expect_flash(page, message: str) -> None:
    expect(page.get_by_role("status").first).to_have_text(message)


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def resource_rows(page):
    return page.locator("#resources tbody tr")


def find_the_grade_b_room(page, rooms, monday) -> None:
    """From "Lab bookings", the list of resources; the filters keep only the wanted room."""
    wanted, grade_c, level_1 = rooms
    main_nav(page).get_by_role("link", name="Lab bookings").click()
    page.get_by_role("link", name="Find a resource to book").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lab resources")
    expect(resource_rows(page)).to_have_count(3)

    filters = page.get_by_role("form", name="Filter the resources")
    filters.get_by_label("Clean room grade").select_option(label="Grade B")
    filters.get_by_label("Containment level at least").select_option("2")
    filters.get_by_label("Free between").fill(monday.isoformat())
    filters.get_by_label("and (included)").fill((monday + timedelta(days=6)).isoformat())
    filters.get_by_label("For (hours)").fill("2")
    filters.get_by_role("button", name="Filter").click()

    expect(page.locator("#resources caption")).to_have_text("1 resource matches.")
    expect(resource_rows(page)).to_have_count(1)
    row = page.locator(f"#resource-{wanted.id}")
    expect(row.get_by_role("rowheader")).to_have_text(ROOM)
    # The first free time next week links to the booking form.
    expect(row.get_by_role("link", name=re.compile(r"\d{2}:\d{2}–\d{2}:\d{2}$"))).to_be_visible()
    expect(page.locator(f"#resource-{grade_c.id}")).to_have_count(0)
    expect(page.locator(f"#resource-{level_1.id}")).to_have_count(0)
    expect(filters.get_by_label("Clean room grade")).to_have_value(CleanroomGrade.B.value)
    assert_accessible(page)


def open_next_week(page, wanted, monday) -> None:
    page.locator(f"#resource-{wanted.id}").get_by_role("link", name=ROOM).click()
    expect(page).to_have_url(re.compile(f"/labs/resources/{wanted.id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ROOM)
    expect(page.locator("#week")).to_be_visible()
    assert_accessible(page)

    page.locator("#next-week").click()
    expect(page.locator(f"#day-{monday.isoformat()}")).to_be_visible()
    assert_accessible(page)


def book_with_one_mistake(page, day) -> None:
    """The free cell of next Wednesday at 10:00 opens the booking form with that time; an end
    before the start is refused next to the end, then 10:00–12:00 is requested."""
    when = f"{day:%A} {day.day} {day:%B} 10:00"
    page.get_by_role("link", name=f"Book {when}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Book {ROOM}")
    form = page.locator("#booking-form")
    expect(form.get_by_label("Date", exact=True)).to_have_value(day.isoformat())
    expect(form.get_by_label("Start time (Madrid)")).to_have_value("10:00")
    expect(form.get_by_label("End time (Madrid)")).to_have_value("10:30")
    assert_accessible(page)

    form.get_by_label("End time (Madrid)").fill("09:00")
    form.get_by_label("Purpose").fill(PURPOSE)
    form.get_by_role("button", name="Request the booking").click()
    expect(page.get_by_role("alert").first).to_have_text("Please correct the fields marked below.")
    expect(page.locator("#ends-error")).to_have_text("The end must be after the start.")
    expect(form.get_by_label("End time (Madrid)")).to_have_accessible_description(
        "The end must be after the start."
    )
    expect(form.get_by_label("End time (Madrid)")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Purpose")).to_have_value(PURPOSE)
    assert_accessible(page)

    form.get_by_label("End time (Madrid)").fill("12:00")
    form.get_by_role("button", name="Request the booking").click()
    expect(page).to_have_url(BOOKING_PATH)
    expect_flash(page, "Your booking is requested: the lab will approve or reject it.")
    expect(page.locator("#booking-status")).to_have_text("Awaiting approval")
    assert_accessible(page)


def approve_from_the_queue(page, the_booking) -> None:
    main_nav(page).get_by_role("link", name="Labs", exact=True).click()
    page.get_by_role("link", name="Bookings to approve").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bookings to approve")
    row = page.locator(f"#pending-{the_booking.id}")
    expect(row.get_by_role("cell").nth(2)).to_contain_text(ROOM)
    expect(row.get_by_role("cell").nth(5)).to_have_text(PURPOSE)
    assert_accessible(page)

    row.get_by_role("button", name=re.compile(f"^Approve the booking of {ROOM} on ")).click()
    expect_flash(page, "The booking is approved.")
    expect(page.locator("#queue-empty")).to_have_text("No booking awaits approval.")


def invitations_sent() -> list[tuple[str, str]]:
    """Recipients of the approval, with the attachment's name, for each valid invitation."""
    db.session.expire_all()
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == APPROVED_SUBJECT)
    ).all()
    return sorted(
        (message.recipient, message.attachment_filename)
        for message in messages
        if "BEGIN:VCALENDAR" in (message.attachment_body or "")
        and "METHOD:REQUEST" in message.attachment_body
    )


def see_the_booking_as_ours(page, day) -> None:
    """Back on the booking page: approved, and its week shows four 30-minute cells as ours."""
    page.reload()
    expect(page.locator("#booking-status")).to_have_text("Approved")
    page.get_by_role("link", name=f"Week view of {ROOM}").click()
    expect(page.locator(f"#day-{day.isoformat()}")).to_be_visible()
    own = page.locator('#week td[data-state="own"]')
    expect(own).to_have_count(4)
    expect(own.get_by_role("link", name="Your project")).to_have_count(4)
    expect(page.locator("#week")).not_to_contain_text("awaiting approval")
    assert_accessible(page)


def read_the_report(page, wanted, day) -> None:
    main_nav(page).get_by_role("link", name="Labs", exact=True).click()
    page.get_by_role("link", name="Utilisation report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lab report")
    period = page.get_by_role("form", name="Report period")
    period.get_by_label("From", exact=True).fill(day.isoformat())
    period.get_by_label("To", exact=True).fill(day.isoformat())
    period.get_by_role("button", name="Show").click()
    expect(page.locator(f"#resource-{wanted.id} .booked")).to_have_text("2")
    assert_accessible(page)


def test_member_books_a_grade_b_clean_room_that_the_lab_manager_approves(
    browser, live_server, page, member, project, rooms, lab_manager, today
):
    wanted = rooms[0]
    next_monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    wednesday = next_monday + timedelta(days=2)

    sign_in(page, member)
    find_the_grade_b_room(page, rooms, next_monday)
    open_next_week(page, wanted, next_monday)
    book_with_one_mistake(page, wednesday)

    db.session.expire_all()
    the_booking = db.session.scalars(select(LabBooking)).one()
    assert (
        the_booking.resource_id,
        the_booking.project_id,
        the_booking.operator_id,
        the_booking.status,
    ) == (wanted.id, project.id, member.id, BookingStatus.PENDING)
    assert as_madrid(the_booking.starts_at).strftime("%Y-%m-%d %H:%M") == f"{wednesday} 10:00"
    assert the_booking.ends_at - the_booking.starts_at == timedelta(hours=2)
    assert the_booking.purpose == PURPOSE

    # The lab manager, in a browser of their own.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        manager_page = context.new_page()
        sign_in(manager_page, lab_manager)
        approve_from_the_queue(manager_page, the_booking)

        assert invitations_sent() == [(member.email, "invitation.ics")]

        see_the_booking_as_ours(page, wednesday)
        read_the_report(manager_page, wanted, wednesday)
    finally:
        context.close()

    db.session.expire_all()
    assert db.session.get(LabBooking, the_booking.id).status == BookingStatus.APPROVED
