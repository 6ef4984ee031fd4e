"""The subscribable calendar feeds of mentors and projects: what they serve, and the address
shown once when created or reset by an explicit POST, from pages that never write (only its
hash kept, and who it answers for: test_feed_issuers.py).

NOW is Sunday 1 March 2026; Tuesdays 10 and 17 March are in Madrid winter time (UTC+1), so the
mentor's Tuesday 10:00–13:00 is 09:00–12:00 UTC.
"""

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from accelerator.accounts.enums import Role
from accelerator.core.errors import NotAllowed
from accelerator.core.models import AuditEntry
from accelerator.extensions import db
from accelerator.mentoring import feeds
from accelerator.mentoring.booking import (
    cancel_session,
    decline_session,
    record_outcome,
)
from accelerator.mentoring.calendar import feed as calendar_feed
from accelerator.mentoring.calendar import session_uid
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.models import CalendarFeed
from tests.cohorts.conftest import make_project, member_of
from tests.conftest import post_form, sign_in
from tests.factories import make_user
from tests.mentoring.conftest import (
    NOW,
    add_rule,
    feed_path,
    make_mentor,
    path_of,
    project_feed,
    shown_address,
)
from tests.mentoring.test_calendar import (  # the invitation tests' sessions
    ELEVEN_MADRID,
    NOON_MADRID,
    TEN_MADRID,
    book,
    confirmed,
)

NEXT_WEEK = timedelta(days=7)
MENTOR_FEED = "/mentoring/calendar/mentor/reset"


def feed_uids(response) -> list[str]:
    return [str(event["UID"]) for event in Calendar.from_ical(response.data).walk("VEVENT")]


# --- what a feed serves ------------------------------------------------------------------


def test_mentor_feed_serves_only_the_mentors_confirmed_sessions(booking, client):
    project, mentor, member = booking
    kept = confirmed(project, mentor, member, TEN_MADRID)
    book(project, mentor, member, ELEVEN_MADRID)  # pending
    declined = book(project, mentor, member, NOON_MADRID)
    decline_session(declined, reason="Travelling.", by=mentor.user, now=NOW)
    called_off = confirmed(project, mentor, member, TEN_MADRID + NEXT_WEEK)
    cancel_session(called_off, reason="", by=member, now=NOW)
    other_mentor = make_mentor(buffer_minutes=0)
    add_rule(other_mentor)
    confirmed(project, other_mentor, member, ELEVEN_MADRID + NEXT_WEEK)
    token = feeds.issue_feed(mentor, by=mentor.user, now=NOW)

    response = client.get(feed_path(token))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert feed_uids(response) == [session_uid(kept)]
    assert Calendar.from_ical(response.data)["METHOD"] == "PUBLISH"


def test_feed_events_have_an_organizer_and_no_attendee(booking, client):
    project, mentor, member = booking
    confirmed(project, mentor, member)
    token = feeds.issue_feed(mentor, by=mentor.user, now=NOW)

    [event] = Calendar.from_ical(client.get(feed_path(token)).data).walk("VEVENT")

    assert event["ORGANIZER"] == "mailto:noreply@atmp-catalyst.eu"
    assert "ATTENDEE" not in event


def test_project_feed_serves_its_confirmed_sessions_with_every_mentor(booking, client):
    project, mentor, member = booking
    first = confirmed(project, mentor, member, TEN_MADRID)
    other_mentor = make_mentor(buffer_minutes=0)
    add_rule(other_mentor)
    second = confirmed(project, other_mentor, member, ELEVEN_MADRID)
    rival = member_of()
    confirmed(make_project(member=rival), mentor, rival, NOON_MADRID)
    token = feeds.issue_feed(project, by=member, now=NOW)

    response = client.get(feed_path(token))

    assert response.status_code == 200
    assert feed_uids(response) == [session_uid(first), session_uid(second)]


def test_feed_with_an_unknown_token_is_not_found(booking, client):
    response = client.get("/mentoring/calendar/not-a-real-token.ics")

    assert response.status_code == 404


def test_sessions_for_feed_keeps_held_sessions_for_90_days(booking):
    project, mentor, member = booking
    session = confirmed(project, mentor, member)
    record_outcome(session, outcome=SessionStatus.HELD, by=mentor.user, now=ELEVEN_MADRID)
    feeds.issue_feed(mentor, by=mentor.user, now=NOW)
    feed = feeds.feed_of_mentor(mentor)

    within = feeds.sessions_for_feed(feed, now=ELEVEN_MADRID + timedelta(days=90))
    after = feeds.sessions_for_feed(feed, now=ELEVEN_MADRID + timedelta(days=90, minutes=1))

    assert [s.id for s in within] == [session.id]
    assert after == []


@pytest.mark.parametrize("sessions", [1, 3])
def test_feed_calendar_is_built_from_one_query(booking, count_queries, sessions):
    project, mentor, member = booking
    for number in range(sessions):
        confirmed(project, mentor, member, TEN_MADRID + number * timedelta(hours=1))
    token = feeds.issue_feed(mentor, by=mentor.user, now=NOW)
    db.session.expunge_all()  # nothing the query should load may already be in the session
    feed = feeds.answering_feed(token)

    with count_queries() as statements:
        loaded = feeds.sessions_for_feed(feed, now=NOW)
        calendar_feed(loaded, name="Mentoring", now=NOW)

    assert len(loaded) == sessions
    assert len(statements) == 1


# --- created and reset by an explicit POST, shown once ------------------------------------


def test_pages_without_a_feed_offer_to_create_one_and_write_nothing(booking, client, count_queries):
    project, mentor, member = booking
    pages = []

    with count_queries() as statements:
        for user, url in (
            (mentor.user, "/mentoring/sessions"),
            (member, f"/mentoring/projects/{project.id}"),
        ):
            sign_in(client, user)
            pages.append(client.get(url).get_data(as_text=True))

    writes = [
        s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert db.session.scalar(select(func.count(CalendarFeed.id))) == 0
    assert ["Create a calendar address" in page for page in pages] == [True, True]


def test_created_address_is_shown_once_read_only_with_a_copy_button(booking, client):
    _project, mentor, _member = booking
    sign_in(client, mentor.user)

    response = post_form(client, MENTOR_FEED, {}, page="/mentoring/sessions")

    html = response.get_data(as_text=True)
    address = shown_address(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r"http://127\.0\.0\.1:5000/mentoring/calendar/[\w-]{43}\.ics", address)
    assert 'data-copy-field="calendar-address"' in html
    assert 'src="/static/js/copy-field.js"' in html
    assert "keep it private" in html
    assert client.get(path_of(address)).status_code == 200
    later = client.get("/mentoring/sessions").get_data(as_text=True)
    assert address.split("/")[-1] not in later
    assert "A calendar address exists." in later
    assert "Reset the address" in later
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "calendar_feed.created")
    ).all()
    assert entry.actor_id == mentor.user.id


def test_mentor_resets_the_feed_and_the_old_address_is_not_found(booking, client):
    _project, mentor, _member = booking
    old = feeds.issue_feed(mentor, by=mentor.user, now=NOW)
    sign_in(client, mentor.user)

    response = post_form(client, MENTOR_FEED, {}, page="/mentoring/sessions")

    assert response.status_code == 200
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(path_of(shown_address(response))).status_code == 200
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "calendar_feed.reset")
    ).all()
    assert (entry.actor_id, entry.object_id) == (mentor.user.id, feeds.feed_of_mentor(mentor).id)


def test_issue_feed_keeps_one_feed_per_owner(booking):
    _project, mentor, _member = booking

    first = feeds.issue_feed(mentor, by=mentor.user, now=NOW)
    second = feeds.issue_feed(mentor, by=mentor.user, now=NOW)

    assert first != second
    assert (len(first), len(second)) == (43, 43)
    assert db.session.scalar(select(func.count(CalendarFeed.id))) == 1


def test_address_page_links_back_to_the_page_of_the_button(booking, client):
    _project, mentor, _member = booking
    sign_in(client, mentor.user)

    response = post_form(
        client,
        MENTOR_FEED,
        {},
        page="/mentoring/sessions",
        headers={"Referer": "http://localhost/mentoring/profile?tab=calendar"},
    )

    assert '<a href="/mentoring/profile?tab=calendar">Back</a>' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("referrer", "back"),
    [
        ("https://elsewhere.example.com/phish", "/mentoring/sessions"),
        ("http://localhost//elsewhere.example.com/phish", "/elsewhere.example.com/phish"),
    ],
)
def test_address_page_never_links_back_to_another_site(booking, client, referrer, back):
    _project, mentor, _member = booking
    sign_in(client, mentor.user)

    response = post_form(
        client, MENTOR_FEED, {}, page="/mentoring/sessions", headers={"Referer": referrer}
    )

    assert f'<a href="{back}">Back</a>' in response.get_data(as_text=True)


def test_project_member_resets_the_project_feed(booking, client):
    project, _mentor, member = booking
    old = feeds.issue_feed(project, by=member, now=NOW)
    sign_in(client, member)

    response = post_form(
        client, project_feed(project), {}, page=f"/mentoring/projects/{project.id}"
    )

    assert response.status_code == 200
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(path_of(shown_address(response))).status_code == 200


def test_project_feed_reset_by_a_rival_applicant_is_not_found(booking, client):
    project, _mentor, member = booking
    token = feeds.issue_feed(project, by=member, now=NOW)
    sign_in(client, member_of())

    response = post_form(client, project_feed(project), {}, page="/confirm")

    assert response.status_code == 404
    assert client.get(feed_path(token)).status_code == 200


def test_mentor_feed_reset_by_an_applicant_is_forbidden(booking, client):
    _project, mentor, member = booking
    token = feeds.issue_feed(mentor, by=mentor.user, now=NOW)
    sign_in(client, member)

    response = post_form(client, MENTOR_FEED, {}, page="/confirm")

    assert response.status_code == 403
    assert client.get(feed_path(token)).status_code == 200


def test_feed_of_project_for_a_rival_applicant_is_not_allowed(booking):
    project, _mentor, _member = booking

    with pytest.raises(NotAllowed):
        feeds.feed_of_project(project, by=member_of())


def test_issue_feed_of_another_mentor_is_not_allowed(booking):
    _project, mentor, _member = booking

    with pytest.raises(NotAllowed):
        feeds.issue_feed(mentor, by=make_mentor().user, now=NOW)


def test_programme_manager_resets_a_project_feed(booking, client):
    project, _mentor, member = booking
    old = feeds.issue_feed(project, by=member, now=NOW)

    new = feeds.issue_feed(project, by=make_user(Role.PROGRAMME_MANAGER), now=NOW)

    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200
