"""The published ranking, the applicant's result page and the anonymised comments never change
after publication: a conflict found later or a project withdrawing leaves them as published,
and the manager is told of the conflict."""

import re

import pytest
from sqlalchemy import select, update

from accelerator.cohorts.models import Project
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.reviews.conflicts import declare_conflict
from accelerator.reviews.models import CriterionScore
from accelerator.reviews.ranking import ranking_for_call
from accelerator.selection.enums import Outcome
from accelerator.selection.publishing import publish_results
from accelerator.selection.services import withdraw_project
from tests.conftest import sign_in
from tests.factories import make_organisation
from tests.selection.deciding_helpers import (
    add_review,
    decide,
    end_review_phase,
    make_decidable,
    make_member,
    make_reviewer,
)

COMMENTS = ["A novel capsid.", "A real need.", "A strong team.", "A good fit."]


def ranked(call, *, normalise=False) -> list[tuple[int, str, float | None, int]]:
    db.session.expire_all()
    return [
        (row.rank, row.application.title, row.score, row.submitted)
        for row in ranking_for_call(call, normalise=normalise)
    ]


@pytest.fixture
def published(app, manager, call):
    """Two applications reviewed by the same two reviewers, one selected, one rejected, and the
    results published."""
    member = make_member(make_organisation(legal_name="Retigene SL"), name="Núria Puig")
    first = make_decidable(call, member=member, title="First")
    second = make_decidable(call, title="Second")
    reviewers = [make_reviewer(name="Ingrid Valdemarsson"), make_reviewer(name="Teodoro Anzaldua")]
    for reviewer, high in zip(reviewers, (5, 4), strict=True):
        add_review(first, reviewer, scores=[high] * 4, comments=COMMENTS)
        add_review(second, reviewer, scores=[high - 2] * 4, comments=COMMENTS)
    decide(first, Outcome.SELECTED, by=manager)
    decide(second, Outcome.REJECTED, by=manager)
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())
    return first, second, reviewers, member


def test_published_ranking_stands_when_a_conflict_is_found_afterwards(published, manager, call):
    first, _second, reviewers, _member = published
    before = (ranked(call), ranked(call, normalise=True))

    declare_conflict(
        reviewers[0], application_id=first.id, reason="Co-author", by=manager, now=utcnow()
    )

    assert (ranked(call), ranked(call, normalise=True)) == before
    assert before[0] == [(1, "First", 4.5, 2), (2, "Second", 2.5, 2)]


def test_published_ranking_keeps_a_project_that_withdrew(published, manager, call):
    first, _second, _reviewers, _member = published
    before = ranked(call)
    project = db.session.scalar(select(Project).where(Project.application_id == first.id))
    withdraw_project(project, by=manager, now=utcnow())

    assert ranked(call) == before


def test_ranking_page_tells_the_manager_of_a_conflict_found_after_publication(
    client, published, manager, call
):
    first, _second, reviewers, _member = published
    declare_conflict(
        reviewers[0], application_id=first.id, reason="Co-author", by=manager, now=utcnow()
    )
    sign_in(client, manager)

    page = client.get(f"/manage/calls/{call.id}/ranking").get_data(as_text=True)

    notice = re.search(r'id="conflicted-since">(.*?)</div>', page, re.S)
    assert notice is not None
    assert re.findall(r"<li>([^<]*)</li>", notice[1]) == ["Ingrid Valdemarsson — First"]


def test_result_page_comments_stay_as_published(client, published, manager, call):
    first, _second, reviewers, member = published
    sign_in(client, member)
    before = comments_on(client.get(f"/applications/{first.id}/result").get_data(as_text=True))

    # Whatever happens to the rows underneath, what was published is what applicants read.
    db.session.execute(update(CriterionScore).values(comment="Rewritten afterwards."))
    db.session.commit()
    declare_conflict(
        reviewers[1], application_id=first.id, reason="Former employer", by=manager, now=utcnow()
    )
    after = comments_on(client.get(f"/applications/{first.id}/result").get_data(as_text=True))

    assert after == before
    assert [review[0] for review in after] == ["Reviewer A", "Reviewer B"]
    assert all("A novel capsid." in review[1] for review in after)
    assert not any("Rewritten afterwards." in review[1] for review in after)


def comments_on(page: str) -> list[tuple[str, str]]:
    """Each reviewer's heading and comments, as the result page shows them."""
    sections = re.findall(r'<h3 class="h6"[^>]*>([^<]*)</h3>(.*?)</section>', page, re.S)
    return [
        (heading, " ".join(re.sub(r"<[^>]+>", " ", body).split())) for heading, body in sections
    ]


def test_a_conflict_already_left_out_at_publication_is_not_reported_as_found_after(
    client, manager, call
):
    member = make_member(make_organisation(legal_name="Retigene SL"))
    application = make_decidable(call, member=member, title="First")
    reviewers = [make_reviewer(name="Ingrid Valdemarsson"), make_reviewer(name="Teodoro Anzaldua")]
    for reviewer in reviewers:
        add_review(application, reviewer, scores=[4] * 4, comments=COMMENTS)
    declare_conflict(
        reviewers[0], application_id=application.id, reason="Co-author", by=manager, now=utcnow()
    )
    decide(application, Outcome.SELECTED, by=manager)
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())
    sign_in(client, manager)

    page = client.get(f"/manage/calls/{call.id}/ranking").get_data(as_text=True)

    assert ranked(call) == [(1, "First", 4.0, 1)]
    assert 'id="conflicted-since"' not in page
