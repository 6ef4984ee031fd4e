"""The managers' ranking page, its CSV and XLSX exports, the normalise toggle, and the review
progress page, on data whose numbers are computed by hand (see test_ranking_math.py for the
derivation of the normalised scores).

Reviews are written straight into the tables: the ranking reads whatever reviews exist, and
test_reviewing.py covers how reviewers save them.
"""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pytest
from flask import current_app

from accelerator.accounts.enums import Role
from accelerator.applications.enums import ApplicationStatus
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.reviews.enums import ReviewStatus
from accelerator.reviews.models import Assignment, CriterionScore, Review
from tests.conftest import sign_in
from tests.factories import make_application, make_call, make_organisation, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_HEADER = [
    "Rank",
    "ID",
    "Organisation",
    "Title",
    "Score",
    "Excellence and innovation (30 %)",
    "Unmet need and impact (30 %)",
    "Team and implementation (25 %)",
    "Fit with the programme (15 %)",
    "Reviews submitted",
    "Reviews expected",
    "Spread",
    "Disagreement",
]


# --- building the data -------------------------------------------------------------------


def make_reviewer(name: str):
    # An address at a domain of its own: factory applicants all share example.org.
    slug = name.lower().replace(" ", ".")
    return make_user(Role.REVIEWER, name=name, email=f"{slug}@reviewers.example.net")


def make_in_review(call, title: str, organisation: str, status=ApplicationStatus.UNDER_REVIEW):
    """A submitted application of the call, under review unless another status is given."""
    member = make_user(organisation=make_organisation(legal_name=organisation))
    with current_app.test_request_context():  # the submission receipt builds links
        application = make_application(call, member=member, submitted=True, title=title)
    application.status = status
    db.session.commit()
    return application


def add_assignment(
    application, reviewer, scores=None, *, status=ReviewStatus.SUBMITTED, declined=False
) -> Assignment:
    """An assignment, with a review of these scores (in rubric order) when scores are given."""
    now = utcnow()
    assignment = Assignment(
        application_id=application.id,
        reviewer_id=reviewer.id,
        assigned_at=now - timedelta(days=5),
        declined_at=now - timedelta(days=1) if declined else None,
        declined_reason="Too close to my own work." if declined else None,
    )
    db.session.add(assignment)
    db.session.flush()
    if scores is not None:
        db.session.add(
            Review(
                assignment_id=assignment.id,
                status=status,
                overall_comment="Reviewed.",
                created_at=now - timedelta(days=2),
                updated_at=now - timedelta(days=1),
                submitted_at=now - timedelta(days=1) if status == ReviewStatus.SUBMITTED else None,
                scores=[
                    CriterionScore(
                        criterion_id=criterion.id,
                        score=None if score is None else Decimal(str(score)),
                        comment="Because.",
                    )
                    for criterion, score in zip(application.call.criteria, scores, strict=True)
                ],
            )
        )
    db.session.commit()
    return assignment


# A harsh reviewer (totals 1 to 1.5) and a lenient one (totals 3 to 5) score P and Q in
# opposite ways, and both score R; X has only a draft. Scores per criterion, in rubric order
# (weights 30, 30, 25, 15), chosen so that each review's total is a round number:
REVIEWS = {
    # application: {reviewer: (scores, total)}
    "P": {"harsh": ((1.5, 0.5, 1.0, 1.0), 1.0), "lenient": ((5, 5, 5, 5), 5.0)},
    "Q": {"harsh": ((2.0, 1.0, 1.5, 1.5), 1.5), "lenient": ((4.5, 3.5, 4.0, 4.0), 4.0)},
    "R": {"harsh": ((1, 1, 1, 1), 1.0), "lenient": ((2.5, 3.5, 3.0, 3.0), 3.0)},
}
TITLES = {
    "P": "Islet encapsulation",
    "Q": "CAR-T for glioblastoma",
    "R": "Cartilage spheroids",
    "X": "Limbal stem cells",
}
ORGANISATIONS = {
    "P": "Isletech SL",
    "Q": "Glio Cell SL",
    "R": "Condro Bio SL",
    "X": "Limbus Therapeutics SL",
}

# (rank, key, score, criterion means, submitted, expected, spread, disagreement), rounded to
# two decimals as the page and the exports show them.
# Raw: P = (1 + 5) / 2 = 3, means ((1.5 + 5) / 2, (0.5 + 5) / 2, (1 + 5) / 2, (1 + 5) / 2),
# spread |5 − 1| / 2 = 2; Q = (1.5 + 4) / 2 = 2.75, spread 1.25; R = (1 + 3) / 2 = 2, spread 1.
RAW_TABLE = [
    (1, "P", 3.0, [3.25, 2.75, 3.0, 3.0], 2, 2, 2.0, True),
    (2, "Q", 2.75, [3.25, 2.25, 2.75, 2.75], 2, 2, 1.25, True),
    (3, "R", 2.0, [1.75, 2.25, 2.0, 2.0], 2, 2, 1.0, True),
    (4, "X", None, [None, None, None, None], 0, 2, None, False),
]
# Normalised (M = 31/12, S = √341/12, derived in test_ranking_math.py):
# Q = M + S/√2 ≈ 3.671, P = M + S(√6 − √2)/4 ≈ 2.982, R = M − S(√6 + √2)/4 ≈ 1.097;
# spreads Q S√2/2 ≈ 1.088, P S(√6 + √2)/4 ≈ 1.486, R S(√6 − √2)/4 ≈ 0.398. Means stay raw.
NORMALISED_TABLE = [
    (1, "Q", 3.67, [3.25, 2.25, 2.75, 2.75], 2, 2, 1.09, True),
    (2, "P", 2.98, [3.25, 2.75, 3.0, 3.0], 2, 2, 1.49, True),
    (3, "R", 1.1, [1.75, 2.25, 2.0, 2.0], 2, 2, 0.4, False),
    (4, "X", None, [None, None, None, None], 0, 2, None, False),
]


@pytest.fixture
def ranked_call(client):
    """The example call with its applications by key, and a signed-in manager."""
    call = make_call(year=2031, reviews_per_application=2)
    applications = {key: make_in_review(call, TITLES[key], ORGANISATIONS[key]) for key in TITLES}
    reviewers = {"harsh": make_reviewer("Hugo Harsh"), "lenient": make_reviewer("Lena Lenient")}
    for key, by_reviewer in REVIEWS.items():
        for reviewer, (scores, _total) in by_reviewer.items():
            add_assignment(applications[key], reviewers[reviewer], scores)
    add_assignment(
        applications["X"], reviewers["harsh"], (4, None, None, None), status=ReviewStatus.DRAFT
    )
    add_assignment(applications["X"], reviewers["lenient"])
    # Applications outside the ranking: one not yet screened, and one found ineligible that a
    # manager assigned anyway; its review must not shift the harsh reviewer's z-scores either.
    make_in_review(call, "Not screened yet", "Waiting SL", status=ApplicationStatus.SUBMITTED)
    ineligible = make_in_review(
        call, "Ineligible after all", "Outside SL", status=ApplicationStatus.INELIGIBLE
    )
    add_assignment(ineligible, reviewers["harsh"], (5, 5, 5, 5))
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    return call, applications


# --- reading the page and the exports ----------------------------------------------------


class TableReader(HTMLParser):
    """The body rows of the page's tables: per row, its cells (each a list of its text pieces)
    and the first link's href."""

    def __init__(self):
        super().__init__()
        self.rows: list[tuple[list[list[str]], str | None]] = []
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append(([], None))
        elif self._in_body and tag == "td":
            self._cell = []
        elif self._in_body and tag == "a" and self.rows[-1][1] is None:
            cells, _href = self.rows[-1]
            self.rows[-1] = (cells, dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1][0].append([piece for piece in self._cell if piece])
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(" ".join(data.split()))


def body_rows(html: str):
    reader = TableReader()
    reader.feed(html)
    return reader.rows


def number(text: str) -> float | None:
    return None if text == "—" else float(text)


def page_table(html: str, applications) -> list[tuple]:
    """The ranking table as (rank, key, score, means, submitted, expected, spread, flag)."""
    keys = {application.id: key for key, application in applications.items()}
    table = []
    for cells, href in body_rows(html):
        rank, (title, organisation), score, *means, reviews, spread = cells
        application_id = int(re.fullmatch(r"/manage/applications/(\d+)", href)[1])
        key = keys[application_id]
        assert (title, organisation) == (TITLES[key], ORGANISATIONS[key])
        submitted, expected, *missing = re.fullmatch(
            r"(\d+) / (\d+)(?: (\d+) missing)?", " ".join(reviews)
        ).groups()
        if missing[0] is not None:
            assert int(missing[0]) == int(expected) - int(submitted)
        table.append(
            (
                int(rank[0]),
                key,
                number(score[0]),
                [number(mean[0]) for mean in means],
                int(submitted),
                int(expected),
                number(spread[0]),
                spread[1:] == ["disagreement"],
            )
        )
    return table


def export_table(rows, applications) -> list[tuple]:
    """CSV rows (text) or XLSX rows (typed) as the same tuples as page_table."""

    def value(cell):
        return None if cell in ("", None) else float(cell)

    keys = {application.id: key for key, application in applications.items()}
    table = []
    for rank, application_id, organisation, title, score, *rest in rows:
        *means, submitted, expected, spread, disagreement = rest
        key = keys[int(application_id)]
        assert (title, organisation) == (TITLES[key], ORGANISATIONS[key])
        table.append(
            (
                int(rank),
                key,
                value(score),
                [value(mean) for mean in means],
                int(submitted),
                int(expected),
                value(spread),
                {"yes": True, "": False, None: False}[disagreement],
            )
        )
    return table


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def xlsx_rows(response) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def ranking_url(call, suffix="", **query):
    query_string = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return f"/manage/calls/{call.id}/ranking{suffix}{query_string}"


# --- the ranking page and its exports ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [({}, RAW_TABLE), ({"normalise": 1}, NORMALISED_TABLE)],
    ids=["raw", "normalised"],
)
def test_ranking_page_shows_hand_computed_order_and_numbers(client, ranked_call, query, expected):
    call, applications = ranked_call

    response = client.get(ranking_url(call, **query))

    assert response.status_code == 200
    assert page_table(response.get_data(as_text=True), applications) == expected


@pytest.mark.parametrize(
    ("query", "expected", "filename"),
    [
        ({}, RAW_TABLE, "ranking-2031"),
        ({"normalise": 1}, NORMALISED_TABLE, "ranking-2031-normalised"),
    ],
    ids=["raw", "normalised"],
)
def test_ranking_exports_show_the_order_and_numbers_of_the_page(
    client, ranked_call, query, expected, filename
):
    call, applications = ranked_call
    page = page_table(client.get(ranking_url(call, **query)).get_data(as_text=True), applications)

    as_csv = client.get(ranking_url(call, ".csv", **query))
    as_xlsx = client.get(ranking_url(call, ".xlsx", **query))

    assert (as_csv.status_code, as_csv.mimetype) == (200, "text/csv")
    assert as_csv.headers["Content-Disposition"] == f'attachment; filename="{filename}.csv"'
    assert (as_xlsx.status_code, as_xlsx.mimetype) == (200, XLSX)
    assert as_xlsx.headers["Content-Disposition"] == f'attachment; filename="{filename}.xlsx"'
    csv_header, *csv_body = csv_rows(as_csv)
    xlsx_header, *xlsx_body = xlsx_rows(as_xlsx)
    assert csv_header == EXPORT_HEADER
    assert xlsx_header == EXPORT_HEADER
    assert export_table(csv_body, applications) == page == expected
    assert export_table(xlsx_body, applications) == page


def test_ranking_xlsx_holds_numbers_as_numbers(client, ranked_call):
    call, applications = ranked_call

    _header, first, *_rest = xlsx_rows(client.get(ranking_url(call, ".xlsx")))

    assert first == [
        1,
        applications["P"].id,
        "Isletech SL",
        "Islet encapsulation",
        3.0,
        3.25,
        2.75,
        3.0,
        3.0,
        2,
        2,
        2.0,
        "yes",
    ]


def test_normalise_toggle_changes_the_order_of_harsh_and_lenient_reviews(client, ranked_call):
    call, applications = ranked_call
    raw = client.get(ranking_url(call)).get_data(as_text=True)
    toggle = re.search(r'<a [^>]*href="([^"]+)"[^>]*>Normalise per reviewer \(z-scores\)</a>', raw)

    normalised = client.get(toggle[1].replace("&amp;", "&")).get_data(as_text=True)

    assert toggle[1] == ranking_url(call, normalise=1)
    assert [row[1] for row in page_table(raw, applications)] == ["P", "Q", "R", "X"]
    assert [row[1] for row in page_table(normalised, applications)] == ["Q", "P", "R", "X"]
    assert f'href="{ranking_url(call)}">Show raw scores</a>' in normalised
    assert f'href="{ranking_url(call, ".csv", normalise=1)}">Export CSV</a>' in normalised


def test_ranking_page_lists_only_screened_applications(client, ranked_call):
    call, applications = ranked_call

    html = client.get(ranking_url(call)).get_data(as_text=True)

    assert len(body_rows(html)) == 4
    assert "Not screened yet" not in html
    assert "Ineligible after all" not in html
    assert "<caption>4 applications</caption>" in html


def test_ranking_page_shows_missing_reviews_of_an_unreviewed_application(client, ranked_call):
    call, applications = ranked_call

    cells, _href = body_rows(client.get(ranking_url(call)).get_data(as_text=True))[-1]

    assert cells[0] == ["4"]
    assert cells[2] == ["—"]
    assert cells[-2] == ["0 / 2", "2 missing"]


def test_ranking_page_of_a_call_without_applications_says_so(client):
    call = make_call()
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    html = client.get(ranking_url(call)).get_data(as_text=True)

    assert [cells for cells, _href in body_rows(html)] == [[["No application is in review yet."]]]


@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
def test_ranking_is_refused_to_a_reviewer(client, ranked_call, suffix):
    call, _applications = ranked_call
    sign_in(client, make_reviewer("Rita Curious"))

    response = client.get(ranking_url(call, suffix))

    assert response.status_code == 403
    assert "Islet encapsulation" not in response.get_data(as_text=True)


# --- the review progress page ------------------------------------------------------------


@pytest.fixture
def progress_call(client):
    """Three reviewers in one call (and one assignment in another call that must not count),
    with a signed-in manager."""
    call = make_call(year=2032)
    first, second, third = (
        make_in_review(call, f"Project {n}", f"Progress {n} SL") for n in (1, 2, 3)
    )
    anna, berta, carles = (make_reviewer(n) for n in ("Anna Soler", "Berta Vidal", "Carles Pons"))
    full = (4, 4, 4, 4)
    add_assignment(first, anna, full)
    add_assignment(second, anna, full)
    add_assignment(third, anna, (3, None, None, None), status=ReviewStatus.DRAFT)
    add_assignment(first, berta)
    add_assignment(second, berta)
    add_assignment(third, carles, full)
    add_assignment(first, carles, declined=True)
    add_assignment(make_in_review(make_call(year=2033), "Elsewhere", "Elsewhere SL"), anna)
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    return call


def progress_table(html: str) -> list[tuple]:
    return [
        (cells[0][0], *(int(cell[0]) for cell in cells[1:])) for cells, _href in body_rows(html)
    ]


def move_review_deadline_into_the_past(call) -> None:
    now = utcnow()
    call.opens_at = now - timedelta(days=60)
    call.closes_at = now - timedelta(days=30)
    call.review_deadline = now - timedelta(minutes=1)
    db.session.commit()


def test_progress_page_shows_assigned_and_submitted_per_reviewer_before_the_deadline(
    client, progress_call
):
    response = client.get(f"/manage/calls/{progress_call.id}/review-progress")

    assert response.status_code == 200
    # (reviewer, assigned, submitted, overdue, declined)
    assert progress_table(response.get_data(as_text=True)) == [
        ("Anna Soler", 3, 2, 0, 0),
        ("Berta Vidal", 2, 0, 0, 0),
        ("Carles Pons", 1, 1, 0, 1),
    ]


def test_progress_page_shows_overdue_reviews_after_the_deadline(client, progress_call):
    move_review_deadline_into_the_past(progress_call)

    html = client.get(f"/manage/calls/{progress_call.id}/review-progress").get_data(as_text=True)

    assert progress_table(html) == [
        ("Anna Soler", 3, 2, 1, 0),
        ("Berta Vidal", 2, 0, 2, 0),
        ("Carles Pons", 1, 1, 0, 1),
    ]
    assert '<span class="badge text-bg-danger">2</span>' in html


def test_progress_page_counts_unsubmitted_reviews_as_overdue_once_closed_early(
    client, progress_call
):
    progress_call.review_closed_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    html = client.get(f"/manage/calls/{progress_call.id}/review-progress").get_data(as_text=True)

    assert progress_table(html) == [
        ("Anna Soler", 3, 2, 1, 0),
        ("Berta Vidal", 2, 0, 2, 0),
        ("Carles Pons", 1, 1, 0, 1),
    ]


def test_progress_page_of_a_call_without_assignments_says_so(client):
    call = make_call()
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    html = client.get(f"/manage/calls/{call.id}/review-progress").get_data(as_text=True)

    assert [cells for cells, _href in body_rows(html)] == [[["No assignments yet."]]]
