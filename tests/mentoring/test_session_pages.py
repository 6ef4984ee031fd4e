"""The booking pages: suggestions with their reason, the request form and its refusals, the
mentor's answer, and what each person may read afterwards.

Pages run on the real clock, so mentors here are free every day 08:00–20:00 Madrid and the
sessions that must be over are booked with a `now` ten days ago.
"""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from accelerator.accounts.enums import Role
from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.mentoring import booking, slots
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.followup import rate_session
from accelerator.mentoring.models import MentoringSession, SessionFeedback
from accelerator.reviews.conflicts import declare_conflict
from tests.cohorts.conftest import field_errors, make_project, member_of, text_of
from tests.conftest import post_form, sign_in
from tests.factories import make_user
from tests.mentoring.conftest import add_rule, make_mentor


def free_every_day(mentor):
    for weekday in range(7):
        add_rule(mentor, weekday=weekday, starts_at=time(8), ends_at=time(20))


@pytest.fixture
def setting(app):
    """A project (gene therapy, ophthalmology, asking for regulatory help), one member, and a
    regulatory mentor free every day."""
    member = member_of()
    project = make_project(member=member)
    mentor = make_mentor(
        name="Marta Regulatory", tags=("topic:regulatory", "class:gene_therapy"), buffer_minutes=0
    )
    free_every_day(mentor)
    return project, mentor, member


def first_free_slot(mentor, length=60):
    return slots.bookable_slots(mentor, length_minutes=length, now=utcnow())[0]


def madrid_value(moment) -> str:
    return as_madrid(moment).strftime("%Y-%m-%dT%H:%M")


def booking_url(project, mentor) -> str:
    return f"/mentoring/projects/{project.id}/mentors/{mentor.id}/book"


def past_session(project, mentor, member, *, days_ago=10) -> MentoringSession:
    """A confirmed session that started about nine days ago (booked with a `now` in the past)."""
    then = utcnow() - timedelta(days=days_ago)
    slot = slots.bookable_slots(mentor, length_minutes=60, now=then)[0]
    session = booking.request_session(
        project,
        mentor,
        starts_at=slot.starts_at,
        length_minutes=60,
        agenda="CMC plan",
        by=member,
        now=then,
    )
    return booking.confirm_session(session, by=mentor.user, now=then)


def test_project_page_suggests_mentor_with_reason(client, setting):
    project, mentor, member = setting
    make_mentor(name="Only Fundraising", tags=("topic:fundraising",))
    sign_in(client, member)

    page = client.get(f"/mentoring/projects/{project.id}").get_data(as_text=True)

    assert text_of(page, f"suggestion-{mentor.id}").startswith("Marta Regulatory")
    assert "Regulatory (EMA/CAT, AEMPS) + Gene therapy, 10 h free this month" in page
    assert "Only Fundraising" not in page


def test_conflicted_mentor_is_neither_suggested_nor_bookable(client, setting):
    project, mentor, member = setting
    declare_conflict(
        mentor.user,
        organisation_id=project.organisation_id,
        reason="Former adviser",
        by=make_user(Role.PROGRAMME_MANAGER),
        now=utcnow(),
    )
    sign_in(client, member)

    page = client.get(f"/mentoring/projects/{project.id}").get_data(as_text=True)

    assert f"suggestion-{mentor.id}" not in page
    assert client.get(booking_url(project, mentor)).status_code == 404


def test_member_books_a_listed_slot_and_the_mentor_is_emailed(client, setting):
    project, mentor, member = setting
    slot = first_free_slot(mentor)
    sign_in(client, member)

    response = post_form(
        client,
        booking_url(project, mentor),
        {"starts_at": madrid_value(slot.starts_at), "length": "60", "agenda": "EMA advice"},
    )

    session = db.session.scalar(select(MentoringSession))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/mentoring/sessions/{session.id}"
    assert (session.starts_at, session.status) == (slot.starts_at, SessionStatus.PENDING)
    emailed = db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.subject.startswith("New mentoring"))
    ).all()
    assert emailed == [mentor.user.email]


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        ({"length": "45"}, "length", "Sessions last 30, 60 or 90 minutes."),
        ({"agenda": ""}, "agenda", "Say what you would like to discuss."),
        ({"starts_at": "next tuesday"}, "starts_at", "Choose one of the listed times."),
        (
            {"starts_at": "2020-01-07T10:00"},
            "starts_at",
            "Sessions are booked at least 48 hours ahead.",
        ),
    ],
)
def test_bad_booking_input_gets_message_next_to_field(client, setting, change, field_id, message):
    project, mentor, member = setting
    data = {
        "starts_at": madrid_value(first_free_slot(mentor).starts_at),
        "length": "60",
        "agenda": "EMA advice",
        **change,
    }
    sign_in(client, member)

    response = post_form(client, booking_url(project, mentor), data)

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field_id) == [message]
    assert db.session.scalar(select(func.count(MentoringSession.id))) == 0


def test_slot_outside_availability_is_refused_next_to_field(client, setting):
    project, mentor, member = setting
    late_evening = as_madrid(first_free_slot(mentor).starts_at + timedelta(days=1)).replace(
        hour=22, minute=0
    )
    sign_in(client, member)

    response = post_form(
        client,
        booking_url(project, mentor),
        {"starts_at": late_evening.strftime("%Y-%m-%dT%H:%M"), "length": "60", "agenda": "x"},
    )

    assert field_errors(response.get_data(as_text=True), "starts_at") == [
        "The mentor is not available at this time. Choose a listed slot."
    ]


def test_budget_exceeded_shows_hours_left_next_to_field(client, setting):
    project, mentor, member = setting
    from accelerator.mentoring.budget import set_budget

    year = as_madrid(first_free_slot(mentor).starts_at).year
    set_budget(project, year=year, minutes=30, by=make_user(Role.PROGRAMME_MANAGER), now=utcnow())
    sign_in(client, member)

    response = post_form(
        client,
        booking_url(project, mentor),
        {
            "starts_at": madrid_value(first_free_slot(mentor).starts_at),
            "length": "60",
            "agenda": "x",
        },
    )

    assert field_errors(response.get_data(as_text=True), "starts_at") == [
        f"This session would exceed the project's mentoring budget for {year}: 0.5 h left of 0.5 h."
    ]


def test_mentor_confirms_and_both_sides_get_the_invitation(client, setting):
    project, mentor, member = setting
    slot = first_free_slot(mentor)
    session = booking.request_session(
        project,
        mentor,
        starts_at=slot.starts_at,
        length_minutes=60,
        agenda="x",
        by=member,
        now=utcnow(),
    )
    db.session.query(OutboxMessage).delete()
    db.session.commit()
    sign_in(client, mentor.user)

    response = post_form(
        client,
        f"/mentoring/sessions/{session.id}/confirm",
        {},
        page=f"/mentoring/sessions/{session.id}",
    )

    assert response.status_code == 302
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in messages] == [mentor.user.email, member.email]
    assert all("METHOD:REQUEST" in m.attachment_body for m in messages)


def test_decline_without_reason_gets_message_next_to_field(client, setting):
    project, mentor, member = setting
    session = booking.request_session(
        project,
        mentor,
        starts_at=first_free_slot(mentor).starts_at,
        length_minutes=60,
        agenda="x",
        by=member,
        now=utcnow(),
    )
    sign_in(client, mentor.user)

    response = post_form(
        client,
        f"/mentoring/sessions/{session.id}/decline",
        {"reason": ""},
        page=f"/mentoring/sessions/{session.id}",
    )

    assert field_errors(response.get_data(as_text=True), "reason") == [
        "Tell the project why you decline."
    ]
    assert db.session.get(MentoringSession, session.id).status == SessionStatus.PENDING


def test_notes_are_read_by_project_members_only(client, setting):
    project, mentor, member = setting
    session = past_session(project, mentor, member)
    sign_in(client, mentor.user)
    post_form(
        client,
        f"/mentoring/sessions/{session.id}/outcome",
        {"outcome": "held"},
        page=f"/mentoring/sessions/{session.id}",
    )
    post_form(
        client,
        f"/mentoring/sessions/{session.id}/notes",
        {"notes": "Scientific advice first.", "action_items": "Draft the briefing book\nAsk CAT"},
        page=f"/mentoring/sessions/{session.id}",
    )
    rival = member_of()
    make_project(member=rival)
    other_mentor = make_mentor()

    for outsider in (rival, other_mentor.user):
        sign_in(client, outsider)
        assert client.get(f"/mentoring/sessions/{session.id}").status_code == 404
    sign_in(client, member)
    page = client.get(f"/mentoring/sessions/{session.id}").get_data(as_text=True)
    assert text_of(page, "notes") == "Scientific advice first."
    assert "<li>Draft the briefing book</li><li>Ask CAT</li>" in page


def test_member_rates_and_mentor_sees_only_an_average_from_three(client, setting):
    project, mentor, member = setting
    sessions = [past_session(project, mentor, member, days_ago=days) for days in (12, 11, 10)]
    sign_in(client, member)
    response = post_form(
        client,
        f"/mentoring/sessions/{sessions[0].id}/feedback",
        {"rating": "5", "comment": "Very clear"},
        page=f"/mentoring/sessions/{sessions[0].id}",
    )
    assert response.status_code == 302
    sign_in(client, mentor.user)

    session_page = client.get(f"/mentoring/sessions/{sessions[0].id}").get_data(as_text=True)
    assert "Very clear" not in session_page
    assert "Rated 5" not in session_page
    mine = client.get("/mentoring/sessions").get_data(as_text=True)
    assert "Average rating" not in mine

    for session, rating in zip(sessions[1:], (3, 4), strict=True):
        rate_session(session, rating=rating, comment="", by=member, now=utcnow())
    mine = client.get("/mentoring/sessions").get_data(as_text=True)
    assert text_of(mine, "ratings") == "Average rating 4 out of 5, from 3 ratings."
    assert db.session.scalar(select(func.count(SessionFeedback.id))) == 3


def test_rating_out_of_range_gets_message_next_to_field(client, setting):
    project, mentor, member = setting
    session = past_session(project, mentor, member)
    sign_in(client, member)

    response = post_form(
        client,
        f"/mentoring/sessions/{session.id}/feedback",
        {"rating": "9"},
        page=f"/mentoring/sessions/{session.id}",
    )

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "rating") == ["Not a valid choice."]
    assert db.session.scalar(select(func.count(SessionFeedback.id))) == 0


@pytest.mark.parametrize("sessions", [1, 3])
def test_project_and_mentor_pages_run_a_fixed_number_of_queries(
    client, setting, count_queries, sessions
):
    project, mentor, member = setting
    for mentor_number in range(sessions):
        other = make_mentor(tags=("topic:regulatory",), buffer_minutes=0)
        free_every_day(other)
        booking.request_session(
            project,
            other,
            starts_at=first_free_slot(other).starts_at,
            length_minutes=30,
            agenda="x",
            by=member,
            now=utcnow(),
        )
        past_session(project, mentor, member, days_ago=10 + mentor_number)
    project_url = f"/mentoring/projects/{project.id}"
    sign_in(client, member)
    client.get(project_url)
    with count_queries() as project_page:
        assert client.get(project_url).status_code == 200
    sign_in(client, mentor.user)
    client.get("/mentoring/sessions")
    with count_queries() as mentor_page:
        assert client.get("/mentoring/sessions").status_code == 200

    assert (len(project_page), len(mentor_page)) == (12, 6)


def test_mentor_declares_a_conflict_and_is_no_longer_suggested(client, setting):
    project, mentor, member = setting
    sign_in(client, mentor.user)

    response = post_form(
        client,
        "/reviews/conflicts",
        {"organisation": str(project.organisation_id), "reason": "I advise their board"},
    )

    assert response.status_code == 302
    sign_in(client, member)
    page = client.get(f"/mentoring/projects/{project.id}").get_data(as_text=True)
    assert f"suggestion-{mentor.id}" not in page
    assert client.get(booking_url(project, mentor)).status_code == 404
