"""The eligibility questions editor: saves in the order given, drops blank rows, audits."""

from tests.calls.conftest import audit_trail, input_value
from tests.conftest import post_form
from tests.factories import make_call


def questions_form(*rows: tuple[str, str]) -> dict:
    data = {}
    for index, (text, answer) in enumerate(rows):
        data[f"questions-{index}-text"] = text
        data[f"questions-{index}-qualifying_answer"] = answer
    return data


def _questions(call) -> list[tuple[int, str, bool]]:
    return [(q.position, q.text, q.qualifying_answer) for q in call.eligibility_questions]


def test_eligibility_page_shows_the_questions_then_two_empty_rows(manager_client):
    call = make_call()

    page = manager_client.get(f"/manage/calls/{call.id}/eligibility").get_data(as_text=True)

    assert [input_value(page, f"questions-{index}-text") for index in range(5)] == [
        "Is the product an advanced therapy (cell, gene or tissue-engineered)?",
        "Is the organisation registered in Spain or another EU member state?",
        "Has the project already received a marketing authorisation?",
        "",
        "",
    ]
    assert "questions-5-text" not in page


def test_eligibility_questions_are_saved_with_their_answers_and_audited(manager_client, manager):
    call = make_call()

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/eligibility",
        questions_form(("Is it an ATMP?", "yes"), ("Is it already authorised?", "no")),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/calls/{call.id}"
    assert _questions(call) == [
        (1, "Is it an ATMP?", True),
        (2, "Is it already authorised?", False),
    ]
    assert [(e.actor_id, e.object_id) for e in audit_trail("call.eligibility_saved")] == [
        (manager.id, call.id)
    ]


def test_eligibility_questions_saved_in_a_new_order_keep_the_new_positions(manager_client):
    call = make_call()
    first, second, third = (q.text for q in call.eligibility_questions)

    post_form(
        manager_client,
        f"/manage/calls/{call.id}/eligibility",
        questions_form((third, "no"), (first, "yes"), (second, "yes")),
    )

    assert _questions(call) == [(1, third, False), (2, first, True), (3, second, True)]


def test_eligibility_questions_drop_blank_rows(manager_client):
    call = make_call()

    post_form(
        manager_client,
        f"/manage/calls/{call.id}/eligibility",
        questions_form(
            ("", "yes"), ("  Is it an ATMP?  ", "yes"), ("   ", "no"), ("Is it in the EU?", "yes")
        ),
    )

    assert _questions(call) == [(1, "Is it an ATMP?", True), (2, "Is it in the EU?", True)]


def test_eligibility_questions_all_blank_leave_the_call_without_questions(manager_client):
    call = make_call()

    response = post_form(
        manager_client, f"/manage/calls/{call.id}/eligibility", questions_form(("", "yes"))
    )

    assert response.status_code == 302
    assert _questions(call) == []


def test_eligibility_question_with_an_unknown_answer_is_refused_and_unchanged(manager_client):
    call = make_call()
    before = _questions(call)

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/eligibility",
        questions_form(("Is it an ATMP?", "maybe")),
    )

    assert response.status_code == 200
    assert _questions(call) == before
    assert audit_trail("call.eligibility_saved") == []
