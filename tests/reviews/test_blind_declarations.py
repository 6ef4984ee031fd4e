"""Point 12f: in a blind call's review phase, a reviewer's declarations of organisations are
reported to the programme managers, and from their fourth in the call on each waits for a
manager's confirmation: it keeps the reviewer away from the applications at once, but removes
their assignments only once confirmed; refusing deletes it.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import User
from accelerator.core.clock import utcnow
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db
from accelerator.reviews.conflicts import (
    confirm_declaration,
    declare_conflict,
    is_conflicted,
    refuse_declaration,
)
from accelerator.reviews.models import Assignment, ConflictDeclaration
from tests.applications.conftest import flashes
from tests.conftest import post_form, sign_in
from tests.factories import make_call, make_organisation
from tests.reviews.conftest import make_assignment, make_manager, make_reviewable, make_reviewer

WATCHED_SUBJECT = re.compile(r"^Ana Reviewer declared a conflict during the blind review of ")


def in_review_phase(call):
    """Closes the call (its applications were submitted while it was open)."""
    call.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    return call


@pytest.fixture
def blind(app):
    """A blind call in its review phase, Ana assigned to Retina's application, a manager, and
    five organisations that did not apply."""
    call = make_call(blind_review=True)
    application = make_reviewable(call, title="Retina")
    manager = make_manager()
    reviewer = make_reviewer(name="Ana Reviewer")
    assignment = make_assignment(application, reviewer, by=manager)
    in_review_phase(call)
    others = [make_organisation(legal_name=f"Bystander {n} SL") for n in range(1, 6)]
    return call, application, assignment, reviewer, manager, others


def declare(reviewer, organisation, *, by=None):
    return declare_conflict(
        reviewer,
        reason=f"I advise {organisation.legal_name}.",
        by=by or reviewer,
        now=utcnow(),
        organisation_id=organisation.id,
    )


def watched_reports() -> list[tuple[int, bool]]:
    """(number, awaiting confirmation) of each report in the audit trail."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "conflict.declared_in_blind_review")
        .order_by(AuditEntry.id)
    )
    return [(e.details["number"], e.details["awaiting_confirmation"]) for e in entries]


def watched_emails(manager) -> list[OutboxMessage]:
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == manager.email)
    )
    return [m for m in messages if WATCHED_SUBJECT.match(m.subject)]


def assignment_exists(assignment_id: int) -> bool:
    query = select(func.count(Assignment.id)).where(Assignment.id == assignment_id)
    return db.session.scalar(query) == 1


def test_blind_declaration_12f_each_in_the_review_phase_is_reported_to_the_managers(blind):
    call, _application, _assignment, reviewer, manager, others = blind

    for organisation in others[:3]:
        declare(reviewer, organisation)

    assert watched_reports() == [(1, False), (2, False), (3, False)]
    emails = watched_emails(manager)
    assert len(emails) == 3
    assert "Bystander 3 SL" in emails[2].body_text
    assert "declaration number 3" in emails[2].body_text
    assert f"/manage/calls/{call.id}/conflicts" in emails[2].body_text


def test_blind_declaration_12f_the_fourth_waits_and_keeps_the_reviewer_away(blind):
    _call, application, assignment, reviewer, manager, others = blind
    assignment_id = assignment.id
    for organisation in others[:3]:
        declare(reviewer, organisation)

    fourth = declare(reviewer, application.organisation)

    assert fourth.awaiting_confirmation is True
    assert watched_reports()[-1] == (4, True)
    assert is_conflicted(reviewer, application) is True
    assert assignment_exists(assignment_id)  # removed only once a manager confirms
    assert "waits for a programme manager" in watched_emails(manager)[-1].body_text


def test_blind_declaration_12f_the_reviewer_is_told_it_awaits_the_programme_office(blind, client):
    _call, application, assignment, reviewer, _manager, others = blind
    for organisation in others[:3]:
        declare(reviewer, organisation)
    sign_in(client, reviewer)

    response = post_form(
        client,
        "/reviews/conflicts?q=Organisation",
        {"organisation": application.organisation_id, "reason": "My former employer."},
    )

    assert response.status_code == 302
    assert flashes(client) == [
        (
            "info",
            "Your declaration awaits the programme office: until then you will not see this"
            " organisation's applications.",
        )
    ]
    assert client.get(f"/reviews/{assignment.id}").status_code == 404
    assert "awaiting the programme office" in client.get("/reviews/conflicts").get_data(True)


def test_blind_declaration_12f_a_manager_confirms_it_on_the_conflict_matrix(blind, client):
    call, application, assignment, reviewer, manager, others = blind
    assignment_id = assignment.id
    for organisation in others[:3]:
        declare(reviewer, organisation)
    fourth = declare(reviewer, application.organisation)
    sign_in(client, manager)
    matrix = f"/manage/calls/{call.id}/conflicts"
    assert f'id="declaration-{fourth.id}"' in client.get(matrix).get_data(as_text=True)

    response = post_form(client, f"{matrix}/{fourth.id}/confirm", {}, page=matrix)

    assert (response.status_code, response.location) == (302, matrix)
    assert not assignment_exists(assignment_id)
    db.session.refresh(fourth)
    assert fourth.awaiting_confirmation is False
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["conflict.confirmed", "assignment.removed"]


def test_blind_declaration_12f_a_manager_refusing_it_deletes_it(blind, client):
    call, application, assignment, reviewer, manager, others = blind
    for organisation in others[:3]:
        declare(reviewer, organisation)
    fourth = declare(reviewer, application.organisation)
    fourth_id = fourth.id
    sign_in(client, manager)
    matrix = f"/manage/calls/{call.id}/conflicts"

    post_form(client, f"{matrix}/{fourth_id}/refuse", {}, page=matrix)

    assert db.session.get(ConflictDeclaration, fourth_id) is None
    assert assignment_exists(assignment.id)
    assert is_conflicted(db.session.get(User, reviewer.id), application) is False
    [refused] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "conflict.refused")
    ).all()
    assert (refused.actor_id, refused.details["organisation_id"]) == (
        manager.id,
        application.organisation_id,
    )


@pytest.mark.parametrize(
    "setting",
    [
        "not_blind",
        "still_open",
        "published",
        "closed_early",
        "declared_by_a_manager",
        "not_assigned_there",
    ],
)
def test_blind_declaration_12f_is_not_watched_outside_a_blind_review_phase(blind, setting):
    call, application, assignment, reviewer, manager, others = blind
    if setting == "not_blind":
        call.blind_review = False
    elif setting == "still_open":
        call.closes_at = utcnow() + timedelta(days=1)
    elif setting == "published":
        call.results_published_at = utcnow()
    elif setting == "closed_early":
        call.review_closed_at = utcnow()
    elif setting == "not_assigned_there":
        db.session.delete(assignment)
    db.session.commit()
    by = manager if setting == "declared_by_a_manager" else reviewer

    declarations = [declare(reviewer, organisation, by=by) for organisation in others[:4]]

    assert watched_reports() == []
    assert [d.awaiting_confirmation for d in declarations] == [False] * 4
    assert watched_emails(manager) == []


def test_blind_declaration_12f_six_at_the_same_instant_leave_three_waiting(
    blind, at_the_same_instant
):
    _call, _application, _assignment, reviewer, _manager, others = blind
    extra = make_organisation(legal_name="Bystander 6 SL")
    reviewer_id = reviewer.id
    organisation_ids = [organisation.id for organisation in [*others, extra]]

    def declaring(organisation_id):
        def prepare():
            ana = db.session.get(User, reviewer_id)
            return lambda: (
                declare_conflict(
                    ana,
                    reason="Sent together.",
                    by=ana,
                    now=utcnow(),
                    organisation_id=organisation_id,
                ).awaiting_confirmation
            )

        return prepare

    results = at_the_same_instant(
        [declaring(organisation_id) for organisation_id in organisation_ids]
    )

    assert sorted(results) == [False, False, False, True, True, True]
    assert sorted(number for number, _awaiting in watched_reports()) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    "decisions",
    [[confirm_declaration] * 6, [confirm_declaration, refuse_declaration] * 3],
    ids=["six_confirmations", "confirmations_and_refusals"],
)
def test_blind_declaration_12f_decisions_at_the_same_instant_one_wins(
    blind, at_the_same_instant, decisions
):
    _call, application, _assignment, reviewer, manager, others = blind
    for organisation in others[:3]:
        declare(reviewer, organisation)
    fourth_id, manager_id = declare(reviewer, application.organisation).id, manager.id

    def deciding(decide):
        def prepare():
            declaration = db.session.get(ConflictDeclaration, fourth_id)
            office = db.session.get(User, manager_id)
            return lambda: decide(declaration, by=office, now=utcnow())

        return prepare

    results = at_the_same_instant([deciding(decide) for decide in decisions])

    assert sorted(map(str, results)) == ["DeclarationAlreadyDecided"] * 5 + ["None"]
    decisions = db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action.in_(["conflict.confirmed", "conflict.refused"])
        )
    )
    assert decisions == 1


def test_blind_declaration_12f_awaits_only_on_the_matrix_of_its_reviewers_call(blind, client):
    call, application, _assignment, reviewer, manager, others = blind
    for organisation in others[:3]:
        declare(reviewer, organisation)
    fourth = declare(reviewer, application.organisation)
    other_call = make_call(blind_review=True)
    make_assignment(make_reviewable(other_call), make_reviewer(), by=manager)
    other_call.closes_at = call.closes_at
    db.session.commit()
    sign_in(client, manager)

    own = client.get(f"/manage/calls/{call.id}/conflicts").get_data(as_text=True)
    other = client.get(f"/manage/calls/{other_call.id}/conflicts").get_data(as_text=True)

    assert f'id="declaration-{fourth.id}"' in own
    assert f'id="declaration-{fourth.id}"' not in other
