"""A project member finds a suggested mentor in a real browser, books one of their free times
with an agenda, and the mentor confirms from "My mentoring": both receive the calendar
invitation. Once the session is over, the mentor records it held with notes and action items,
and the member reads them and rates the session. axe-core checks the mentor directory, the
project's mentoring page, the booking page (as opened and with an error), the session page on
both sides and in each state, and the managers' mentoring report.

Pages run on the real clock, so the mentor is free every day 08:00–20:00 Madrid: there is always
a free time past the mentor's 48 hours of notice.
"""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from accelerator.accounts.enums import Role
from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.mentoring import booking, slots
from accelerator.mentoring.budget import programme_year_of
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.followup import rate_session, save_notes
from accelerator.mentoring.models import MentoringSession, SessionFeedback
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_accessibility import report, serious_violations
from tests.cohorts.conftest import make_project, member_of
from tests.factories import PASSWORD, make_user
from tests.mentoring.conftest import add_rule, make_mentor

MENTOR_NAME = "Elena Ortiz"
# The factory's application asks for regulatory help on a gene therapy (ophthalmology): the
# mentor knows two of those needs, and nothing is booked yet this month.
REASON = "Regulatory (EMA/CAT, AEMPS) + Gene therapy, 10 h free this month"
AGENDA = "Scientific advice from the EMA: which questions to ask on the non-clinical package."
NOTES = "We went through the briefing document and the CAT classification."
ACTION_ITEMS = ("Draft the scientific advice questions", "Book a pre-submission meeting")
COMMENT = "Clear and practical advice."
SLOTS_LEGEND = re.compile(r"^Free 60-minute times, Madrid time")
SESSION_PATH = re.compile(r"/mentoring/sessions/(\d+)$")


@pytest.fixture
def member(app):
    return member_of()


@pytest.fixture
def project(member):
    return make_project(member=member)


@pytest.fixture
def mentor(app):
    """A regulatory gene-therapy mentor, free every day 08:00–20:00 Madrid with no buffer."""
    profile = make_mentor(
        name=MENTOR_NAME, tags=("topic:regulatory", "class:gene_therapy"), buffer_minutes=0
    )
    for weekday in range(7):
        add_rule(profile, weekday=weekday, starts_at=time(8), ends_at=time(20))
    return profile


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


def expect_status(page, label: str) -> None:
    expect(page.locator("#session-status")).to_have_text(label)


def open_project_mentoring(page, project) -> None:
    """From the project space, its "Mentoring" link."""
    page.goto(f"/projects/{project.id}")
    page.get_by_role("link", name="Mentoring", exact=True).click()
    expect(page).to_have_url(re.compile(f"/mentoring/projects/{project.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentoring · RETIGENE")


def check_mentor_directory(page, mentor) -> None:
    """ "Browse all mentors" from the project's mentoring page, and back."""
    page.get_by_role("link", name="Browse all mentors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentors")
    expect(page.locator(f"#mentor-{mentor.id}").get_by_role("heading")).to_have_text(
        f"{MENTOR_NAME} · Mentors SL"
    )
    assert_accessible(page)
    page.go_back()


def request_first_free_time(page, mentor) -> str:
    """Books the first free time listed; returns its value (Madrid wall-clock time)."""
    suggestion = page.locator(f"#suggestion-{mentor.id}")
    expect(suggestion.get_by_role("heading")).to_have_text(f"{MENTOR_NAME} · Mentors SL")
    expect(suggestion.locator("p")).to_have_text(REASON)
    suggestion.get_by_role("link", name=f"See free times of {MENTOR_NAME}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Book a session with {MENTOR_NAME}")
    slots = page.get_by_role("group", name=SLOTS_LEGEND)
    expect(slots.get_by_role("radio").first).to_be_visible()
    assert_accessible(page)

    # Forgetting to pick a time: the error shows next to the times, the agenda is kept.
    page.get_by_label("Agenda").fill(AGENDA)
    page.get_by_role("button", name="Request the session").click()
    expect(page.get_by_role("alert").first).to_have_text("Please correct the fields marked below.")
    expect(page.locator("#starts_at-error")).to_have_text("Choose one of the listed times.")
    expect(slots).to_have_accessible_description("Choose one of the listed times.")
    expect(page.get_by_label("Agenda")).to_have_value(AGENDA)
    assert_accessible(page)

    first = slots.get_by_role("radio").first
    first.check()
    chosen = first.get_attribute("value")
    page.get_by_role("button", name="Request the session").click()
    expect(page).to_have_url(SESSION_PATH)
    expect_flash(page, "Your request is sent. The mentor will confirm or decline it.")
    expect_status(page, "Awaiting the mentor")
    assert_accessible(page)
    return chosen


def confirm_from_my_mentoring(page, project) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My mentoring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My mentoring")
    requests = page.get_by_role("region", name="Requests to answer")
    row = requests.get_by_role("row").nth(1)
    # When (Madrid), length, project, status.
    expect(row.get_by_role("cell").nth(1)).to_have_text("60 min")
    expect(row.get_by_role("cell").nth(2)).to_have_text(project.label)
    expect(row.get_by_role("cell").nth(3)).to_have_text("Awaiting the mentor")
    row.get_by_role("link").click()
    expect(page).to_have_url(SESSION_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentoring session")
    expect_status(page, "Awaiting the mentor")
    assert_accessible(page)

    page.get_by_role("button", name="Confirm the session").click()
    expect_flash(page, "The session is confirmed.")
    expect_status(page, "Confirmed")


def invitations_sent() -> list[tuple[str, str]]:
    """Recipients of the confirmation, with the attachment's name, for each valid invitation."""
    db.session.expire_all()
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == "Mentoring session confirmed")
    ).all()
    return sorted(
        (message.recipient, message.attachment_filename)
        for message in messages
        if "BEGIN:VCALENDAR" in (message.attachment_body or "")
        and "METHOD:REQUEST" in message.attachment_body
    )


def move_session_to_yesterday(session_id: int) -> None:
    """Time passes: a test can't wait a day, so the confirmed session is moved to start 24 h
    ago, keeping its length (the service would refuse a booking in the past)."""
    session = db.session.get(MentoringSession, session_id)
    length = session.ends_at - session.starts_at
    starts_at = (utcnow() - timedelta(days=1)).replace(second=0, microsecond=0)
    db.session.execute(
        update(MentoringSession)
        .where(MentoringSession.id == session_id)
        .values(starts_at=starts_at, ends_at=starts_at + length)
    )
    db.session.commit()


def notes_field(page):
    # By role: the section "Notes and action items" is labelled too.
    return page.get_by_role("textbox", name="Notes", exact=True)


def action_items_field(page):
    return page.get_by_role("textbox", name="Action items")


def record_held_with_notes(page) -> None:
    page.reload()
    expect(page.get_by_role("heading", name="How did it go?")).to_be_visible()
    page.get_by_role("radio", name="Held", exact=True).check()
    page.get_by_role("button", name="Record").click()
    expect_flash(page, "The outcome is recorded.")
    expect_status(page, "Held")

    notes_field(page).fill(NOTES)
    action_items_field(page).fill("\n".join(ACTION_ITEMS))
    page.get_by_role("button", name="Save the notes").click()
    expect_flash(page, "The notes are saved.")
    expect(notes_field(page)).to_have_value(NOTES)
    expect(action_items_field(page)).to_have_value("\n".join(ACTION_ITEMS))
    assert_accessible(page)


def read_notes_and_rate(page) -> None:
    page.reload()
    expect_status(page, "Held")
    expect(page.locator("#notes")).to_have_text(NOTES)
    expect(page.locator("#action-items").get_by_role("listitem")).to_have_text(list(ACTION_ITEMS))
    assert_accessible(page)

    page.get_by_role("group", name=re.compile("^Rating")).get_by_role(
        "radio", name="4", exact=True
    ).check()
    page.get_by_label("Comment (optional)").fill(COMMENT)
    page.get_by_role("button", name="Send the rating").click()
    expect_flash(page, "Thank you for your rating.")
    expect(page.locator("#rating")).to_have_text(f"Rated 4 out of 5. “{COMMENT}”")
    assert_accessible(page)


def test_member_books_a_suggested_mentor_who_confirms_holds_and_is_rated(
    browser, live_server, page, member, project, mentor
):
    sign_in(page, member)
    open_project_mentoring(page, project)
    assert_accessible(page)
    check_mentor_directory(page, mentor)
    chosen = request_first_free_time(page, mentor)

    db.session.expire_all()
    session = db.session.scalars(select(MentoringSession)).one()
    assert (session.project_id, session.mentor_id, session.status) == (
        project.id,
        mentor.id,
        SessionStatus.PENDING,
    )
    assert as_madrid(session.starts_at).strftime("%Y-%m-%dT%H:%M") == chosen
    assert session.ends_at - session.starts_at == timedelta(minutes=60)
    assert session.agenda == AGENDA

    # The mentor, in a browser of their own.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        mentor_page = context.new_page()
        sign_in(mentor_page, mentor.user)
        confirm_from_my_mentoring(mentor_page, project)

        assert invitations_sent() == sorted(
            [(mentor.user.email, "invitation.ics"), (member.email, "invitation.ics")]
        )

        move_session_to_yesterday(session.id)
        record_held_with_notes(mentor_page)
    finally:
        context.close()

    # The member, still on the session page.
    read_notes_and_rate(page)

    db.session.expire_all()
    held = db.session.get(MentoringSession, session.id)
    assert (held.status, held.charged) == (SessionStatus.HELD, True)
    assert held.action_items == "\n".join(ACTION_ITEMS)
    feedback = db.session.scalars(select(SessionFeedback)).one()
    assert (feedback.session_id, feedback.rating, feedback.comment, feedback.given_by_id) == (
        session.id,
        4,
        COMMENT,
        member.id,
    )


def test_mentoring_report_has_no_serious_accessibility_violations(page, member, project, mentor):
    # A session held and rated, booked with a `now` ten days ago so that it is over.
    then = utcnow() - timedelta(days=10)
    slot = slots.bookable_slots(mentor, length_minutes=60, now=then)[0]
    session = booking.request_session(
        project,
        mentor,
        starts_at=slot.starts_at,
        length_minutes=60,
        agenda=AGENDA,
        by=member,
        now=then,
    )
    booking.confirm_session(session, by=mentor.user, now=then)
    booking.record_outcome(session, outcome=SessionStatus.HELD, by=mentor.user, now=utcnow())
    save_notes(session, notes=NOTES, action_items="", by=mentor.user, now=utcnow())
    rate_session(session, rating=4, comment=COMMENT, by=member, now=utcnow())
    year = programme_year_of(session.starts_at)  # ten days ago may be last year
    sign_in(page, make_user(Role.PROGRAMME_MANAGER, name="Montse Ribas"))

    page.goto(f"/mentoring/report?year={year}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mentoring report {year}")
    expect(page.locator(f"#project-{project.id} .held")).to_have_text("1")
    expect(page.locator(f"#mentor-{mentor.id}").get_by_role("rowheader")).to_have_text(MENTOR_NAME)

    violations = serious_violations(page)

    assert violations == [], report(violations)
