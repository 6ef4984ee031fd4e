"""Point 12d: reviews submitted by a pair later found conflicted are left out of the ranking
(every score and count, raw and normalised) and flagged on the ranking and decisions pages;
the applicant's anonymised comments leave them out too. A declaration still awaiting a
manager's confirmation takes nothing off the record.
"""

import html

import pytest
from sqlalchemy import insert

from accelerator.accounts.enums import Role
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.reviews.comments import anonymised_reviews
from accelerator.reviews.conflicts import declare_conflict
from accelerator.reviews.models import ConflictDeclaration
from accelerator.reviews.ranking import ranking_for_call
from tests.conftest import sign_in
from tests.factories import make_call, make_user
from tests.reviews.test_ranking_page import add_assignment, make_in_review, make_reviewer

FLAG = "1 review excluded: a conflict of interest was found after it was submitted"


@pytest.fixture
def reviewed(app):
    """P reviewed by a harsh (total 1) and a lenient (total 5) reviewer, Q by both (1.5, 4)."""
    call = make_call(reviews_per_application=2)
    p = make_in_review(call, "Islet encapsulation", "Isletech SL")
    q = make_in_review(call, "CAR-T for glioblastoma", "Glio Cell SL")
    harsh, lenient = make_reviewer("Hugo Harsh"), make_reviewer("Lena Lenient")
    add_assignment(p, harsh, (1.5, 0.5, 1.0, 1.0))
    add_assignment(p, lenient, (5, 5, 5, 5))
    add_assignment(q, harsh, (2.0, 1.0, 1.5, 1.5))
    add_assignment(q, lenient, (4.5, 3.5, 4.0, 4.0))
    return call, p, q, lenient


def found_conflicted(reviewer, application):
    """A manager records the conflict after the review was submitted."""
    declare_conflict(
        reviewer,
        reason="Found to hold shares in it.",
        by=make_user(Role.PROGRAMME_MANAGER),
        now=utcnow(),
        organisation_id=application.organisation_id,
    )


def rows_by_title(call, **options):
    return {
        row.application.title: (row.score, row.submitted, row.excluded, row.missing_reviews)
        for row in ranking_for_call(call, **options)
    }


def test_ranking_12d_leaves_out_a_review_found_conflicted_after_submission(reviewed):
    call, p, _q, lenient = reviewed

    found_conflicted(lenient, p)

    assert rows_by_title(call) == {
        "CAR-T for glioblastoma": (2.75, 2, 0, 0),
        "Islet encapsulation": (1.0, 1, 1, 1),
    }


def test_ranking_12d_normalised_leaves_it_out_of_the_reviewer_z_scores_too(reviewed):
    call, p, _q, lenient = reviewed

    found_conflicted(lenient, p)

    # Left: totals 1 (P, Hugo), 1.5 (Q, Hugo), 4 (Q, Lena); M = 13/6, S = √(31/18) ≈ 1.312.
    # Hugo's z-scores are −1 and +1, Lena's only one is 0: P = M − S ≈ 0.854 and
    # Q = (M + S + M) / 2 ≈ 2.823. Lena's excluded 5 would have moved both.
    rows = {
        row.application.title: (round(row.score, 3), row.submitted, row.excluded)
        for row in ranking_for_call(call, normalise=True)
    }
    assert rows == {"Islet encapsulation": (0.854, 1, 1), "CAR-T for glioblastoma": (2.823, 2, 0)}


def test_ranking_12d_a_declaration_awaiting_confirmation_excludes_nothing(reviewed):
    call, p, _q, lenient = reviewed
    db.session.execute(
        insert(ConflictDeclaration),
        [
            {
                "created_at": utcnow(),
                "reviewer_id": lenient.id,
                "organisation_id": p.organisation_id,
                "reason": "Waits for the office.",
                "declared_by_id": lenient.id,
                "awaiting_confirmation": True,
            }
        ],
    )
    db.session.commit()

    assert rows_by_title(call)["Islet encapsulation"] == (3.0, 2, 0, 0)


@pytest.mark.parametrize("page", ["ranking", "decisions"])
def test_ranking_12d_the_ranking_and_decisions_pages_flag_the_excluded_review(
    reviewed, client, page
):
    call, p, _q, lenient = reviewed
    found_conflicted(lenient, p)
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    text = html.unescape(client.get(f"/manage/calls/{call.id}/{page}").get_data(as_text=True))

    assert text.count(FLAG) == 1
    assert text.index("Islet encapsulation") < text.index(FLAG)


def test_ranking_12d_the_applicants_anonymised_reviews_leave_it_out(reviewed):
    _call, p, q, lenient = reviewed

    found_conflicted(lenient, p)

    assert [review["label"] for review in anonymised_reviews(p)] == ["A"]
    assert [float(c["score"]) for c in anonymised_reviews(p)[0]["criteria"].values()] == [
        1.5,
        0.5,
        1.0,
        1.0,
    ]
    assert len(anonymised_reviews(q)) == 2
