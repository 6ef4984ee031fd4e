"""The ranking at volume: a call with 1,000 applications and 3,000 submitted reviews (12,000
criterion scores) runs the same queries as one with 10 applications, and ranks in well under a
second on SQLite and PostgreSQL.

The rows go in with bulk INSERT statements, not through the services, so that building the
call takes a second or two rather than minutes.
"""

import time
from decimal import Decimal

from sqlalchemy import insert

from accelerator.accounts.enums import OrganisationKind, Role
from accelerator.accounts.models import Organisation, RoleGrant, User
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.reviews.enums import ReviewStatus
from accelerator.reviews.models import Assignment, CriterionScore, Review
from accelerator.reviews.ranking import ranking_for_call
from tests.conftest import sign_in
from tests.factories import make_call, make_user

# The signed-in user, their roles, the call, its rubric, its rankable applications with their
# organisations, and every submitted score of the call in one flat query; then the conflicts of
# the reviewers who reviewed (the call's applications, their members' addresses, the reviewers
# and the declarations), whose reviews the ranking leaves out.
RANKING_QUERIES = 10
REVIEWERS = 30
REVIEWS_PER_APPLICATION = 3


def _ids(model, rows: list[dict]) -> list[int]:
    """Inserts the rows in one bulk statement; their ids in the order of the rows."""
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def build_reviewed_call(applications: int, *, year: int):
    """A call with `applications` applications under review, each with three submitted reviews
    by a pool of 30 reviewers, every criterion scored (0 to 5 in half points)."""
    call = make_call(year=year, reviews_per_application=REVIEWS_PER_APPLICATION)
    criteria = [criterion.id for criterion in call.criteria]
    now = utcnow()
    reviewers = _ids(
        User,
        [
            {
                "created_at": now,
                "email": f"volume{year}-{number}@reviewers.example.net",
                "name": f"Volume reviewer {number}",
                "password_hash": "not a usable hash",
            }
            for number in range(REVIEWERS)
        ],
    )
    db.session.execute(
        insert(RoleGrant),
        [{"user_id": user_id, "role": Role.REVIEWER, "granted_at": now} for user_id in reviewers],
    )
    organisations = _ids(
        Organisation,
        [
            {
                "created_at": now,
                "legal_name": f"Volume {year} Therapeutics {number} SL",
                "kind": OrganisationKind.STARTUP,
                "country": "ES",
                "city": "Sevilla",
            }
            for number in range(applications)
        ],
    )
    application_ids = _ids(
        Application,
        [
            {
                "call_id": call.id,
                "organisation_id": organisation_id,
                "created_at": now,
                "updated_at": now,
                "submitted_at": now,
                "status": ApplicationStatus.UNDER_REVIEW,
                "title": f"Volume project {number}",
            }
            for number, organisation_id in enumerate(organisations)
        ],
    )
    pairs = [
        (application_id, reviewers[(REVIEWS_PER_APPLICATION * number + offset) % REVIEWERS])
        for number, application_id in enumerate(application_ids)
        for offset in range(REVIEWS_PER_APPLICATION)
    ]
    assignments = _ids(
        Assignment,
        [
            {"application_id": application_id, "reviewer_id": reviewer_id, "assigned_at": now}
            for application_id, reviewer_id in pairs
        ],
    )
    reviews = _ids(
        Review,
        [
            {
                "assignment_id": assignment_id,
                "status": ReviewStatus.SUBMITTED,
                "overall_comment": "Reviewed in bulk.",
                "created_at": now,
                "updated_at": now,
                "submitted_at": now,
            }
            for assignment_id in assignments
        ],
    )
    db.session.execute(
        insert(CriterionScore),
        [
            {
                "review_id": review_id,
                "criterion_id": criterion_id,
                "score": Decimal((number * 7 + position * 3) % 11) / 2,
                "comment": "Bulk.",
            }
            for number, review_id in enumerate(reviews)
            for position, criterion_id in enumerate(criteria)
        ],
    )
    db.session.commit()
    return call


def queries_of_ranking_page(client, count_queries, call) -> list[str]:
    url = f"/manage/calls/{call.id}/ranking"  # read here: the client expires the test's objects
    client.get(url)  # warm-up: the connection pool is ready
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return statements


def test_ranking_page_query_count_is_the_same_for_10_and_1000_applications(client, count_queries):
    small = build_reviewed_call(10, year=2040)
    large = build_reviewed_call(1000, year=2041)
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    small_queries = queries_of_ranking_page(client, count_queries, small)
    large_queries = queries_of_ranking_page(client, count_queries, large)

    assert len(small_queries) == RANKING_QUERIES, "\n\n".join(small_queries)
    assert len(large_queries) == RANKING_QUERIES, "\n\n".join(large_queries)


def test_ranking_of_1000_applications_takes_well_under_a_second(app):
    call = build_reviewed_call(1000, year=2042)
    timings = {}
    for normalise in (False, True):
        db.session.expire_all()  # nothing of the call's data is in the session beforehand

        started = time.perf_counter()
        rows = ranking_for_call(call, normalise=normalise)
        timings[normalise] = time.perf_counter() - started

        assert len(rows) == 1000
        assert {row.submitted for row in rows} == {REVIEWS_PER_APPLICATION}
        scores = [row.score for row in rows]
        assert scores == sorted(scores, reverse=True)
    print(f"ranking_for_call, 1000 applications: {timings}")
    assert timings[False] < 1.0
    assert timings[True] < 1.0
