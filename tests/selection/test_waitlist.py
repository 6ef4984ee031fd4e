"""After publishing, a selected project may withdraw and a waitlisted application take its place."""

import pytest
from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.applications.enums import ApplicationStatus
from accelerator.cohorts.enums import ProjectStatus
from accelerator.cohorts.models import Project
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.selection.enums import Outcome
from accelerator.selection.publishing import publish_results
from accelerator.selection.services import (
    DecisionNotAllowed,
    QuotaExceeded,
    promote_from_waitlist,
    selected_in_call,
    withdraw_project,
)
from tests.conftest import post_form, sign_in
from tests.factories import make_organisation
from tests.selection.deciding_helpers import (
    audit_trail,
    decide,
    decision_of,
    end_review_phase,
    flashes,
    make_decidable,
    make_member,
    outbox_ids,
    outbox_since,
    statuses,
)


@pytest.fixture
def published(app, manager, call):
    """The call (quota 2) published with two selected and one waitlisted application; the
    waitlisted organisation has two members."""
    selected = [make_decidable(call, title=f"Selected project {n}") for n in (1, 2)]
    waiting_organisation = make_organisation(legal_name="Waiting Bio SL")
    member = make_member(waiting_organisation, name="Laia Vidal")
    make_member(waiting_organisation, name="Marc Soler")
    waitlisted = make_decidable(call, member=member, title="CAR-T for solid tumours")
    for application in selected:
        decide(application, Outcome.SELECTED, by=manager)
    decide(waitlisted, Outcome.WAITLISTED, by=manager)
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())
    return selected, waitlisted


def project_of(application) -> Project | None:
    db.session.expire_all()
    return db.session.scalar(select(Project).where(Project.application_id == application.id))


def member_emails(application) -> list[str]:
    query = select(User.email).where(User.organisation_id == application.organisation_id)
    return list(db.session.scalars(query.order_by(User.id)))


def test_withdrawing_a_selected_project_frees_its_place(app, manager, call, published):
    (leaving, staying), waitlisted = published
    project = project_of(leaving)

    withdraw_project(project, by=manager, now=utcnow())

    assert statuses(call) == {
        leaving.id: ApplicationStatus.WITHDRAWN,
        staying.id: ApplicationStatus.SELECTED,
        waitlisted.id: ApplicationStatus.WAITLISTED,
    }
    assert project_of(leaving).status == ProjectStatus.WITHDRAWN
    assert selected_in_call(call) == 1
    entries = audit_trail("project.withdrawn")
    assert [(e.actor_id, e.object_type, e.object_id) for e in entries] == [
        (manager.id, "project", project.id)
    ]


def test_withdrawing_a_project_twice_is_refused(app, manager, call, published):
    (leaving, _staying), _waitlisted = published
    project = project_of(leaving)
    withdraw_project(project, by=manager, now=utcnow())

    with pytest.raises(DecisionNotAllowed) as refused:
        withdraw_project(project, by=manager, now=utcnow())

    assert str(refused.value) == "Only a selected project can withdraw."


def test_promotion_after_a_withdrawal_selects_creates_the_project_and_writes_to_members(
    app, manager, call, published
):
    (leaving, _staying), waitlisted = published
    withdraw_project(project_of(leaving), by=manager, now=utcnow())
    before = outbox_ids()

    project = promote_from_waitlist(waitlisted, by=manager, now=utcnow())

    assert statuses(call)[waitlisted.id] == ApplicationStatus.SELECTED
    decision = decision_of(waitlisted)
    assert (decision.outcome, decision.note) == (Outcome.SELECTED, "Promoted from the waitlist.")
    assert project_of(waitlisted).id == project.id
    assert (project.status, project.title, project.cohort_year, project.call_id) == (
        ProjectStatus.ACTIVE,
        "CAR-T for solid tumours",
        2031,
        call.id,
    )
    letters = outbox_since(before)
    assert [(m.recipient, m.subject) for m in letters] == [
        (email, "Your application to ATMP Catalyst 2031 is selected")
        for email in member_emails(waitlisted)
    ]
    assert [m.body_text.split("\n")[0] for m in letters] == ["Dear Laia Vidal,", "Dear Marc Soler,"]
    assert selected_in_call(call) == 2


def test_promotion_without_a_free_place_is_refused(app, manager, call, published):
    _selected, waitlisted = published
    before = outbox_ids()

    with pytest.raises(QuotaExceeded) as refused:
        promote_from_waitlist(waitlisted, by=manager, now=utcnow())
    db.session.rollback()

    assert str(refused.value) == "The call's quota is full: 2 of 2 places are taken."
    assert statuses(call)[waitlisted.id] == ApplicationStatus.WAITLISTED
    assert project_of(waitlisted) is None
    assert outbox_since(before) == []


def test_promotion_of_an_application_not_waitlisted_is_refused(app, manager, call, published):
    (selected, _other), _waitlisted = published

    with pytest.raises(DecisionNotAllowed) as refused:
        promote_from_waitlist(selected, by=manager, now=utcnow())

    assert str(refused.value) == "Only a waitlisted application can be promoted."


def test_withdraw_and_promote_buttons_on_the_decisions_page(app, client, manager, call, published):
    (leaving, _staying), waitlisted = published
    project = project_of(leaving)
    decisions = f"/manage/calls/{call.id}/decisions"
    sign_in(client, manager)

    post_form(client, f"/manage/projects/{project.id}/withdraw", {}, page=decisions)
    assert flashes(client) == [("success", "The project has withdrawn; its place is free.")]
    post_form(client, f"/manage/applications/{waitlisted.id}/promote", {}, page=decisions)
    assert flashes(client) == [("success", "Promoted from the waitlist; the applicants are told.")]

    assert statuses(call)[waitlisted.id] == ApplicationStatus.SELECTED
    assert project_of(waitlisted).status == ProjectStatus.ACTIVE
