"""The rubric editor: weights add up to 100, empty rows are dropped, every save is audited."""

from decimal import Decimal

import pytest

from accelerator.calls.services import (
    DEFAULT_RUBRIC,
    CriterionDraft,
    WeightsDoNotSumTo100,
    save_rubric,
)
from tests.calls.conftest import NOW, audit_trail, element_text, field_errors_plain, input_value
from tests.conftest import post_form
from tests.factories import make_call

DEFAULTS = [
    (1, "Excellence and innovation", 30),
    (2, "Unmet need and impact", 30),
    (3, "Team and implementation", 25),
    (4, "Fit with the programme", 15),
]


def rubric_form(*rows) -> dict:
    """Form data for the rows given as (name, weight) or (name, description, weight, scale)."""
    data = {}
    for index, row in enumerate(rows):
        if len(row) == 2:
            row = (row[0], "", row[1], "5")
        name, description, weight, scale = row
        data |= {
            f"criteria-{index}-name": name,
            f"criteria-{index}-description": description,
            f"criteria-{index}-weight": str(weight),
            f"criteria-{index}-scale_max": scale,
        }
    return data


def _rubric(call) -> list[tuple[int, str, int]]:
    return [(c.position, c.name, c.weight) for c in call.criteria]


def test_default_rubric_is_30_30_25_15():
    assert [(draft.name, draft.weight) for draft in DEFAULT_RUBRIC] == [
        ("Excellence and innovation", 30),
        ("Unmet need and impact", 30),
        ("Team and implementation", 25),
        ("Fit with the programme", 15),
    ]


def test_rubric_page_shows_the_criteria_then_two_empty_rows(manager_client):
    call = make_call()

    page = manager_client.get(f"/manage/calls/{call.id}/rubric").get_data(as_text=True)

    names = [input_value(page, f"criteria-{index}-name") for index in range(6)]
    assert names == [
        "Excellence and innovation",
        "Unmet need and impact",
        "Team and implementation",
        "Fit with the programme",
        "",
        "",
    ]
    assert input_value(page, "criteria-0-weight") == "30"
    assert "criteria-6-name" not in page
    assert '<label class="visually-hidden" for="criteria-1-weight">Weight (%) 2</label>' in page


def test_rubric_with_weights_summing_to_100_is_saved_in_order_and_audited(manager_client, manager):
    call = make_call()

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/rubric",
        rubric_form(
            ("Science", "Quality of the science.", 40, "10"),
            ("Need", "", 35, "5"),
            ("Team", "", 25, "5"),
        ),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/calls/{call.id}"
    assert _rubric(call) == [(1, "Science", 40), (2, "Need", 35), (3, "Team", 25)]
    assert [(c.description, c.scale_max) for c in call.criteria] == [
        ("Quality of the science.", Decimal("10.0")),
        ("", Decimal("5.0")),
        ("", Decimal("5.0")),
    ]
    (entry,) = audit_trail("call.rubric_saved")
    assert (entry.actor_id, entry.object_id) == (manager.id, call.id)
    assert entry.details == {"criteria": ["Science (40 %)", "Need (35 %)", "Team (25 %)"]}


def test_rubric_saved_in_a_new_order_keeps_the_new_positions(manager_client):
    call = make_call()

    post_form(
        manager_client,
        f"/manage/calls/{call.id}/rubric",
        rubric_form(
            ("Fit with the programme", 15),
            ("Team and implementation", 25),
            ("Unmet need and impact", 30),
            ("Excellence and innovation", 30),
        ),
    )

    assert _rubric(call) == [
        (1, "Fit with the programme", 15),
        (2, "Team and implementation", 25),
        (3, "Unmet need and impact", 30),
        (4, "Excellence and innovation", 30),
    ]


@pytest.mark.parametrize(("weights", "total"), [((30, 30, 15, 15), 90), ((30, 30, 25, 25), 110)])
def test_rubric_with_weights_not_summing_to_100_is_refused_and_unchanged(
    manager_client, weights, total
):
    call = make_call()
    names = ("A", "B", "C", "D")

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/rubric",
        rubric_form(*zip(names, weights, strict=True)),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert element_text(page, "criteria-error") == (
        f"The weights add up to {total} %; they must add up to 100 %."
    )
    assert _rubric(call) == DEFAULTS
    assert audit_trail("call.rubric_saved") == []


def test_rubric_ignores_empty_rows(manager_client):
    call = make_call()
    data = rubric_form(("", 0), ("Science", 60), ("", ""), ("Team", 40), ("", ""))
    data["criteria-0-weight"] = ""
    data["criteria-4-description"] = "   "

    response = post_form(manager_client, f"/manage/calls/{call.id}/rubric", data)

    assert response.status_code == 302
    assert _rubric(call) == [(1, "Science", 60), (2, "Team", 40)]


def test_rubric_with_only_empty_rows_is_refused(manager_client):
    call = make_call()

    response = post_form(
        manager_client, f"/manage/calls/{call.id}/rubric", rubric_form(("", ""), ("", ""))
    )

    page = response.get_data(as_text=True)
    assert element_text(page, "criteria-error") == (
        "The weights add up to 0 %; they must add up to 100 %."
    )
    assert _rubric(call) == DEFAULTS


def test_rubric_criterion_without_weight_is_refused_next_to_its_weight(manager_client):
    call = make_call()

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/rubric",
        rubric_form(("Science", 60), ("Team", 40), ("Impact", "")),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors_plain(page, "criteria-2-weight") == "Give this criterion a weight."
    assert _rubric(call) == DEFAULTS


def test_rubric_criterion_with_weight_zero_is_refused_next_to_its_weight(manager_client):
    call = make_call()

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/rubric",
        rubric_form(("Science", 100), ("Team", 0)),
    )

    page = response.get_data(as_text=True)
    assert field_errors_plain(page, "criteria-1-weight") == "Between 1 and 100."
    assert _rubric(call) == DEFAULTS


def test_save_rubric_service_refuses_weights_summing_to_90(manager):
    call = make_call()

    with pytest.raises(WeightsDoNotSumTo100) as raised:
        save_rubric(
            call, [CriterionDraft("A", "", 50), CriterionDraft("B", "", 40)], by=manager, now=NOW
        )

    assert str(raised.value) == "The weights add up to 90 %; they must add up to 100 %."
    assert _rubric(call) == DEFAULTS
