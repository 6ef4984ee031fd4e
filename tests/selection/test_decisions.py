"""Select, waitlist and reject within the call's quota and the programme's cap."""

import pytest

from accelerator.applications.enums import ApplicationStatus
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.selection.enums import Outcome
from accelerator.selection.publishing import publish_results
from accelerator.selection.services import (
    CapReached,
    DecisionNotAllowed,
    QuotaExceeded,
    selected_in_call,
    selected_in_programme,
)
from tests.conftest import post_form, sign_in
from tests.factories import make_application, make_call
from tests.selection.deciding_helpers import (
    decide,
    decision_of,
    end_review_phase,
    flashes,
    make_decidable,
    make_member,
    statuses,
)

SELECTED = ApplicationStatus.SELECTED
UNDER_REVIEW = ApplicationStatus.UNDER_REVIEW
QUOTA_FULL = "The call's quota is full: 2 of 2 places are taken."
CAP_REACHED = "The programme's cap is reached: 2 of 2 projects are selected."


def two_calls_under_a_cap_of_two():
    """Two calls of quota 2 in a programme whose cap is 2."""
    first = make_call(year=2031, selection_quota=2)
    second = make_call(year=2032, selection_quota=2)
    first.programme.selection_cap = 2
    db.session.commit()
    return first, second


def decision_page(call) -> str:
    return f"/manage/calls/{call.id}/decisions"


def test_selection_within_the_quota_records_the_decision_and_its_note(app, manager, call):
    application = make_decidable(call)

    decide(application, Outcome.SELECTED, by=manager, note="  Strong vector data.  ")

    decision = decision_of(application)
    assert (decision.outcome, decision.note, decision.decided_by_id) == (
        Outcome.SELECTED,
        "Strong vector data.",
        manager.id,
    )
    assert statuses(call) == {application.id: SELECTED}
    assert selected_in_call(call) == 1


def test_selection_beyond_the_call_quota_is_refused(app, manager, call):
    first, second, third = (make_decidable(call) for _ in range(3))
    decide(first, Outcome.SELECTED, by=manager)
    decide(second, Outcome.SELECTED, by=manager)

    with pytest.raises(QuotaExceeded) as refused:
        decide(third, Outcome.SELECTED, by=manager)
    db.session.rollback()

    assert str(refused.value) == QUOTA_FULL
    assert statuses(call) == {first.id: SELECTED, second.id: SELECTED, third.id: UNDER_REVIEW}
    assert decision_of(third) is None


def test_selection_beyond_the_quota_through_the_decision_form_flashes_the_refusal(
    app, client, manager, call
):
    first, second, third = (make_decidable(call) for _ in range(3))
    decide(first, Outcome.SELECTED, by=manager)
    decide(second, Outcome.SELECTED, by=manager)
    sign_in(client, manager)

    response = post_form(
        client,
        f"/manage/applications/{third.id}/decision",
        {"outcome": "selected", "note": ""},
        page=decision_page(call),
    )

    assert response.status_code == 302
    assert response.location == f"{decision_page(call)}#application-{third.id}"
    assert flashes(client) == [("error", QUOTA_FULL)]
    assert statuses(call)[third.id] == UNDER_REVIEW
    page = client.get(decision_page(call)).get_data(as_text=True)
    assert "The call&#39;s quota is full: 2 of 2 places are taken." in page


def test_selection_beyond_the_programme_cap_is_refused(app, manager):
    first_call, second_call = two_calls_under_a_cap_of_two()
    for _ in range(2):
        decide(make_decidable(first_call), Outcome.SELECTED, by=manager)
    late = make_decidable(second_call)

    with pytest.raises(CapReached) as refused:
        decide(late, Outcome.SELECTED, by=manager)
    db.session.rollback()

    assert str(refused.value) == CAP_REACHED
    assert statuses(second_call) == {late.id: UNDER_REVIEW}
    assert selected_in_programme(first_call.programme) == 2


def test_selection_beyond_the_cap_counts_every_call_of_the_programme(app, manager):
    first_call, second_call = two_calls_under_a_cap_of_two()
    decide(make_decidable(first_call), Outcome.SELECTED, by=manager)
    decide(make_decidable(second_call), Outcome.SELECTED, by=manager)
    third = make_decidable(second_call)

    with pytest.raises(CapReached) as refused:
        decide(third, Outcome.SELECTED, by=manager)

    assert str(refused.value) == CAP_REACHED


def test_selection_beyond_the_cap_through_the_decision_form_flashes_the_refusal(
    app, client, manager
):
    first_call, second_call = two_calls_under_a_cap_of_two()
    for _ in range(2):
        decide(make_decidable(first_call), Outcome.SELECTED, by=manager)
    late = make_decidable(second_call)
    sign_in(client, manager)

    post_form(
        client,
        f"/manage/applications/{late.id}/decision",
        {"outcome": "selected", "note": "Worth a place"},
        page=decision_page(second_call),
    )

    assert flashes(client) == [("error", CAP_REACHED)]
    assert decision_of(late) is None


@pytest.mark.parametrize("outcome", [Outcome.WAITLISTED, Outcome.REJECTED])
def test_waitlisting_or_rejecting_when_quota_and_cap_are_full_is_recorded(app, manager, outcome):
    first_call, second_call = two_calls_under_a_cap_of_two()
    for _ in range(2):
        decide(make_decidable(first_call), Outcome.SELECTED, by=manager)
    in_full_call = make_decidable(first_call)
    in_capped_call = make_decidable(second_call)

    decide(in_full_call, outcome, by=manager)
    decide(in_capped_call, outcome, by=manager)

    assert decision_of(in_full_call).outcome == outcome
    assert decision_of(in_capped_call).outcome == outcome
    assert statuses(second_call) == {in_capped_call.id: ApplicationStatus(outcome.value)}


def test_decision_through_the_form_is_recorded_with_its_note(app, client, manager, call):
    application = make_decidable(call)
    sign_in(client, manager)

    post_form(
        client,
        f"/manage/applications/{application.id}/decision",
        {"outcome": "waitlisted", "note": "Second in line"},
        page=decision_page(call),
    )

    assert flashes(client) == [
        (
            "success",
            "Decision recorded. 3 of 3 expected reviews of this application are still outstanding.",
        )
    ]
    decision = decision_of(application)
    assert (decision.outcome, decision.note) == (Outcome.WAITLISTED, "Second in line")
    page = client.get(decision_page(call)).get_data(as_text=True)
    assert "Second in line" in page


def test_changing_a_selection_before_publishing_frees_the_place(app, manager, call):
    first, second, third = (make_decidable(call) for _ in range(3))
    decide(first, Outcome.SELECTED, by=manager)
    decide(second, Outcome.SELECTED, by=manager)

    decide(first, Outcome.WAITLISTED, by=manager)
    decide(third, Outcome.SELECTED, by=manager)

    assert statuses(call) == {
        first.id: ApplicationStatus.WAITLISTED,
        second.id: SELECTED,
        third.id: SELECTED,
    }
    assert selected_in_call(call) == 2


def test_changing_a_rejection_to_a_selection_needs_a_free_place(app, manager, call):
    first, second, third = (make_decidable(call) for _ in range(3))
    decide(first, Outcome.SELECTED, by=manager)
    decide(second, Outcome.SELECTED, by=manager)
    decide(third, Outcome.REJECTED, by=manager)

    with pytest.raises(QuotaExceeded) as refused:
        decide(third, Outcome.SELECTED, by=manager)

    assert str(refused.value) == QUOTA_FULL


def test_a_new_note_on_a_selection_when_the_quota_is_full_is_recorded(app, manager, call):
    first, second = (make_decidable(call) for _ in range(2))
    decide(first, Outcome.SELECTED, by=manager)
    decide(second, Outcome.SELECTED, by=manager)

    decide(second, Outcome.SELECTED, by=manager, note="Confirmed by the board")

    assert decision_of(second).note == "Confirmed by the board"
    assert selected_in_call(call) == 2


def test_decision_after_publishing_is_refused(app, manager, call):
    selected, waitlisted = (make_decidable(call) for _ in range(2))
    decide(selected, Outcome.SELECTED, by=manager)
    decide(waitlisted, Outcome.WAITLISTED, by=manager)
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())

    with pytest.raises(DecisionNotAllowed) as refused:
        decide(selected, Outcome.REJECTED, by=manager)
    db.session.rollback()

    assert str(refused.value) == (
        "Results are published: withdraw a project or promote from the waitlist instead."
    )
    assert statuses(call) == {selected.id: SELECTED, waitlisted.id: ApplicationStatus.WAITLISTED}


def test_decision_on_a_draft_application_is_refused(app, manager, call):
    draft = make_application(call, member=make_member())

    with pytest.raises(DecisionNotAllowed) as refused:
        decide(draft, Outcome.SELECTED, by=manager)

    assert str(refused.value) == "An application that is Draft cannot be decided."
