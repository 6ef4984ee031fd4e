"""Conflicts of interest: what is detected, what reviewers and managers declare, what the matrix
shows, and that a conflicted reviewer reaches nothing of the application.
"""

import html
import re

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from accelerator.applications.services import attachments_of
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.reviews.conflicts import (
    ConflictAlreadyDeclared,
    conflicts_in_call,
    declare_conflict,
    is_conflicted,
)
from accelerator.reviews.enums import ConflictSource
from accelerator.reviews.models import Assignment, ConflictDeclaration, Review
from accelerator.reviews.services import CriterionInput, save_review
from tests.applications.conftest import field_errors, flashes
from tests.conftest import csrf_token_from, post_form, sign_in
from tests.factories import make_call, make_organisation, make_user
from tests.reviews.conftest import (
    audit_actions,
    make_assignment,
    make_manager,
    make_reviewable,
    make_reviewer,
)

SAME_ORGANISATION = ConflictSource.SAME_ORGANISATION
SAME_DOMAIN = ConflictSource.SAME_EMAIL_DOMAIN
DECLARED = ConflictSource.DECLARED


def declarations() -> list[tuple[int, int | None, int | None, str, int]]:
    """(reviewer, organisation, application, reason, declared by) of every declaration."""
    rows = db.session.execute(
        select(
            ConflictDeclaration.reviewer_id,
            ConflictDeclaration.organisation_id,
            ConflictDeclaration.application_id,
            ConflictDeclaration.reason,
            ConflictDeclaration.declared_by_id,
        ).order_by(ConflictDeclaration.id)
    )
    return [tuple(row) for row in rows]


# --- detection ---------------------------------------------------------------------------


def test_conflict_detected_for_a_reviewer_of_the_same_organisation(app):
    call = make_call()
    application = make_reviewable(call)
    # At webmail, so that the reviewer's own address (a member's) adds no same-domain conflict.
    reviewer = make_reviewer(email="colleague@gmail.com", organisation=application.organisation)

    assert conflicts_in_call(call.id) == {(reviewer.id, application.id): {SAME_ORGANISATION}}


def test_conflict_detected_for_the_organisation_email_domain(app):
    call = make_call()
    application = make_reviewable(call)
    domain = application.organisation.email_domain
    reviewer = make_reviewer(email=f"adviser@{domain}")

    assert conflicts_in_call(call.id) == {(reviewer.id, application.id): {SAME_DOMAIN}}


def test_conflict_detected_for_the_email_domain_of_any_member(app):
    call = make_call()
    organisation = make_organisation(email_domain="startup.example.com")
    founder = make_user(organisation=organisation, email="founder@startup.example.com")
    make_user(organisation=organisation, email="postdoc@hospital.example.org")
    application = make_reviewable(call, member=founder)
    reviewer = make_reviewer(email="chief@hospital.example.org")

    assert conflicts_in_call(call.id) == {(reviewer.id, application.id): {SAME_DOMAIN}}


@pytest.mark.parametrize("domain", ["gmail.com", "outlook.com", "proton.me"])
def test_conflict_never_detected_for_a_public_webmail_domain(app, domain):
    call = make_call()
    organisation = make_organisation(email_domain=domain)
    founder = make_user(organisation=organisation, email=f"founder@{domain}")
    application = make_reviewable(call, member=founder)
    reviewer = make_reviewer(email=f"independent.reviewer@{domain}")

    assert conflicts_in_call(call.id) == {}
    assert is_conflicted(reviewer, application) is False


def test_conflict_declared_for_an_organisation_covers_its_applications_only(app):
    call, other_call = make_call(), make_call()
    application = make_reviewable(call)
    later = make_reviewable(other_call, member=make_user(organisation=application.organisation))
    unrelated = make_reviewable(call)
    reviewer = make_reviewer()

    declare_conflict(
        reviewer,
        reason="I advise its board.",
        by=reviewer,
        now=utcnow(),
        organisation_id=application.organisation_id,
    )

    assert conflicts_in_call(call.id) == {(reviewer.id, application.id): {DECLARED}}
    assert conflicts_in_call(other_call.id) == {(reviewer.id, later.id): {DECLARED}}
    assert is_conflicted(reviewer, unrelated) is False


def test_conflict_declared_for_an_application_covers_only_that_application(app):
    call = make_call()
    application = make_reviewable(call)
    other = make_reviewable(call)
    reviewer = make_reviewer()

    declare_conflict(
        reviewer,
        reason="I co-wrote its grant.",
        by=make_manager(),
        now=utcnow(),
        application_id=application.id,
    )

    assert conflicts_in_call(call.id) == {(reviewer.id, application.id): {DECLARED}}
    assert (is_conflicted(reviewer, application), is_conflicted(reviewer, other)) == (True, False)


def test_conflict_sources_accumulate_for_one_pair(app):
    call = make_call()
    application = make_reviewable(call)
    organisation = application.organisation
    reviewer = make_reviewer(organisation=organisation, email=f"cso@{organisation.email_domain}")
    declare_conflict(
        reviewer, reason="Co-founder.", by=reviewer, now=utcnow(), organisation_id=organisation.id
    )

    assert conflicts_in_call(call.id) == {
        (reviewer.id, application.id): {SAME_ORGANISATION, SAME_DOMAIN, DECLARED}
    }


def test_conflicts_in_call_list_only_reviewers_unless_asked_for_others(app):
    call = make_call()
    application = make_reviewable(call)
    # Not a reviewer; at example.org, like the factory's other members.
    colleague = make_user(organisation=application.organisation)
    both = {SAME_ORGANISATION, SAME_DOMAIN}

    assert conflicts_in_call(call.id) == {}
    assert conflicts_in_call(call.id, reviewer_ids=[colleague.id]) == {
        (colleague.id, application.id): both
    }


# --- declarations ------------------------------------------------------------------------


def test_conflict_declared_by_the_reviewer_is_saved_with_its_reason(app, client):
    organisation = make_organisation(legal_name="Vectalis Bio SL")
    reviewer = make_reviewer()
    sign_in(client, reviewer)

    response = post_form(
        client,
        "/reviews/conflicts?q=vectalis",
        {"organisation": organisation.id, "reason": "  I consulted for them in 2024.  "},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/reviews/conflicts"
    assert declarations() == [
        (reviewer.id, organisation.id, None, "I consulted for them in 2024.", reviewer.id)
    ]
    assert audit_actions() == ["conflict.declared"]
    page = client.get("/reviews/conflicts").get_data(as_text=True)
    assert "Vectalis Bio SL — I consulted for them in 2024." in html.unescape(page)


@pytest.mark.parametrize("reason", ["", "   "])
def test_conflict_declared_without_a_reason_is_refused(app, client, reason):
    organisation = make_organisation()
    reviewer = make_reviewer()
    sign_in(client, reviewer)

    response = post_form(
        client,
        f"/reviews/conflicts?q={organisation.legal_name}",
        {"organisation": organisation.id, "reason": reason},
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_errors(page, "reason") == ["Give the reason for the conflict."]
    assert declarations() == []


def test_conflict_declared_twice_by_the_reviewer_is_refused(app, client):
    organisation = make_organisation()
    reviewer = make_reviewer()
    sign_in(client, reviewer)
    data = {"organisation": organisation.id, "reason": "Former employer."}
    url = f"/reviews/conflicts?q={organisation.legal_name}"
    post_form(client, url, data)

    response = post_form(client, url, {**data, "reason": "Said again."})

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "organisation") == [
        "This conflict is already recorded."
    ]
    assert declarations() == [(reviewer.id, organisation.id, None, "Former employer.", reviewer.id)]


def test_conflict_page_is_refused_to_a_non_reviewer(app, client):
    sign_in(client, make_user())

    assert client.get("/reviews/conflicts").status_code == 403


def test_conflict_recorded_by_a_manager_is_saved_with_its_reason(app, client):
    call = make_call()
    application = make_reviewable(call)
    reviewer = make_reviewer()
    manager = make_manager()
    sign_in(client, manager)
    url = f"/manage/calls/{call.id}/conflicts"

    response = post_form(
        client,
        url,
        {
            "reviewer": reviewer.id,
            "organisation": application.organisation_id,
            "reason": "Shares a patent with the founders.",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == url
    assert flashes(client) == [("success", f"Conflict recorded for {reviewer.name}.")]
    assert declarations() == [
        (
            reviewer.id,
            application.organisation_id,
            None,
            "Shares a patent with the founders.",
            manager.id,
        )
    ]
    assert conflicts_in_call(call.id) == {(reviewer.id, application.id): {DECLARED}}


def test_conflict_recorded_by_a_manager_after_the_reviewer_is_refused(app, client):
    call = make_call()
    application = make_reviewable(call)
    reviewer = make_reviewer()
    declare_conflict(
        reviewer,
        reason="My spouse works there.",
        by=reviewer,
        now=utcnow(),
        organisation_id=application.organisation_id,
    )
    sign_in(client, make_manager())

    response = post_form(
        client,
        f"/manage/calls/{call.id}/conflicts",
        {"reviewer": reviewer.id, "organisation": application.organisation_id, "reason": "Again."},
    )

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "organisation") == [
        "This conflict is already recorded."
    ]
    assert [row[3] for row in declarations()] == ["My spouse works there."]


def test_conflict_declared_twice_for_an_application_is_refused_by_the_service(app):
    application = make_reviewable(make_call())
    reviewer = make_reviewer()
    declare_conflict(
        reviewer, reason="Mentor.", by=reviewer, now=utcnow(), application_id=application.id
    )

    with pytest.raises(ConflictAlreadyDeclared, match="^This conflict is already recorded.$"):
        declare_conflict(
            reviewer,
            reason="Mentor!",
            by=make_manager(),
            now=utcnow(),
            application_id=application.id,
        )

    assert [row[3] for row in declarations()] == ["Mentor."]


@pytest.mark.parametrize("target", ["organisation", "application"])
def test_conflict_duplicate_insert_is_refused_by_the_unique_index(app, target):
    application = make_reviewable(make_call())
    reviewer = make_reviewer()
    row = {
        "created_at": utcnow(),
        "reviewer_id": reviewer.id,
        "organisation_id": application.organisation_id if target == "organisation" else None,
        "application_id": application.id if target == "application" else None,
        "reason": "First.",
    }
    db.session.execute(insert(ConflictDeclaration), [row])
    db.session.commit()

    with pytest.raises(IntegrityError):
        db.session.execute(insert(ConflictDeclaration), [{**row, "reason": "Second."}])
    db.session.rollback()

    assert db.session.scalar(select(func.count()).select_from(ConflictDeclaration)) == 1


def test_conflict_for_the_organisation_and_for_its_application_may_both_exist(app):
    application = make_reviewable(make_call())
    reviewer = make_reviewer()
    common = {"created_at": utcnow(), "reviewer_id": reviewer.id, "reason": "Both."}

    db.session.execute(
        insert(ConflictDeclaration),
        [
            {**common, "organisation_id": application.organisation_id, "application_id": None},
            {**common, "organisation_id": None, "application_id": application.id},
        ],
    )
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(ConflictDeclaration)) == 2


@pytest.mark.parametrize("target", ["neither", "both"])
def test_conflict_insert_needs_exactly_one_target(app, target):
    application = make_reviewable(make_call())
    reviewer = make_reviewer()
    both = target == "both"

    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(ConflictDeclaration),
            [
                {
                    "created_at": utcnow(),
                    "reviewer_id": reviewer.id,
                    "organisation_id": application.organisation_id if both else None,
                    "application_id": application.id if both else None,
                    "reason": "Unclear.",
                }
            ],
        )
    db.session.rollback()


def test_conflict_declared_removes_the_pending_assignment_but_keeps_a_submitted_one(app):
    call = make_call()
    pending = make_reviewable(call)
    reviewed = make_reviewable(make_call(), member=make_user(organisation=pending.organisation))
    reviewer = make_reviewer()
    make_assignment(pending, reviewer)
    submitted = make_assignment(reviewed, reviewer)
    submit_review(submitted, reviewer)

    declare_conflict(
        reviewer,
        reason="Joined their board.",
        by=reviewer,
        now=utcnow(),
        organisation_id=pending.organisation_id,
    )

    assert db.session.execute(select(Assignment.application_id, Assignment.reviewer_id)).all() == [
        (reviewed.id, reviewer.id)
    ]
    assert audit_actions()[-2:] == ["conflict.declared", "assignment.removed"]


# --- the matrix ----------------------------------------------------------------------------


def matrix(page: str) -> dict[tuple[str, str], str]:
    """{(application title, reviewer name): cell text} of the conflict matrix, blanks left out."""
    table = re.search(r'<table class="[^"]*conflict-matrix">(.*?)</table>', page, re.S)[1]
    names = re.findall(r'<th scope="col">([^<]*)</th>', table)[1:]
    cells = {}
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", table, re.S):
        title = html.unescape(row.split(" <span", 1)[0]).strip()
        for name, cell in zip(names, re.findall(r"<td>(.*?)</td>", row, re.S), strict=True):
            text = re.sub(r"<[^>]+>", "", cell).strip()
            if text:
                cells[(title, html.unescape(name))] = text
    return cells


def test_conflict_matrix_marks_each_conflict_with_its_sources(app, client):
    call = make_call()
    # Acme at a registrable domain of its own: factory members all share example.org.
    acme_founder = make_user(
        organisation=make_organisation(email_domain="acmebio.example.com"),
        email="ceo@acmebio.example.com",
    )
    acme = make_reviewable(call, title="Acme CAR-T", member=acme_founder)
    beta = make_reviewable(call, title="Beta MSC")
    make_reviewable(make_call(), title="Elsewhere")  # another call: not in the matrix
    domain = acme.organisation.email_domain
    # Webmail addresses: a member's own domain would otherwise add an E to the O.
    make_reviewer(name="Ana Colleague", email="ana.c@gmail.com", organisation=acme.organisation)
    make_reviewer(name="Bea Domain", email=f"bea@{domain}")
    declarer = make_reviewer(name="Carl Declared")
    make_reviewer(name="Dora Clean")
    both = make_reviewer(name="Eva Both", email="eva.b@gmail.com", organisation=beta.organisation)
    declare_conflict(declarer, reason="Advisor.", by=declarer, now=utcnow(), application_id=beta.id)
    declare_conflict(
        both, reason="Co-founder.", by=both, now=utcnow(), organisation_id=beta.organisation_id
    )
    sign_in(client, make_manager())

    page = client.get(f"/manage/calls/{call.id}/conflicts").get_data(as_text=True)

    assert matrix(page) == {
        ("Acme CAR-T", "Ana Colleague"): "✕ O",
        ("Acme CAR-T", "Bea Domain"): "✕ E",
        ("Beta MSC", "Carl Declared"): "✕ D",
        ("Beta MSC", "Eva Both"): "✕ DO",
    }


def test_conflict_matrix_is_refused_to_a_reviewer(app, client):
    call = make_call()
    sign_in(client, make_reviewer())

    assert client.get(f"/manage/calls/{call.id}/conflicts").status_code == 403


# --- enforcement on every reviewer-facing route ---------------------------------------------


def submit_review(assignment, reviewer):
    call = assignment.application.call
    save_review(
        assignment,
        scores={c.id: CriterionInput(c.scale_max, "Solid.") for c in call.criteria},
        overall_comment="Fund it.",
        recommendation="select",
        submit=True,
        by=reviewer,
        now=utcnow(),
    )


def declared_by_the_reviewer(assignment):
    declare_conflict(
        assignment.reviewer,
        reason="I remembered a past collaboration.",
        by=assignment.reviewer,
        now=utcnow(),
        application_id=assignment.application_id,
    )


def declared_by_a_manager_for_the_organisation(assignment):
    declare_conflict(
        assignment.reviewer,
        reason="Board member since March.",
        by=make_manager(),
        now=utcnow(),
        organisation_id=assignment.application.organisation_id,
    )


def declared_after_saving_a_draft(assignment):
    save_review(
        assignment,
        scores={},
        overall_comment="Half done.",
        recommendation=None,
        submit=False,
        by=assignment.reviewer,
        now=utcnow(),
    )
    declared_by_the_reviewer(assignment)


def declared_after_submitting(assignment):
    """The assignment stays (its review is on the record) but the reviewer is shut out."""
    submit_review(assignment, assignment.reviewer)
    declared_by_the_reviewer(assignment)


def same_domain_member_added_later(assignment):
    domain = assignment.reviewer.email.rpartition("@")[2]
    make_user(organisation=assignment.application.organisation, email=f"new.hire@{domain}")


def reviewer_joins_the_organisation_later(assignment):
    assignment.reviewer.organisation_id = assignment.application.organisation_id
    db.session.commit()


CONFLICTS = [
    declared_by_the_reviewer,
    declared_after_saving_a_draft,
    declared_by_a_manager_for_the_organisation,
    declared_after_submitting,
    same_domain_member_added_later,
    reviewer_joins_the_organisation_later,
]


@pytest.fixture
def assigned(app):
    """A reviewer assigned to an application with a pitch deck, and the deck's id."""
    call = make_call()
    application = make_reviewable(call, title="Retina gene therapy")
    make_reviewable(call, title="Another one")  # could leak through a wrong filter
    reviewer = make_reviewer()
    assignment = make_assignment(application, reviewer)
    [deck] = attachments_of(application)
    return assignment, deck.id


def reviewer_routes(assignment_id: int, attachment_id: int, reason: str):
    """(method, url, form data) of every page a reviewer opens for one assignment."""
    base = f"/reviews/{assignment_id}"
    return [
        ("GET", base, None),
        ("POST", base, {"save": "Save draft", "overall_comment": "Sneaking in."}),
        ("GET", f"{base}/attachments/{attachment_id}", None),
        ("POST", f"{base}/decline", {"decline-reason": reason}),
        ("POST", f"{base}/conflict", {"conflict-reason": reason}),
    ]


def statuses(client, assignment_id: int, attachment_id: int, reason="Sneaking out.") -> list[int]:
    """The status of each reviewer route, in order; the reason goes to decline and conflict."""
    # The profile page holds a form for anyone signed in; prefixed forms read their own token.
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    answers = []
    for method, url, data in reviewer_routes(assignment_id, attachment_id, reason):
        if method == "GET":
            response = client.get(url)
        else:
            tokens = {
                "csrf_token": token,
                "decline-csrf_token": token,
                "conflict-csrf_token": token,
            }
            response = client.post(url, data={**tokens, **data})
        response.close()
        answers.append(response.status_code)
    return answers


def dashboard_titles(client) -> list[str]:
    page = client.get("/reviews").get_data(as_text=True)
    return re.findall(r'<td><a href="/reviews/\d+">([^<]*)</a></td>', page)


def state(assignment_id: int):
    """What a sneaking request could have changed."""
    return (
        db.session.execute(
            select(Assignment.declined_at, Assignment.declined_reason).where(
                Assignment.id == assignment_id
            )
        ).all(),
        db.session.execute(select(Review.status, Review.overall_comment)).all(),
        db.session.scalar(select(func.count()).select_from(ConflictDeclaration)),
    )


def test_assigned_reviewer_without_a_conflict_reaches_every_route(client, assigned):
    assignment, attachment_id = assigned
    sign_in(client, assignment.reviewer)

    assert dashboard_titles(client) == ["Retina gene therapy"]
    # Without a reason, declining and declaring are refused with a message: nothing changes.
    assert statuses(client, assignment.id, attachment_id, reason="") == [200, 302, 200, 302, 302]
    assert flashes(client) == [
        ("success", "Draft saved."),
        ("error", "Tell the programme office why you decline."),
        ("error", "Give the reason for the conflict."),
    ]
    assert state(assignment.id)[0] == [(None, None)]


@pytest.mark.parametrize("conflict", CONFLICTS)
def test_conflicted_reviewer_gets_404_on_every_route(client, assigned, conflict):
    assignment, attachment_id = assigned
    assignment_id = assignment.id
    sign_in(client, assignment.reviewer)
    conflict(assignment)
    before = state(assignment_id)

    assert statuses(client, assignment_id, attachment_id) == [404] * 5
    assert state(assignment_id) == before


@pytest.mark.parametrize(
    "conflict",
    [
        declared_by_the_reviewer,
        declared_after_saving_a_draft,
        declared_by_a_manager_for_the_organisation,
        declared_after_submitting,
        same_domain_member_added_later,
        reviewer_joins_the_organisation_later,
    ],
)
def test_conflicted_application_disappears_from_the_reviewer_dashboard(client, assigned, conflict):
    assignment, _attachment_id = assigned
    sign_in(client, assignment.reviewer)
    conflict(assignment)

    assert dashboard_titles(client) == []


def test_other_reviewer_gets_404_on_every_route(client, assigned):
    assignment, attachment_id = assigned
    sign_in(client, make_reviewer())
    before = state(assignment.id)

    assert statuses(client, assignment.id, attachment_id) == [404] * 5
    assert dashboard_titles(client) == []
    assert state(assignment.id) == before


def test_conflict_declared_on_the_review_page_with_a_blank_reason_is_refused(client, assigned):
    assignment, _attachment_id = assigned
    sign_in(client, assignment.reviewer)
    token = csrf_token_from(client.get(f"/reviews/{assignment.id}").get_data(as_text=True))

    response = client.post(
        f"/reviews/{assignment.id}/conflict",
        data={"csrf_token": token, "conflict-csrf_token": token, "conflict-reason": "   "},
    )

    assert response.headers["Location"] == f"/reviews/{assignment.id}"
    assert flashes(client) == [("error", "Give the reason for the conflict.")]
    assert declarations() == []
