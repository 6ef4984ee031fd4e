"""The confirmation page shows what publishing will do (letters per outcome, who has no
decision, the expected reviews still missing, the applications decided on fewer reviews than
asked) and publishes only on a ticked confirmation, once the review phase is over."""

import html
import re
from datetime import timedelta

import pytest

from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.selection.publishing import publish_results
from accelerator.selection.readiness import NothingToPublish, ReviewPhaseOpen
from tests.conftest import post_form, sign_in
from tests.factories import make_call
from tests.selection.conftest import results_page
from tests.selection.deciding_helpers import (
    add_review,
    end_review_phase,
    flashes,
    make_decidable,
    make_reviewer,
    outbox_ids,
    outbox_since,
)


def test_publishing_through_the_confirmation_once_then_again_is_refused(
    app, client, manager, call, decided
):
    sign_in(client, manager)
    end_review_phase(call)
    before = outbox_ids()
    publish_page = f"/manage/calls/{call.id}/publish"

    first = post_form(client, publish_page, {"confirm": "y"})
    assert (first.status_code, first.location) == (302, results_page(call))
    assert flashes(client) == [("success", "Results published: 6 letters are on their way.")]
    again = post_form(client, publish_page, {"confirm": "y"}, page=results_page(call))

    assert blockers_on(again.get_data(as_text=True)) == [
        "The results of this call are already published."
    ]
    assert len(outbox_since(before)) == 6
    page = client.get(results_page(call)).get_data(as_text=True)
    assert "Check and publish the results" not in page
    assert "Save letter" not in page


def blockers_on(page: str) -> list[str]:
    listed = re.search(r'<ul[^>]*id="blockers"[^>]*>(.*?)</ul>', page, re.S)
    items = re.findall(r"<li>(.*?)</li>", listed[1], re.S) if listed else []
    return [html.unescape(" ".join(item.split())) for item in items]


def text_of(page: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"the page has no element {element_id!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match[2])).split())


def test_confirmation_page_shows_letters_per_outcome_missing_reviews_and_undecided(
    app, client, manager, call, decided
):
    still = make_decidable(call, title="Still in review")
    add_review(still, make_reviewer(), scores=[4, 4, 4, 4], comments=["Good."] * 4)
    sign_in(client, manager)

    page = client.get(f"/manage/calls/{call.id}/publish").get_data(as_text=True)

    assert text_of(page, "letters") == (
        "Outcome Applications Emails Selected 1 2 Waitlisted 1 1 Rejected 1 3 In all 3 6"
    )
    assert text_of(page, "undecided") == (
        f"Still in review — {still.organisation.legal_name} (Under review)"
    )
    assert text_of(page, "missing-reviews") == "11 expected reviews are missing."
    assert text_of(page, "thinly-reviewed") == (
        "AAV gene therapy for retinitis pigmentosa — 0 of 3 reviews "
        "CAR-T for solid tumours — 0 of 3 reviews Bone scaffold with MSCs — 0 of 3 reviews"
    )
    assert blockers_on(page) == [
        "The review phase is still open: reviewers may still change their reviews. Close the "
        "review phase first.",
        "1 application(s) have no decision yet.",
    ]
    assert 'name="confirm"' not in page


def test_confirmation_page_offers_to_close_the_review_phase_once_the_call_has_closed(
    app, client, manager, call, decided
):
    call.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    sign_in(client, manager)
    publish_page = f"/manage/calls/{call.id}/publish"
    page = client.get(publish_page).get_data(as_text=True)
    assert "Close the review phase now" in page

    response = post_form(
        client,
        f"/manage/calls/{call.id}/close-review",
        {"next": publish_page},
        page=publish_page,
    )

    assert response.location == publish_page
    page = client.get(publish_page).get_data(as_text=True)
    assert blockers_on(page) == []
    assert 'name="confirm"' in page


def test_publishing_without_ticking_the_confirmation_sends_nothing(
    app, client, manager, call, decided
):
    sign_in(client, manager)
    end_review_phase(call)
    before = outbox_ids()

    response = post_form(client, f"/manage/calls/{call.id}/publish", {})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tick the box to confirm that you want to publish." in page
    assert outbox_since(before) == []
    assert call.results_published_at is None


def test_publishing_while_the_review_phase_is_open_is_refused(app, manager, call, decided):
    before = outbox_ids()

    with pytest.raises(ReviewPhaseOpen):
        publish_results(call, by=manager, now=utcnow())
    db.session.rollback()

    assert outbox_since(before) == []
    assert call.results_published_at is None


def test_publishing_with_no_decision_is_refused_and_never_offered(app, client, manager):
    empty = make_call(year=2035)
    end_review_phase(empty)
    sign_in(client, manager)

    with pytest.raises(NothingToPublish):
        publish_results(empty, by=manager, now=utcnow())
    db.session.rollback()
    results = client.get(results_page(empty)).get_data(as_text=True)
    confirmation = client.get(f"/manage/calls/{empty.id}/publish").get_data(as_text=True)

    assert "Check and publish the results" not in results
    assert "Publish results (0" not in results
    assert blockers_on(confirmation) == [
        "No application is decided yet: there is nothing to publish."
    ]
    assert 'name="confirm"' not in confirmation
