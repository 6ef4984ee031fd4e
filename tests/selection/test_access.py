"""Every selection route for every role: managers decide and publish; an applicant reads only
their own organisation's result; everyone else is refused, without learning what exists."""

import pytest
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.cohorts.models import Project
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.selection.enums import Outcome
from accelerator.selection.publishing import publish_results
from tests.conftest import csrf_token_from, sign_in
from tests.factories import make_call, make_user
from tests.selection.deciding_helpers import decide, end_review_phase, make_decidable, make_member

ROLES = ("anonymous", "member", "rival", "reviewer", "manager")
# (method, url template, expected status per role in ROLES order), in the order they are
# requested: the manager's posts are refused with a message (the results are out, the quota of
# one is full) except the last, the withdrawal, which changes nothing the others need.
ROUTES = (
    ("GET", "/manage/calls/{call}/decisions", (302, 403, 403, 403, 200)),
    ("GET", "/manage/calls/{call}/results", (302, 403, 403, 403, 200)),
    ("GET", "/applications/{selected}/result", (302, 200, 404, 404, 200)),
    ("POST", "/manage/applications/{selected}/decision", (302, 403, 403, 403, 302)),
    ("POST", "/manage/applications/{waitlisted}/promote", (302, 403, 403, 403, 302)),
    ("POST", "/manage/calls/{call}/carry-forward", (302, 403, 403, 403, 302)),
    ("GET", "/manage/calls/{call}/publish", (302, 403, 403, 403, 200)),
    ("POST", "/manage/calls/{call}/publish", (302, 403, 403, 403, 200)),
    ("POST", "/manage/calls/{call}/results", (302, 403, 403, 403, 200)),
    ("POST", "/manage/projects/{project}/withdraw", (302, 403, 403, 403, 302)),
)


@pytest.fixture
def people(app):
    member = make_member()
    return {
        "member": member,
        "rival": make_member(),
        "reviewer": make_user(Role.REVIEWER, email="reviewer@lab.example.net"),
        "manager": make_user(Role.PROGRAMME_MANAGER, email="boss@office.example.net"),
    }


@pytest.fixture
def ids(people):
    """A published call of quota 1: the member's application selected (with its project), the
    rival's waitlisted."""
    manager = people["manager"]
    call = make_call(selection_quota=1)
    selected = make_decidable(call, member=people["member"])
    waitlisted = make_decidable(call, member=people["rival"])
    decide(selected, Outcome.SELECTED, by=manager)
    decide(waitlisted, Outcome.WAITLISTED, by=manager)
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())
    project = db.session.scalar(select(Project.id).where(Project.application_id == selected.id))
    return {
        "call": call.id,
        "selected": selected.id,
        "waitlisted": waitlisted.id,
        "project": project,
    }


@pytest.mark.parametrize("role", ROLES)
def test_selection_routes_answer_each_role_as_the_table_says(app, client, people, ids, role):
    if role != "anonymous":
        sign_in(client, people[role])
    token = csrf_token_from(client.get("/login" if role == "anonymous" else "/profile").text)

    answers = {}
    for method, url, _expected in ROUTES:
        if method == "GET":
            answers[url] = client.get(url.format(**ids)).status_code
        else:
            answers[url] = client.post(url.format(**ids), data={"csrf_token": token}).status_code

    column = ROLES.index(role)
    assert answers == {url: expected[column] for _method, url, expected in ROUTES}


def test_decisions_link_is_shown_to_managers_only(app, client, people, ids):
    call_page = f"/manage/calls/{ids['call']}"
    sign_in(client, people["manager"])
    assert (
        f'href="/manage/calls/{ids["call"]}/decisions"' in client.get(f"{call_page}/ranking").text
    )

    sign_in(client, people["member"])
    page = client.get(f"/applications/{ids['selected']}").text
    assert "/decisions" not in page
    assert "/manage/" not in page
