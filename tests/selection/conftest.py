"""Fixtures of the selection tests: a programme manager, a call with a small quota, and its
decided applications."""

import pytest

from accelerator.selection.enums import Outcome
from tests.factories import make_call, make_organisation
from tests.selection.deciding_helpers import decide, make_decidable, make_manager, make_member


@pytest.fixture
def manager(app):
    return make_manager()


@pytest.fixture
def call(app):
    return make_call(title="ATMP Catalyst 2031", year=2031, selection_quota=2)


@pytest.fixture
def decided(app, manager, call):
    """Three organisations in the call (quota 2): one selected with two members, one
    waitlisted with one, one rejected with three. Another organisation, outside the call, has a
    member who must receive nothing."""
    organisations = {
        Outcome.SELECTED: make_organisation(legal_name="Retigene SL"),
        Outcome.WAITLISTED: make_organisation(legal_name="Cartcell SL"),
        Outcome.REJECTED: make_organisation(legal_name="Osteo Matrix SL"),
    }
    members = {
        Outcome.SELECTED: ["Núria Puig", "Jordi Serra"],
        Outcome.WAITLISTED: ["Laia Vidal"],
        Outcome.REJECTED: ["Marc Soler", "Anna Roca", "Pere Font"],
    }
    titles = {
        Outcome.SELECTED: "AAV gene therapy for retinitis pigmentosa",
        Outcome.WAITLISTED: "CAR-T for solid tumours",
        Outcome.REJECTED: "Bone scaffold with MSCs",
    }
    applications = {}
    for outcome, organisation in organisations.items():
        people = [make_member(organisation, name=name) for name in members[outcome]]
        applications[outcome] = make_decidable(call, member=people[0], title=titles[outcome])
        decide(applications[outcome], outcome, by=manager, note="Internal: board minute 7")
    make_member(make_organisation(legal_name="Bystander SL"), name="Ona Pla")
    return applications


def results_page(call) -> str:
    return f"/manage/calls/{call.id}/results"
