"""Point 12g: the reviewer's conflict form never lists every applicant organisation. Reviewers
search by name (at least 3 characters), the results come from every organisation that exists,
at most a handful, nothing says whether one applied, and a declaration names one result with a
reason (POST with CSRF; the organisation must exist).
"""

import html
import re

import pytest
from sqlalchemy import func, select

from accelerator.extensions import db
from accelerator.reviews.models import ConflictDeclaration
from tests.applications.conftest import field_errors
from tests.conftest import post_form, sign_in
from tests.factories import make_call, make_organisation
from tests.reviews.conftest import make_reviewable, make_reviewer

TOO_SHORT = "Type at least 3 characters of the organisation's name."


def result_names(page: str) -> list[str]:
    """The labels of the organisation choices the page offers."""
    return [
        html.unescape(label)
        for label in re.findall(
            r'<label class="form-check-label" for="organisation-\d+">([^<]*)<', page
        )
    ]


def declarations() -> int:
    return db.session.scalar(select(func.count(ConflictDeclaration.id)))


@pytest.fixture
def reviewer_client(app, client):
    sign_in(client, make_reviewer())
    return client


def test_conflict_search_12g_the_page_lists_no_organisation_before_a_search(reviewer_client):
    applicant = make_reviewable(make_call()).organisation  # could leak
    make_organisation(legal_name="Quiet Labs SL")

    page = reviewer_client.get("/reviews/conflicts").get_data(as_text=True)

    assert result_names(page) == []
    assert applicant.legal_name not in page
    assert "Quiet Labs SL" not in page


@pytest.mark.parametrize("term", ["", "ab", "  ab  "])
def test_conflict_search_12g_needs_at_least_three_characters(reviewer_client, term):
    make_organisation(legal_name="Abcam Iberia SL")

    response = reviewer_client.get("/reviews/conflicts", query_string={"q": term})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, "q") == [TOO_SHORT]
    assert result_names(page) == []


def test_conflict_search_12g_finds_any_organisation_and_never_says_which_applied(
    reviewer_client,
):
    applicant = make_reviewable(make_call()).organisation
    applicant.legal_name = "Vectalis Applied SL"
    db.session.commit()
    quiet = make_organisation(legal_name="Vectalis Quiet SL")  # never applied

    both = reviewer_client.get("/reviews/conflicts?q=vectalis").get_data(as_text=True)
    applied = reviewer_client.get("/reviews/conflicts?q=applied").get_data(as_text=True)
    never = reviewer_client.get("/reviews/conflicts?q=quiet").get_data(as_text=True)

    assert result_names(both) == ["Vectalis Applied SL", "Vectalis Quiet SL"]

    # With its name, id, search term (and the form's timed token) set aside, the page of each
    # is the same page.
    def anonymous(page, organisation, term):
        return (
            re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1TOKEN", page)
            .replace(organisation.legal_name, "NAME")
            .replace(f"organisation-{organisation.id}", "organisation-ID")
            .replace(f'value="{organisation.id}"', 'value="ID"')
            .replace(term, "TERM")
        )

    assert anonymous(applied, applicant, "applied") == anonymous(never, quiet, "quiet")


def test_conflict_search_12g_offers_at_most_five_matches(reviewer_client):
    for number in range(1, 8):
        make_organisation(legal_name=f"Gene Works {number} SL")

    page = reviewer_client.get("/reviews/conflicts?q=gene works").get_data(as_text=True)

    assert result_names(page) == [f"Gene Works {number} SL" for number in range(1, 6)]
    assert "More organisations match: type more of the name to narrow the search." in page


def test_conflict_search_12g_says_when_nothing_matches(reviewer_client):
    make_organisation(legal_name="Vectalis SL")

    page = reviewer_client.get("/reviews/conflicts?q=zzz").get_data(as_text=True)

    assert result_names(page) == []
    assert "No organisation’s name contains “zzz”." in html.unescape(page)


def test_conflict_search_12g_a_search_term_is_not_a_wildcard(reviewer_client):
    make_organisation(legal_name="Cell 100% Bio SL")
    make_organisation(legal_name="Cell 1000 Bio SL")

    page = reviewer_client.get("/reviews/conflicts", query_string={"q": "100%"}).get_data(True)

    assert result_names(page) == ["Cell 100% Bio SL"]


def test_conflict_search_12g_declares_the_chosen_result_with_a_reason(reviewer_client):
    organisation = make_organisation(legal_name="Vectalis SL")

    response = post_form(
        reviewer_client,
        "/reviews/conflicts?q=vectalis",
        {"organisation": organisation.id, "reason": "Former employer."},
    )

    assert (response.status_code, response.location) == (302, "/reviews/conflicts")
    assert declarations() == 1


@pytest.mark.parametrize("chosen", ["999999", "99999999999999999999", "not-a-number", ""])
def test_conflict_search_12g_an_organisation_that_does_not_exist_is_refused(
    reviewer_client, chosen
):
    make_organisation(legal_name="Vectalis SL")

    response = post_form(
        reviewer_client,
        "/reviews/conflicts?q=vectalis",
        {"organisation": chosen, "reason": "Former employer."},
    )

    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True), "organisation")
    assert len(errors) == 1
    assert declarations() == 0


def test_conflict_search_12g_a_declaration_without_csrf_is_refused(reviewer_client):
    organisation = make_organisation(legal_name="Vectalis SL")

    response = reviewer_client.post(
        "/reviews/conflicts?q=vectalis",
        data={"organisation": organisation.id, "reason": "Former employer."},
    )

    assert response.status_code == 400
    assert declarations() == 0
