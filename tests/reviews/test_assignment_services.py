"""Assigning reviewers with the database: automatic assignment and its preview, manual assign
and unassign, and declining.
"""

import html
import re

import pytest
from sqlalchemy import select

from accelerator.applications.enums import ApplicationStatus
from accelerator.core.clock import utcnow
from accelerator.core.errors import NotAllowed
from accelerator.core.models import AuditEntry
from accelerator.extensions import db
from accelerator.reviews.assignment import (
    AlreadyAssigned,
    ConflictOfInterest,
    NotAReviewer,
    NotReviewable,
    ReviewAlreadySubmitted,
    assign_reviewer,
    auto_assign,
    decline_assignment,
    plan_for_call,
    unassign_reviewer,
)
from accelerator.reviews.conflicts import declare_conflict
from accelerator.reviews.models import Assignment, Review
from accelerator.reviews.services import CriterionInput, save_review
from tests.applications.conftest import flashes
from tests.conftest import csrf_token_from, post_form, sign_in
from tests.factories import make_call, make_organisation, make_user
from tests.reviews.conftest import (
    make_assignment,
    make_manager,
    make_reviewable,
    make_reviewer,
    pairs_in,
)


def assignment_audit() -> list[tuple[str, str, int, dict]]:
    """(action, object type, object id, details) of every assignment entry, in order."""
    rows = db.session.execute(
        select(AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id, AuditEntry.details)
        .where(AuditEntry.action.startswith("assignment."))
        .order_by(AuditEntry.id)
    )
    return [tuple(row) for row in rows]


def submit_review(assignment):
    save_review(
        assignment,
        scores={
            c.id: CriterionInput(c.scale_max, "Convincing.")
            for c in assignment.application.call.criteria
        },
        overall_comment="Strong.",
        recommendation="select",
        submit=True,
        by=assignment.reviewer,
        now=utcnow(),
    )


# --- automatic assignment --------------------------------------------------------------


def test_auto_assign_gives_each_application_its_number_of_balanced_reviewers(app):
    call = make_call(reviews_per_application=2)
    applications = [make_reviewable(call) for _ in range(3)]
    reviewers = [make_reviewer() for _ in range(4)]

    plan = auto_assign(call, by=make_manager(), now=utcnow())

    pairs = pairs_in(call)
    assert plan.short == {}
    assert pairs == set(plan.new_pairs)
    per_application = [sum(1 for a, _r in pairs if a == app.id) for app in applications]
    loads = sorted(sum(1 for _a, r in pairs if r == reviewer.id) for reviewer in reviewers)
    assert per_application == [2, 2, 2]
    assert loads == [1, 1, 2, 2]


def test_auto_assign_keeps_existing_assignments(app):
    call = make_call(reviews_per_application=2)
    application = make_reviewable(call)
    reviewers = [make_reviewer() for _ in range(3)]
    kept = make_assignment(application, reviewers[2])
    kept_id, kept_at = kept.id, kept.assigned_at

    plan = auto_assign(call, by=make_manager(), now=utcnow())

    assert plan.new_pairs == [(application.id, reviewers[0].id)]
    assert pairs_in(call) == {(application.id, reviewers[0].id), (application.id, reviewers[2].id)}
    assert db.session.get(Assignment, kept_id).assigned_at == kept_at


def same_organisation(application):
    return make_reviewer(email="colleague@gmail.com", organisation=application.organisation)


def same_domain_as_the_organisation(application):
    # A registrable domain of its own: the factory's organisations all sit under example.org.
    application.organisation.email_domain = "cardio.example.com"
    db.session.commit()
    return make_reviewer(email="scientist@cardio.example.com")


def same_domain_as_a_member(application):
    make_user(organisation=application.organisation, email="cmo@hospital.example.com")
    return make_reviewer(email="head.of.cardiology@hospital.example.com")


def declared_for_the_organisation(application):
    reviewer = make_reviewer()
    declare_conflict(
        reviewer,
        reason="Former employer.",
        by=reviewer,
        now=utcnow(),
        organisation_id=application.organisation_id,
    )
    return reviewer


def declared_for_the_application(application):
    reviewer = make_reviewer()
    declare_conflict(
        reviewer,
        reason="I wrote a support letter.",
        by=make_manager(),
        now=utcnow(),
        application_id=application.id,
    )
    return reviewer


@pytest.mark.parametrize(
    "conflicted_reviewer",
    [
        same_organisation,
        same_domain_as_the_organisation,
        same_domain_as_a_member,
        declared_for_the_organisation,
        declared_for_the_application,
    ],
)
def test_auto_assign_never_assigns_a_conflicted_reviewer(app, conflicted_reviewer):
    call = make_call(reviews_per_application=3)
    application = make_reviewable(call)
    other = make_reviewable(call)
    conflicted = conflicted_reviewer(application)
    clean = [make_reviewer(), make_reviewer()]

    plan = auto_assign(call, by=make_manager(), now=utcnow())

    assert pairs_in(call) == {
        (application.id, clean[0].id),
        (application.id, clean[1].id),
        (other.id, conflicted.id),
        (other.id, clean[0].id),
        (other.id, clean[1].id),
    }
    assert plan.short == {application.id: 1}


def test_auto_assign_assigns_reviewers_sharing_only_a_webmail_domain(app):
    call = make_call(reviews_per_application=1)
    organisation = make_organisation(email_domain="gmail.com")
    application = make_reviewable(
        call, member=make_user(organisation=organisation, email="f@gmail.com")
    )
    reviewer = make_reviewer(email="r@gmail.com")

    plan = auto_assign(call, by=make_manager(), now=utcnow())

    assert (plan.new_pairs, plan.short) == ([(application.id, reviewer.id)], {})


def test_auto_assign_lists_short_applications_and_moves_assigned_ones_under_review(app):
    call = make_call(reviews_per_application=2)
    served = make_reviewable(call)
    short = make_reviewable(call)
    nobody = make_reviewable(call)
    first, second = make_reviewer(), make_reviewer()
    for reviewer in (first, second):
        declare_conflict(
            reviewer, reason="Advisor.", by=reviewer, now=utcnow(), application_id=nobody.id
        )
    declare_conflict(second, reason="Investor.", by=second, now=utcnow(), application_id=short.id)

    plan = auto_assign(call, by=make_manager(), now=utcnow())

    assert plan.short == {short.id: 1, nobody.id: 2}
    assert pairs_in(call) == {(served.id, first.id), (served.id, second.id), (short.id, first.id)}
    assert [served.status, short.status, nobody.status] == [
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.ELIGIBLE,
    ]


def test_auto_assign_ignores_applications_that_are_not_reviewable(app):
    call = make_call(reviews_per_application=1)
    reviewable = make_reviewable(call)
    submitted = make_reviewable(call)
    submitted.status = ApplicationStatus.SUBMITTED
    ineligible = make_reviewable(call)
    ineligible.status = ApplicationStatus.INELIGIBLE
    db.session.commit()
    reviewer = make_reviewer()

    auto_assign(call, by=make_manager(), now=utcnow())

    assert pairs_in(call) == {(reviewable.id, reviewer.id)}


def test_auto_assign_is_audited(app):
    call = make_call(reviews_per_application=1)
    first = make_reviewable(call)
    second = make_reviewable(call)
    reviewer = make_reviewer()
    manager = make_manager()

    auto_assign(call, by=manager, now=utcnow())

    assert assignment_audit() == [
        ("assignment.added", "application", first.id, {"reviewer_id": reviewer.id}),
        ("assignment.added", "application", second.id, {"reviewer_id": reviewer.id}),
        ("assignment.automatic", "call", call.id, {"assigned": 2, "short": 0}),
    ]
    actors = db.session.scalars(
        select(AuditEntry.actor_id).where(AuditEntry.action.startswith("assignment."))
    )
    assert set(actors) == {manager.id}


def test_auto_assign_by_a_reviewer_is_refused(app):
    call = make_call()
    make_reviewable(call)
    reviewer = make_reviewer()

    with pytest.raises(NotAllowed):
        auto_assign(call, by=reviewer, now=utcnow())

    assert pairs_in(call) == set()


def test_auto_assign_replaces_an_assignment_whose_reviewer_became_conflicted(app):
    call = make_call(reviews_per_application=1)
    application = make_reviewable(call)
    first = make_reviewer()
    make_assignment(application, first)
    make_user(organisation=application.organisation, email=f"hire@{first.email.split('@')[1]}")
    second = make_reviewer()

    plan = plan_for_call(call)

    assert (plan.new_pairs, plan.short) == ([(application.id, second.id)], {})


# --- the preview -------------------------------------------------------------------------


def preview_rows(page: str) -> list[tuple[str, str]]:
    """(application title, reviewer name) of each row of the preview table."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)[1]
    return [
        (html.unescape(title), html.unescape(name))
        for title, name in re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", body)
    ]


def saved_rows() -> set[tuple[str, str]]:
    """(application title, reviewer name) of every assignment."""
    assignments = db.session.scalars(select(Assignment)).unique()
    return {(a.application.title, a.reviewer.name) for a in assignments}


def test_automatic_assignment_preview_shows_exactly_what_is_then_saved(app, client):
    call = make_call(reviews_per_application=2)
    for title in ("Alpha", "Beta", "Gamma"):
        make_reviewable(call, title=title)
    short = make_reviewable(call, title="Delta")
    names = ["Rev Ana", "Rev Ben", "Rev Cy"]
    reviewers = [make_reviewer(name=name) for name in names]
    declare_conflict(
        reviewers[0], reason="Advisor.", by=reviewers[0], now=utcnow(), application_id=short.id
    )
    declare_conflict(
        reviewers[1], reason="Friend.", by=reviewers[1], now=utcnow(), application_id=short.id
    )
    manager = make_manager()
    sign_in(client, manager)
    url = f"/manage/calls/{call.id}/assignments/automatic"

    page = client.get(url).get_data(as_text=True)
    shown = preview_rows(page)
    assert pairs_in(call) == set()  # the preview saves nothing
    response = client.post(url, data={"csrf_token": csrf_token_from(page)})

    assert len(shown) == 7
    assert saved_rows() == set(shown)
    assert "Delta — 1 missing" in html.unescape(page)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/calls/{call.id}/assignments"
    assert flashes(client) == [
        ("success", "7 assignments saved."),
        ("warning", "1 application(s) lack enough reviewers without a conflict."),
    ]
    again = client.get(url).get_data(as_text=True)
    assert preview_rows(again) == []
    assert "Nothing to add." in again
    assert "Save these assignments" not in again


def test_automatic_assignment_is_refused_to_a_reviewer(app, client):
    call = make_call()
    make_reviewable(call)
    sign_in(client, make_reviewer())

    assert client.get(f"/manage/calls/{call.id}/assignments/automatic").status_code == 403


# --- manual assign and unassign ----------------------------------------------------------


def test_assign_reviewer_saves_and_audits_the_assignment(app, client):
    call = make_call()
    application = make_reviewable(call, title="Alpha")
    reviewer = make_reviewer(name="Rev Ana")
    sign_in(client, make_manager())
    page = f"/manage/calls/{call.id}/assignments"

    response = post_form(
        client,
        f"/manage/applications/{application.id}/assign",
        {"reviewer": reviewer.id},
        page=page,
    )

    assert response.status_code == 302
    assert response.headers["Location"] == page
    assert flashes(client) == [("success", "Rev Ana is assigned.")]
    assert pairs_in(call) == {(application.id, reviewer.id)}
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert [row[0] for row in assignment_audit()] == ["assignment.added"]
    assert "Remove Rev Ana" in client.get(page).get_data(as_text=True)


def test_assign_reviewer_with_a_conflict_is_refused_with_a_message(app, client):
    call = make_call()
    application = make_reviewable(call)
    reviewer = make_reviewer(
        name="Rev Ana", email="ana@gmail.com", organisation=application.organisation
    )
    sign_in(client, make_manager())

    post_form(
        client,
        f"/manage/applications/{application.id}/assign",
        {"reviewer": reviewer.id},
        page=f"/manage/calls/{call.id}/assignments",
    )

    assert flashes(client) == [
        ("error", "Rev Ana has a conflict of interest with this application.")
    ]
    assert pairs_in(call) == set()
    assert application.status == ApplicationStatus.ELIGIBLE


def test_assign_reviewer_outside_the_pool_is_refused_with_a_message(app, client):
    call = make_call()
    application = make_reviewable(call)
    outsider = make_user(name="Not Reviewer", email="outsider@elsewhere.example.net")
    sign_in(client, make_manager())

    post_form(
        client,
        f"/manage/applications/{application.id}/assign",
        {"reviewer": outsider.id},
        page=f"/manage/calls/{call.id}/assignments",
    )

    # The form offers only the pool, so the outsider is not a valid choice.
    assert flashes(client) == [("error", "Choose a reviewer.")]
    assert pairs_in(call) == set()
    with pytest.raises(NotAReviewer, match="^Not Reviewer is not in the reviewer pool.$"):
        assign_reviewer(application, outsider, by=make_manager(), now=utcnow())
    assert pairs_in(call) == set()


def test_assign_reviewer_service_refuses_a_conflict(app):
    application = make_reviewable(make_call())
    reviewer = declared_for_the_application(application)

    with pytest.raises(ConflictOfInterest, match="has a conflict of interest"):
        assign_reviewer(application, reviewer, by=make_manager(), now=utcnow())

    assert db.session.scalars(select(Assignment)).all() == []


def test_assign_reviewer_twice_is_refused(app):
    call = make_call()
    application = make_reviewable(call)
    reviewer = make_reviewer(name="Rev Ana")
    make_assignment(application, reviewer)

    with pytest.raises(AlreadyAssigned, match="^Rev Ana is already assigned.$"):
        assign_reviewer(application, reviewer, by=make_manager(), now=utcnow())

    assert pairs_in(call) == {(application.id, reviewer.id)}


def test_assign_reviewer_by_a_reviewer_is_refused(app):
    application = make_reviewable(make_call())
    reviewer = make_reviewer()

    with pytest.raises(NotAllowed):
        assign_reviewer(application, reviewer, by=reviewer, now=utcnow())


@pytest.mark.parametrize("review", ["none", "draft"])
def test_unassign_removes_an_assignment_without_a_submitted_review(app, client, review):
    call = make_call()
    application = make_reviewable(call)
    reviewer = make_reviewer()
    assignment = make_assignment(application, reviewer)
    if review == "draft":
        save_review(
            assignment,
            scores={},
            overall_comment="Started.",
            recommendation=None,
            submit=False,
            by=reviewer,
            now=utcnow(),
        )
    sign_in(client, make_manager())

    response = post_form(
        client,
        f"/manage/assignments/{assignment.id}/remove",
        {},
        page=f"/manage/calls/{call.id}/assignments",
    )

    assert response.status_code == 302
    assert flashes(client) == [("success", "Assignment removed.")]
    assert pairs_in(call) == set()
    assert db.session.scalars(select(Review)).all() == []
    assert [row[0] for row in assignment_audit()] == ["assignment.added", "assignment.removed"]


def test_unassign_after_the_review_is_submitted_is_refused(app, client):
    call = make_call()
    application = make_reviewable(call)
    reviewer = make_reviewer()
    assignment = make_assignment(application, reviewer)
    submit_review(assignment)
    sign_in(client, make_manager())

    post_form(
        client,
        f"/manage/assignments/{assignment.id}/remove",
        {},
        page=f"/manage/calls/{call.id}/assignments",
    )

    assert flashes(client) == [("error", "A submitted review cannot be unassigned.")]
    assert pairs_in(call) == {(application.id, reviewer.id)}
    with pytest.raises(ReviewAlreadySubmitted):
        unassign_reviewer(assignment, by=make_manager(), now=utcnow())


# --- declining ---------------------------------------------------------------------------


def decline(client, assignment_id: int, reason: str):
    page = client.get(f"/reviews/{assignment_id}").get_data(as_text=True)
    token = csrf_token_from(page)
    return client.post(
        f"/reviews/{assignment_id}/decline",
        data={"csrf_token": token, "decline-csrf_token": token, "decline-reason": reason},
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_decline_without_a_reason_is_refused(app, client, reason):
    call = make_call()
    assignment = make_assignment(make_reviewable(call), make_reviewer())
    sign_in(client, assignment.reviewer)

    response = decline(client, assignment.id, reason)

    assert response.headers["Location"] == f"/reviews/{assignment.id}"
    assert flashes(client) == [("error", "Tell the programme office why you decline.")]
    assert db.session.get(Assignment, assignment.id).declined_at is None


def test_decline_with_a_reason_is_seen_by_the_manager_who_reassigns(app, client):
    call = make_call(reviews_per_application=1)
    application = make_reviewable(call, title="Alpha")
    reviewer = make_reviewer(name="Rev Ana")
    replacement = make_reviewer(name="Rev Ben")
    assignment = make_assignment(application, reviewer)
    sign_in(client, reviewer)

    response = decline(client, assignment.id, "  I am on leave until June.  ")

    assert response.headers["Location"] == "/reviews"
    declined = db.session.get(Assignment, assignment.id)
    assert (declined.is_active, declined.declined_reason) == (False, "I am on leave until June.")
    assert assignment_audit()[-1] == (
        "assignment.declined",
        "application",
        application.id,
        {"reason": "I am on leave until June."},
    )
    assert "Alpha" not in client.get("/reviews").get_data(as_text=True)
    assert client.get(f"/reviews/{assignment.id}").status_code == 404

    manager = make_manager()
    sign_in(client, manager)
    page = html.unescape(client.get(f"/manage/calls/{call.id}/assignments").get_data(as_text=True))
    assert re.search(r"Rev Ana\s*<span[^>]*>declined</span> <span[^>]*>I am on leave", page)
    assert "1 missing" in page
    # The automatic plan offers the replacement, never the reviewer who declined.
    assert plan_for_call(call).new_pairs == [(application.id, replacement.id)]
    post_form(
        client,
        f"/manage/applications/{application.id}/assign",
        {"reviewer": replacement.id},
        page=f"/manage/calls/{call.id}/assignments",
    )
    assert flashes(client) == [("success", "Rev Ben is assigned.")]
    assert plan_for_call(call).new_pairs == []


def test_auto_assign_never_offers_a_declined_pair_again(app):
    call = make_call(reviews_per_application=2)
    application = make_reviewable(call)
    reviewer, other = make_reviewer(), make_reviewer()
    assignment = make_assignment(application, reviewer)
    decline_assignment(assignment, reason="Too busy.", by=reviewer, now=utcnow())

    plan = auto_assign(call, by=make_manager(), now=utcnow())

    assert (plan.new_pairs, plan.short) == ([(application.id, other.id)], {application.id: 1})


def test_decline_after_submitting_is_refused(app):
    assignment = make_assignment(make_reviewable(make_call()), make_reviewer())
    submit_review(assignment)

    with pytest.raises(ReviewAlreadySubmitted):
        decline_assignment(
            assignment, reason="Changed my mind.", by=assignment.reviewer, now=utcnow()
        )


def test_decline_by_someone_else_is_refused(app):
    assignment = make_assignment(make_reviewable(make_call()), make_reviewer())

    with pytest.raises(NotAllowed):
        decline_assignment(assignment, reason="Not mine.", by=make_reviewer(), now=utcnow())

    assert db.session.get(Assignment, assignment.id).is_active is True


@pytest.mark.parametrize(
    "status", [ApplicationStatus.SUBMITTED, ApplicationStatus.INELIGIBLE, ApplicationStatus.DRAFT]
)
def test_assign_reviewer_to_an_application_not_screened_eligible_is_refused(app, status):
    application = make_reviewable(make_call())
    application.status = status
    db.session.commit()

    with pytest.raises(NotReviewable, match="^Only eligible applications are reviewed"):
        assign_reviewer(application, make_reviewer(), by=make_manager(), now=utcnow())
    assert db.session.scalars(select(Assignment)).all() == []
