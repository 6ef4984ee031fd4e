"""Applicants see nothing of the decision before publishing; afterwards their outcome and the
reviewers' comments per criterion as "Reviewer A", "Reviewer B", never who wrote them."""

import html
import re

import pytest

from accelerator.accounts.models import User
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.selection.enums import Outcome
from accelerator.selection.publishing import publish_results
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

NOTE = "Board minute 7: kept despite the budget concerns"
CRITERIA = (
    "Excellence and innovation",
    "Unmet need and impact",
    "Team and implementation",
    "Fit with the programme",
)
FIRST_COMMENTS = (
    "A novel capsid with strong preclinical data.",
    "No approved therapy: a large unmet need.",
    "An experienced team with a credible plan.",
    "Vector suite time would speed the GLP work.",
)
SECOND_COMMENTS = (
    "An incremental advance over published vectors.",
    "Clear benefit for a small population.",
    "The regulatory plan is thin.",
    "Mentoring on the IMPD would help most.",
)
DRAFT_COMMENT = "Unfinished remark that was never submitted."
# Everything that would identify a reviewer: names and addresses, including the one whose
# review is still a draft.
REVIEWER_IDENTITY = (
    "Ingrid Valdemarsson",
    "Valdemarsson",
    "ingrid.valdemarsson@karolinska.example.net",
    "karolinska",
    "Teodoro Anzaldua",
    "Anzaldua",
    "teodoro.anzaldua@unav.example.net",
    "Hildegard Oberhauser",
    "Oberhauser",
)


@pytest.fixture
def member(app):
    return make_member(make_organisation(legal_name="Retigene SL"), name="Núria Puig")


@pytest.fixture
def rival(app):
    return make_member(make_organisation(legal_name="Rival Therapeutics SL"), name="Ona Pla")


@pytest.fixture
def reviewed(app, manager, call, member, rival):
    """The member's application reviewed by two reviewers (a third left a draft) and selected
    with an internal note; the rival's application rejected."""
    application = make_decidable(call, member=member)
    rival_application = make_decidable(call, member=rival, title="Rival cell therapy")
    first = make_reviewer(
        name="Ingrid Valdemarsson", email="ingrid.valdemarsson@karolinska.example.net"
    )
    second = make_reviewer(name="Teodoro Anzaldua", email="teodoro.anzaldua@unav.example.net")
    drafting = make_reviewer(name="Hildegard Oberhauser", email="hildegard@oberhauser.example.net")
    add_review(
        application,
        first,
        scores=("4.5", "4.0", "3.5", "3.0"),
        comments=FIRST_COMMENTS,
        overall="Fund it.",
    )
    add_review(application, second, scores=("2.5", "3.0", "2.0", "4.0"), comments=SECOND_COMMENTS)
    add_review(
        application,
        drafting,
        scores=("1.0", "1.0", "1.0", "1.0"),
        comments=(DRAFT_COMMENT,) * 4,
        submit=False,
    )
    add_review(rival_application, first, scores=("1.0",) * 4, comments=("Weak.",) * 4)
    decide(application, Outcome.SELECTED, by=manager, note=NOTE)
    decide(rival_application, Outcome.REJECTED, by=manager, note="Rival note")
    return application, rival_application


def page_of(client, user, url: str):
    sign_in(client, user)
    return client.get(url)


def reviewer_sections(page: str) -> dict[str, list[tuple[str, str]]]:
    """Each reviewer's heading with the (term, comment) pairs under it, as text."""
    sections = re.findall(r"<section[^>]*>\s*<h3[^>]*>(.*?)</h3>(.*?)</section>", page, re.S)

    def text(fragment: str) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())

    return {
        text(heading): [
            (text(term), text(comment))
            for term, comment in re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", body, re.S)
        ]
        for heading, body in sections
    }


def result_url(application) -> str:
    return f"/applications/{application.id}/result"


def publish(call, manager) -> None:
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())


def test_result_before_publishing_is_not_found_for_the_applicant(app, client, member, reviewed):
    application, _rival = reviewed

    response = page_of(client, member, result_url(application))

    assert response.status_code == 404


def test_application_page_before_publishing_shows_no_comment_note_or_result_link(
    app, client, member, reviewed
):
    application, _rival = reviewed

    page = page_of(client, member, f"/applications/{application.id}").get_data(as_text=True)

    secrets = (NOTE, *FIRST_COMMENTS, *SECOND_COMMENTS, "Fund it.", "Reviewer A")
    assert [secret for secret in secrets if secret in page] == []
    assert result_url(application) not in page


def test_application_page_before_publishing_shows_no_decided_status(app, client, member, reviewed):
    application, _rival = reviewed

    page = page_of(client, member, f"/applications/{application.id}").get_data(as_text=True)

    assert re.findall(r"\b(Selected|Waitlisted|Rejected)\b", page) == []


def test_dashboard_before_publishing_shows_no_decision(app, client, member, reviewed):
    response = page_of(client, member, "/applications")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.findall(r"\b(Selected|Waitlisted|Rejected)\b", page) == []


def test_result_after_publishing_shows_the_outcome_and_the_comments_per_criterion(
    app, client, manager, call, member, reviewed
):
    application, _rival = reviewed
    publish(call, manager)

    response = page_of(client, member, result_url(application))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ATMP Catalyst 2031: <strong>Selected</strong>" in page
    assert reviewer_sections(page) == {
        "Reviewer A": [*zip(CRITERIA, FIRST_COMMENTS, strict=True), ("Overall", "Fund it.")],
        "Reviewer B": [
            *zip(CRITERIA, SECOND_COMMENTS, strict=True),
            ("Overall", "A fair application."),
        ],
    }


def test_result_after_publishing_names_no_reviewer(app, client, manager, call, member, reviewed):
    application, _rival = reviewed
    publish(call, manager)

    page = page_of(client, member, result_url(application)).get_data(as_text=True)

    assert [identity for identity in REVIEWER_IDENTITY if identity.lower() in page.lower()] == []
    assert DRAFT_COMMENT not in page


def test_result_shows_no_scores_unless_the_call_says_so(
    app, client, manager, call, member, reviewed
):
    application, _rival = reviewed
    publish(call, manager)

    page = page_of(client, member, result_url(application)).get_data(as_text=True)

    terms = [term for section in reviewer_sections(page).values() for term, _ in section]
    assert terms == [*CRITERIA, "Overall"] * 2
    assert re.findall(r"\d\.\d of", page) == []


def test_result_shows_the_scores_when_the_call_says_so(
    app, client, manager, call, member, reviewed
):
    application, _rival = reviewed
    call.show_scores_to_applicants = True
    db.session.commit()
    publish(call, manager)

    page = page_of(client, member, result_url(application)).get_data(as_text=True)

    sections = reviewer_sections(page)
    assert [term for term, _ in sections["Reviewer A"]] == [
        "Excellence and innovation — 4.5 of 5.0",
        "Unmet need and impact — 4.0 of 5.0",
        "Team and implementation — 3.5 of 5.0",
        "Fit with the programme — 3.0 of 5.0",
        "Overall",
    ]
    assert [term for term, _ in sections["Reviewer B"]] == [
        "Excellence and innovation — 2.5 of 5.0",
        "Unmet need and impact — 3.0 of 5.0",
        "Team and implementation — 2.0 of 5.0",
        "Fit with the programme — 4.0 of 5.0",
        "Overall",
    ]


def test_result_of_another_organisation_is_not_found(app, client, manager, call, rival, reviewed):
    application, rival_application = reviewed
    publish(call, manager)

    assert page_of(client, rival, result_url(application)).status_code == 404
    own = page_of(client, rival, result_url(rival_application)).get_data(as_text=True)
    assert "ATMP Catalyst 2031: <strong>Rejected</strong>" in own
    assert [comment for comment in FIRST_COMMENTS if comment in own] == []


def test_result_is_not_found_for_a_reviewer_of_the_application(
    app, client, manager, call, reviewed
):
    application, _rival = reviewed
    publish(call, manager)
    reviewer = db.session.scalar(
        db.select(User).where(User.email == "ingrid.valdemarsson@karolinska.example.net")
    )

    assert page_of(client, reviewer, result_url(application)).status_code == 404


def test_result_of_an_undecided_application_is_not_found(app, client, manager, call, member):
    application = make_decidable(call, member=member)

    assert page_of(client, member, result_url(application)).status_code == 404
    assert page_of(client, manager, result_url(application)).status_code == 404


def test_internal_note_never_reaches_the_applicant(app, client, manager, call, member, reviewed):
    application, _rival = reviewed
    publish(call, manager)

    pages = [
        page_of(client, member, url).get_data(as_text=True)
        for url in (result_url(application), f"/applications/{application.id}", "/applications")
    ]

    assert [page for page in pages if "Board minute" in page] == []


def test_application_page_after_publishing_links_to_the_result(
    app, client, manager, call, member, reviewed
):
    application, _rival = reviewed
    publish(call, manager)

    page = page_of(client, member, f"/applications/{application.id}").get_data(as_text=True)

    assert f'<a href="{result_url(application)}">' in page


def test_manager_sees_the_internal_note_on_the_decisions_page(app, client, manager, call, reviewed):
    page = page_of(client, manager, f"/manage/calls/{call.id}/decisions").get_data(as_text=True)

    assert NOTE in page
