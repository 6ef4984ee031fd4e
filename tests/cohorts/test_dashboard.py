"""The managers' cohort dashboard: exact figures, places against the cap, charts, exports, and a
number of queries that does not grow with projects and reports."""

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from accelerator.accounts.enums import Role
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.cohorts import services
from accelerator.cohorts.dashboard import cohort_dashboard
from accelerator.cohorts.enums import MilestoneStatus, ProjectStatus
from accelerator.extensions import db
from tests.cohorts.conftest import (
    FAR_AHEAD,
    LONG_AGO,
    NOW,
    make_milestone,
    make_namesakes,
    make_project,
    make_report,
    member_of,
    text_of,
)
from tests.conftest import sign_in
from tests.factories import make_application, make_call, make_organisation, make_user

# The signed-in user and their roles; cohort summaries; projects (with call and organisation);
# milestone counts; KPI totals; the programme; selected places per call; milestones needing
# attention; the KPI trend.
DASHBOARD_QUERIES = 10
EXPORT_QUERIES = 10  # the same figures


def _small_programme():
    """Two cohorts: Alpha (TRL 3 → 5) and Beta (4) in 2031, Gamma (2) in 2032, and a withdrawn
    Delta in 2031 whose figures do not count; a waitlisted application takes no place."""
    call_2031 = make_call(year=2031, title="ATMP Catalyst 2031")
    call_2032 = make_call(year=2032, title="ATMP Catalyst 2032")
    alpha_member, beta_member, gamma_member, delta_member = (
        member_of(make_organisation(legal_name=f"{name} Therapeutics SL"))
        for name in ("Alpha", "Beta", "Gamma", "Delta")
    )
    alpha = make_project(member=alpha_member, call=call_2031, trl=3, title="Alpha", acronym="ALP")
    beta = make_project(member=beta_member, call=call_2031, trl=4, title="Beta", acronym="BET")
    gamma = make_project(member=gamma_member, call=call_2032, trl=2, title="Gamma", acronym="GAM")
    delta = make_project(member=delta_member, call=call_2031, trl=7, title="Delta", acronym="DEL")
    services.update_trl(alpha, trl=5, by=alpha_member, now=NOW)

    make_report(
        alpha, alpha_member, 2025, 1, funding_raised_cents=100_000_00, headcount=5, patents_filed=1
    )
    make_report(alpha, alpha_member, 2025, 2, funding_raised_cents=50_000_00, headcount=7)
    make_report(
        alpha,
        alpha_member,
        2025,
        3,
        submit=False,
        funding_raised_cents=999_00,
        headcount=70,
        patents_filed=9,
    )
    make_report(
        beta, beta_member, 2025, 2, funding_raised_cents=200_000_00, headcount=3, patents_filed=2
    )
    make_report(gamma, gamma_member, 2025, 1, funding_raised_cents=10_000_00, headcount=2)
    make_report(delta, delta_member, 2025, 1, funding_raised_cents=1_000_000_00, headcount=40)

    make_milestone(alpha, alpha_member, due=LONG_AGO, title="Alpha pre-IND meeting")
    make_milestone(
        alpha, alpha_member, due=FAR_AHEAD, status=MilestoneStatus.AT_RISK, title="Alpha phase I"
    )
    make_milestone(
        alpha, alpha_member, due=LONG_AGO, status=MilestoneStatus.DONE, title="Alpha seed round"
    )
    make_milestone(
        beta,
        beta_member,
        due=date(2021, 3, 1),
        status=MilestoneStatus.AT_RISK,
        title="Beta GMP batch",
    )
    make_milestone(
        gamma,
        gamma_member,
        due=FAR_AHEAD,
        status=MilestoneStatus.ON_TRACK,
        title="Gamma potency assay",
    )
    make_milestone(delta, delta_member, due=LONG_AGO, title="Delta forgotten milestone")

    delta.status = ProjectStatus.WITHDRAWN
    db.session.get(Application, delta.application_id).status = ApplicationStatus.WITHDRAWN
    waitlisted = make_application(call_2031, member=member_of(), submitted=False)
    waitlisted.status = ApplicationStatus.WAITLISTED
    db.session.commit()


def _rows(page: str, table_id: str) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', page, re.S)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


@pytest.fixture
def manager_client(client):
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    return client


def test_dashboard_figures_of_one_cohort_are_exact(manager_client):
    _small_programme()

    page = manager_client.get("/manage/cohorts?year=2031").get_data(as_text=True)

    assert text_of(page, "places-summary") == "3 of 18 selected, 15 left"
    assert {
        name: text_of(page, f"total-{name}")
        for name in ("projects", "funding", "headcount", "patents", "overdue", "at-risk")
    } == {
        "projects": "2",
        "funding": "€350,000.00",
        "headcount": "10",
        "patents": "3",
        "overdue": "2",
        "at-risk": "2",
    }
    assert _rows(page, "projects-table") == [
        "ALP (cohort 2031) Alpha · Alpha Therapeutics SL 2031 3 5 3 1 1 2 €150,000.00 7 1",
        "BET (cohort 2031) Beta · Beta Therapeutics SL 2031 4 4 1 1 1 1 €200,000.00 3 2",
    ]
    assert _rows(page, "attention-table") == [
        "ALP (cohort 2031) Alpha pre-IND meeting Jan 15, 2020 Planned Overdue",
        "BET (cohort 2031) Beta GMP batch Mar 1, 2021 At risk Overdue",
        "ALP (cohort 2031) Alpha phase I Jun 30, 2099 At risk",
    ]
    assert _rows(page, "trend-table") == [
        "2025 Q1 1 €100,000.00 5 1",
        "2025 Q2 2 €250,000.00 10 2",
    ]


def test_dashboard_figures_of_all_cohorts_are_exact(manager_client):
    _small_programme()

    page = manager_client.get("/manage/cohorts").get_data(as_text=True)

    assert [text_of(page, f"total-{name}") for name in ("projects", "funding", "headcount")] == [
        "3",
        "€360,000.00",
        "12",
    ]
    assert _rows(page, "cohorts-table") == [
        "2031 2 3.5 4.5 €350,000.00 CSV of cohort 2031 · XLSX of cohort 2031",
        "2032 1 2.0 2.0 €10,000.00 CSV of cohort 2032 · XLSX of cohort 2032",
    ]
    assert _rows(page, "trend-table") == [
        "2025 Q1 2 €110,000.00 7 1",
        "2025 Q2 2 €250,000.00 10 2",
    ]


def test_dashboard_service_counts_only_submitted_reports_of_active_projects(app):
    _small_programme()

    dashboard = cohort_dashboard(None, now=NOW)

    figures = {
        row.project.title: (
            row.milestones,
            row.overdue,
            row.at_risk,
            row.done,
            row.reports,
            row.funding_raised_cents,
            row.latest_headcount,
            row.patents_filed,
        )
        for row in dashboard.projects
    }
    assert figures == {
        "Alpha": (3, 1, 1, 1, 2, 150_000_00, 7, 1),
        "Beta": (1, 1, 1, 0, 1, 200_000_00, 3, 2),
        "Gamma": (1, 0, 0, 0, 1, 10_000_00, 2, 0),
    }
    assert (dashboard.places.selected, dashboard.places.cap, dashboard.places.left) == (3, 18, 15)
    assert [(c.year, c.selected, c.quota) for c in dashboard.places.calls] == [
        (2031, 2, 6),
        (2032, 1, 6),
    ]


def test_dashboard_charts_are_svg_images_with_text_and_table_alternatives(manager_client):
    _small_programme()

    page = manager_client.get("/manage/cohorts").get_data(as_text=True)

    svgs = re.findall(r"<svg [^>]*>.*?</svg>", page, re.S)
    assert [re.search(r'aria-labelledby="([^"]+)"', svg)[1] for svg in svgs] == [
        "funding-chart-title funding-chart-desc",
        "trl-chart-title trl-chart-desc",
    ]
    assert all('role="img"' in svg for svg in svgs)
    assert text_of(page, "trl-chart-title") == "TRL at entry and now, per project"
    assert (
        "ALP (cohort 2031): from 3 to 5. BET (cohort 2031): from 4 to 4."
        " GAM (cohort 2032): from 2 to 2."
    ) in text_of(page, "trl-chart-desc")
    assert "Cohort 2031: €350,000. Cohort 2032: €10,000." in text_of(page, "funding-chart-desc")
    assert 'id="projects-table"' in page
    assert 'id="cohorts-table"' in page
    assert "style=" not in page  # the CSP forbids inline styles


def test_dashboard_year_without_a_call_is_404(manager_client):
    _small_programme()

    statuses = [
        manager_client.get(url).status_code
        for url in ("/manage/cohorts?year=1999", "/manage/cohorts/1999.csv")
    ]

    assert statuses == [404, 404]


def test_dashboard_cohort_of_a_call_without_projects_is_empty(manager_client):
    _small_programme()
    make_call(year=2033)

    page = manager_client.get("/manage/cohorts?year=2033").get_data(as_text=True)
    export = manager_client.get("/manage/cohorts/2033.csv").get_data(as_text=True)

    assert _rows(page, "projects-table") == ["No active projects."]
    assert text_of(page, "places-summary") == "3 of 18 selected, 15 left"
    assert len(export.splitlines()) == 1  # the header


def test_dashboard_without_projects_shows_empty_tables(manager_client):
    make_call(year=2031, selection_quota=6)

    page = manager_client.get("/manage/cohorts").get_data(as_text=True)

    assert text_of(page, "places-summary") == "0 of 18 selected, 18 left"
    assert "<svg" not in page
    assert _rows(page, "projects-table") == ["No active projects."]


def _busy_projects(count: int) -> None:
    """`count` projects in one cohort, each with 2 submitted and 1 draft report and 3 milestones."""
    call = make_call(year=2031)
    for number in range(count):
        member = member_of()
        project = make_project(member=member, call=call, title=f"Project {number}")
        make_report(project, member, 2025, 1, headcount=number)
        make_report(project, member, 2025, 2, funding_raised_cents=1000)
        make_report(project, member, 2025, 3, submit=False)
        make_milestone(project, member, due=LONG_AGO)
        make_milestone(project, member, due=FAR_AHEAD, status=MilestoneStatus.AT_RISK)
        make_milestone(project, member, due=LONG_AGO, status=MilestoneStatus.DONE)


@pytest.mark.parametrize("count", [1, 5])
@pytest.mark.parametrize("url", ["/manage/cohorts", "/manage/cohorts?year=2031"])
def test_dashboard_query_count_is_constant(manager_client, count_queries, count, url):
    _busy_projects(count)
    manager_client.get(url)  # warm-up: the connection pool and the session are ready

    with count_queries() as statements:
        response = manager_client.get(url)

    assert response.status_code == 200
    assert len(statements) == DASHBOARD_QUERIES
    assert len(_rows(response.get_data(as_text=True), "projects-table")) == count


@pytest.mark.parametrize("count", [1, 5])
def test_export_query_count_is_constant(manager_client, count_queries, count):
    _busy_projects(count)
    manager_client.get("/manage/cohorts/2031.csv")

    with count_queries() as statements:
        response = manager_client.get("/manage/cohorts/2031.csv")

    assert response.status_code == 200
    assert len(statements) == EXPORT_QUERIES


def test_export_csv_has_one_row_per_project_of_the_cohort(manager_client):
    _small_programme()

    response = manager_client.get("/manage/cohorts/2031.csv")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="cohort-2031.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "Cohort", "Project", "Acronym", "Organisation", "ATMP class", "Therapeutic area",
        "Entry TRL", "Current TRL", "Milestones", "Overdue", "At risk", "Done",
        "KPI reports submitted", "Funding raised (EUR)", "Latest headcount", "Patents filed",
    ]  # fmt: skip
    assert [row[:3] + row[6:] for row in rows[1:]] == [
        ["2031", "Alpha", "ALP", "3", "5", "3", "1", "1", "1", "2", "150000.00", "7", "1"],
        ["2031", "Beta", "BET", "4", "4", "1", "1", "1", "0", "1", "200000.00", "3", "2"],
    ]
    assert [row[4:6] for row in rows[1:]] == [
        ["Gene therapy medicinal product", "Ophthalmology"]
    ] * 2


def test_export_xlsx_has_the_same_rows(manager_client):
    _small_programme()

    response = manager_client.get("/manage/cohorts/2032.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Cohort 2032"
    assert len(rows) == 2
    assert rows[1][:3] + rows[1][6:] == (
        2032, "Gamma", "GAM", 2, 2, 1, 0, 0, 0, 1, "10000.00", 2, 0,
    )  # fmt: skip


def test_dashboard_tells_apart_two_projects_with_one_acronym_in_two_cohorts(manager_client):
    make_namesakes()

    page = manager_client.get("/manage/cohorts").get_data(as_text=True)

    assert [row.split(" Retinal")[0] for row in _rows(page, "projects-table")] == [
        "RETIGENE (cohort 2024)",
        "RETIGENE (cohort 2025)",
    ]
    assert "RETIGENE (cohort 2024): from 4 to 4. RETIGENE (cohort 2025): from 4 to 4." in (
        text_of(page, "trl-chart-desc")
    )


def test_project_short_label_cuts_the_name_and_keeps_the_cohort(app):
    project = make_project(title="Allogeneic CAR-T cells against relapsed glioblastoma")
    project.acronym = ""  # the label then names the project by its title

    assert project.short_label(28) == f"Allogeneic CA… (cohort {project.cohort_year})"
    assert len(project.short_label(28)) == 28
