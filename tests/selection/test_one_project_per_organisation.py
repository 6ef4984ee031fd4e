"""An organisation has one active project, unless a manager allows a second one with a reason
(audited): the service refuses without it, the decisions page warns, the database backs it."""

import re

import pytest
from sqlalchemy import select

from accelerator.applications.enums import ApplicationStatus
from accelerator.cohorts.enums import ProjectStatus
from accelerator.cohorts.models import Project
from accelerator.cohorts.services import SecondActiveProject, create_project
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.selection.enums import Outcome
from accelerator.selection.publishing import publish_results
from accelerator.selection.services import (
    SecondProjectNeedsReason,
    decide,
    promote_from_waitlist,
    withdraw_project,
)
from tests.conftest import post_form, sign_in
from tests.factories import make_call, make_organisation
from tests.selection.deciding_helpers import (
    audit_trail,
    decision_of,
    end_review_phase,
    flashes,
    make_decidable,
    make_member,
    statuses,
)

REASON = "A second, unrelated therapy with its own team"


@pytest.fixture
def organisation(app):
    return make_organisation(legal_name="Retigene SL")


@pytest.fixture
def with_project(organisation, manager):
    """Retigene SL's application selected in the 2029 call and published: an active project."""
    earlier = make_call(year=2029, selection_quota=3, title="ATMP Catalyst 2029")
    application = make_decidable(earlier, member=make_member(organisation), acronym="RETIGENE")
    decide(application, Outcome.SELECTED, by=manager, now=utcnow())
    end_review_phase(earlier)
    publish_results(earlier, by=manager, now=utcnow())
    return db.session.scalar(select(Project).where(Project.application_id == application.id))


def second_application(call, organisation):
    return make_decidable(call, member=make_member(organisation), acronym="RETIGENE-2")


def test_selecting_an_organisation_with_an_active_project_needs_a_reason(
    with_project, organisation, manager, call
):
    application = second_application(call, organisation)

    with pytest.raises(SecondProjectNeedsReason) as refused:
        decide(application, Outcome.SELECTED, by=manager, now=utcnow())

    assert str(refused.value) == (
        "Retigene SL already has an active project: RETIGENE (cohort 2029). Selecting this "
        "application needs a reason to allow a second one."
    )
    assert statuses(call) == {application.id: ApplicationStatus.UNDER_REVIEW}
    assert decision_of(application) is None


def test_selecting_a_second_project_with_a_reason_is_recorded_and_audited(
    with_project, organisation, manager, call
):
    application = second_application(call, organisation)

    decide(application, Outcome.SELECTED, second_project_reason=REASON, by=manager, now=utcnow())

    assert decision_of(application).second_project_reason == REASON
    [entry] = audit_trail("application.second_project_allowed")
    assert (entry.object_id, entry.details) == (application.id, {"reason": REASON})


def test_second_project_is_created_at_publication_with_its_reason(
    with_project, organisation, manager, call
):
    application = second_application(call, organisation)
    decide(application, Outcome.SELECTED, second_project_reason=REASON, by=manager, now=utcnow())
    end_review_phase(call)

    publish_results(call, by=manager, now=utcnow())

    db.session.expire_all()
    projects = db.session.scalars(
        select(Project.application_id, Project.second_project_reason)
        .where(Project.organisation_id == organisation.id)
        .order_by(Project.id)
    ).all()
    assert len(projects) == 2
    second = db.session.scalar(select(Project).where(Project.application_id == application.id))
    assert (second.status, second.second_project_reason) == (ProjectStatus.ACTIVE, REASON)


def test_waitlisting_or_rejecting_needs_no_reason(with_project, organisation, manager, call):
    application = second_application(call, organisation)

    decide(application, Outcome.WAITLISTED, by=manager, now=utcnow())

    assert decision_of(application).second_project_reason is None


def test_an_application_selected_in_another_unpublished_call_counts_too(
    organisation, manager, call
):
    other_call = make_call(year=2035, title="ATMP Catalyst 2035")
    first = make_decidable(other_call, member=make_member(organisation), acronym="FIRST")
    decide(first, Outcome.SELECTED, by=manager, now=utcnow())
    application = second_application(call, organisation)

    with pytest.raises(SecondProjectNeedsReason) as refused:
        decide(application, Outcome.SELECTED, by=manager, now=utcnow())

    assert "FIRST (cohort 2035)" in str(refused.value)


def test_a_withdrawn_project_does_not_count(with_project, organisation, manager, call):
    withdraw_project(with_project, by=manager, now=utcnow())
    application = second_application(call, organisation)

    decide(application, Outcome.SELECTED, by=manager, now=utcnow())

    assert statuses(call) == {application.id: ApplicationStatus.SELECTED}


def test_promoting_a_second_project_from_the_waitlist_needs_a_reason(
    with_project, organisation, manager, call
):
    application = second_application(call, organisation)
    decide(application, Outcome.WAITLISTED, by=manager, now=utcnow())
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())

    with pytest.raises(SecondProjectNeedsReason):
        promote_from_waitlist(application, by=manager, now=utcnow())
    project = promote_from_waitlist(
        application, second_project_reason=REASON, by=manager, now=utcnow()
    )

    assert project.second_project_reason == REASON


def test_database_refuses_a_second_active_project_without_a_reason(with_project, organisation):
    other = make_call(year=2036)
    application = second_application(other, organisation)
    application.status = ApplicationStatus.SELECTED

    with pytest.raises(SecondActiveProject):
        create_project(application, now=utcnow())
    db.session.rollback()

    assert db.session.scalars(select(Project.id)).all() == [with_project.id]


def test_decisions_page_warns_about_the_existing_project_and_asks_for_a_reason(
    client, with_project, organisation, manager, call
):
    application = second_application(call, organisation)
    unrelated = make_decidable(call)
    sign_in(client, manager)

    page = client.get(f"/manage/calls/{call.id}/decisions").get_data(as_text=True)

    warnings = re.findall(r'id="other-projects-(\d+)">([^<]*)<', page)
    assert warnings == [
        (str(application.id), "Already has an active project: RETIGENE (cohort 2029)")
    ]
    assert f'id="second-project-{application.id}"' in page
    assert f'id="second-project-{unrelated.id}"' not in page


def test_decision_form_without_the_reason_says_so_and_with_it_selects(
    client, with_project, organisation, manager, call
):
    application = second_application(call, organisation)
    sign_in(client, manager)
    url = f"/manage/applications/{application.id}/decision"
    page = f"/manage/calls/{call.id}/decisions"

    post_form(client, url, {"outcome": "selected"}, page=page)
    refused = flashes(client)
    post_form(client, url, {"outcome": "selected", "second_project_reason": REASON}, page=page)

    assert refused == [
        (
            "error",
            "Retigene SL already has an active project: RETIGENE (cohort 2029). Selecting "
            "this application needs a reason to allow a second one.",
        )
    ]
    assert statuses(call) == {application.id: ApplicationStatus.SELECTED}
