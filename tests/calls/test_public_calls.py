"""The public calls page: open and upcoming calls, deadlines in Madrid time, time left."""

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from accelerator.accounts.enums import Role
from accelerator.calls.enums import CallStatus
from accelerator.core.clock import utcnow
from tests.calls.conftest import element_text
from tests.conftest import sign_in
from tests.factories import make_call, make_organisation, make_user

MADRID = ZoneInfo("Europe/Madrid")


def madrid_long(moment) -> str:
    """How the "long" datetime filter writes a moment in English, independently computed."""
    local = moment.astimezone(MADRID)
    hour = local.hour % 12 or 12
    half = "AM" if local.hour < 12 else "PM"
    return f"{local:%B} {local.day}, {local.year}, {hour}:{local:%M} {half}"


def listed_calls(page: str) -> dict[str, str]:
    """Each listed call's title and the sentence under it, spaces collapsed."""
    cards = re.findall(r"<article .*?</article>", page, re.S)
    listed = {}
    for card in cards:
        title = re.search(r'<a href="/calls/\d+">(.*?)</a>', card)[1]
        sentence = re.search(r'<p class="mb-1">(.*?)</p>', card, re.S)[1]
        listed[html.unescape(title)] = " ".join(
            html.unescape(re.sub(r"<[^>]+>", " ", sentence)).split()
        )
    return listed


def test_calls_page_lists_open_and_upcoming_calls_with_madrid_deadlines_and_time_left(client):
    now = utcnow()
    open_call = make_call(title="Open call", closes_at=now + timedelta(days=3, hours=2))
    upcoming = make_call(
        title="Upcoming call",
        opens_at=now + timedelta(days=5, hours=2),
        closes_at=now + timedelta(days=60),
    )

    page = client.get("/calls").get_data(as_text=True)

    assert listed_calls(page) == {
        "Open call": (
            f"Open Deadline {madrid_long(open_call.closes_at)} (Madrid time): 3 days left."
        ),
        "Upcoming call": (
            f"Upcoming Opens {madrid_long(upcoming.opens_at)} (Madrid time), in 5 days."
        ),
    }


def test_calls_page_leaves_out_drafts_closed_and_later_calls(client):
    now = utcnow()
    make_call(title="Open call")
    make_call(title="Draft call", status=CallStatus.DRAFT)
    make_call(
        title="Closed call",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(seconds=1),
    )
    for status in (CallStatus.IN_REVIEW, CallStatus.DECIDED, CallStatus.ARCHIVED):
        make_call(title=f"{status.value} call", status=status)

    page = client.get("/calls").get_data(as_text=True)

    assert list(listed_calls(page)) == ["Open call"]


def test_calls_page_lists_the_soonest_deadline_first(client):
    now = utcnow()
    make_call(title="Later", closes_at=now + timedelta(days=50))
    make_call(title="Sooner", closes_at=now + timedelta(days=5))

    page = client.get("/calls").get_data(as_text=True)

    assert list(listed_calls(page)) == ["Sooner", "Later"]


def test_calls_page_without_calls_says_so(client):
    make_call(title="Draft call", status=CallStatus.DRAFT)

    page = client.get("/calls").get_data(as_text=True)

    assert listed_calls(page) == {}
    assert "No call is open at the moment. The next call will be announced here." in page


def test_open_call_page_shows_the_deadline_in_madrid_time_and_time_left(client):
    call = make_call(closes_at=utcnow() + timedelta(days=3, hours=2))

    page = client.get(f"/calls/{call.id}").get_data(as_text=True)

    deadline = re.search(r"<dt[^>]*>Deadline</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)[1]
    assert " ".join(html.unescape(deadline).split()) == (
        f"{madrid_long(call.closes_at)} — 3 days left"
    )


def test_closed_call_page_is_public_and_says_closed(client):
    now = utcnow()
    call = make_call(opens_at=now - timedelta(days=30), closes_at=now - timedelta(seconds=1))

    response = client.get(f"/calls/{call.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<span class="badge text-bg-secondary">Closed</span>' in page
    assert "Start or continue your application" not in page


@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.REVIEWER, Role.MENTOR])
def test_draft_call_page_is_404_for_non_managers(app, role):
    call = make_call(title="Secret draft", status=CallStatus.DRAFT)
    client = app.test_client()
    if role is not None:
        sign_in(client, make_user(role, organisation=make_organisation()))

    response = client.get(f"/calls/{call.id}")

    assert response.status_code == 404
    assert "Secret draft" not in response.get_data(as_text=True)


def test_draft_call_page_is_shown_to_managers(manager_client):
    call = make_call(title="Secret draft", status=CallStatus.DRAFT)

    response = manager_client.get(f"/calls/{call.id}")

    assert response.status_code == 200
    assert element_text(response.get_data(as_text=True), "main").startswith("← All calls")


def test_open_call_page_invites_a_member_of_an_organisation_to_apply(app):
    call = make_call()
    client = app.test_client()
    sign_in(client, make_user(Role.APPLICANT, organisation=make_organisation()))

    page = client.get(f"/calls/{call.id}").get_data(as_text=True)

    assert f'action="/calls/{call.id}/apply"' in page


@pytest.mark.parametrize("items", [1, 3])
def test_calls_page_runs_the_same_queries_for_1_and_3_calls(client, count_queries, items):
    for _ in range(items):
        make_call()

    with count_queries() as statements:
        response = client.get("/calls")

    assert response.status_code == 200
    assert len(statements) == 1


@pytest.mark.parametrize("items", [1, 3])
def test_manage_calls_page_runs_the_same_queries_for_1_and_3_calls(
    manager_client, count_queries, items
):
    for _ in range(items):
        make_call()

    with count_queries() as statements:
        response = manager_client.get("/manage/calls")

    assert response.status_code == 200
    assert len(statements) == 3
