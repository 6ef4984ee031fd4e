"""The lab report: utilisation per resource and lab (per ISO week and month), hours and cost per
project against quota, no-shows, the lab manager's view of their labs only, its exports, and the
lab hours the project space shows.

Bookings are inserted directly (the report reads, it does not book). The example week is Monday
9 to Sunday 15 March 2026 (Madrid winter time): a lab open Monday to Friday 08:00–20:00 is open
60 hours in it.
"""

import csv
import html
import io
import re
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from accelerator.accounts.enums import Role
from accelerator.core.clock import madrid_to_utc, utcnow
from accelerator.extensions import db
from accelerator.labs.enums import BookingStatus
from accelerator.labs.models import Blackout, LabBooking, LabClosure
from accelerator.labs.quota import quarter_of, set_quota
from accelerator.labs.report.figures import Utilisation
from accelerator.labs.report.periods import Period
from accelerator.labs.report.utilisation import lab_report
from tests.cohorts.conftest import field_errors, make_project, member_of, text_of
from tests.conftest import sign_in
from tests.factories import make_user
from tests.labs.conftest import NOW, madrid, make_lab, make_lab_manager, make_resource

MONDAY = date(2026, 3, 9)
WEDNESDAY, THURSDAY = date(2026, 3, 11), date(2026, 3, 12)
WEEK = "from=2026-03-09&to=2026-03-15"
REPORT = f"/labs/report?{WEEK}"
APPROVED, PENDING = BookingStatus.APPROVED, BookingStatus.PENDING
COMPLETED, NO_SHOW = BookingStatus.COMPLETED, BookingStatus.NO_SHOW
REJECTED, CANCELLED = BookingStatus.REJECTED, BookingStatus.CANCELLED
# The signed-in user and their roles; the resources with their labs; the labs' opening hours;
# closures; blackouts; the bookings; their projects; the quarter's quotas and usage
# (quota.usage_by_lab_and_project: labs, quotas, bookings).
REPORT_QUERIES = 11


def add_booking(resource, project, starts_at, ends_at, *, status=APPROVED):
    year, quarter = quarter_of(starts_at)
    booking = LabBooking(
        resource_id=resource.id,
        project_id=project.id,
        starts_at=starts_at,
        ends_at=ends_at,
        year=year,
        quarter=quarter,
        status=status,
        created_at=NOW,
        cancelled_at=NOW if status == CANCELLED else None,
    )
    db.session.add(booking)
    db.session.commit()
    return booking


def make_manager():
    return make_user(Role.PROGRAMME_MANAGER)


def manager(client):
    user = make_manager()
    sign_in(client, user)
    return user


def cells(page: str, row_id: str) -> dict[str, str]:
    """The text of each cell with a class in the table row with the given id, by class."""
    match = re.search(rf'<tr id="{re.escape(row_id)}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"the page has no row {row_id!r}"
    return {
        name: " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())
        for name, text in re.findall(r'<td class="([\w-]+)">(.*?)</td>', match[1], re.S)
    }


def row_ids(page: str, prefix: str) -> list[str]:
    return re.findall(rf'<tr id="({re.escape(prefix)}[\w-]+)"', page)


@pytest.fixture
def lab(app):
    return make_lab(name="Parc Científic")


# --- utilisation -------------------------------------------------------------------------


def test_utilisation_of_6_booked_hours_in_a_60_hour_week_is_10_percent(client, lab):
    clean_room = make_resource(lab, name="Clean room B1")
    make_resource(lab, name="Cytometer")
    project = make_project()
    add_booking(clean_room, project, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 16))
    manager(client)

    page = client.get(REPORT).text

    assert cells(page, f"resource-{clean_room.id}") == {
        "open": "60",
        "booked": "6",
        "utilisation": "10%",
        "rate": "€120.00",
        "cost": "€720.00",
        "no-shows": "0",
    }
    assert cells(page, f"lab-{lab.id}")["open"] == "120"
    assert cells(page, f"lab-{lab.id}")["utilisation"] == "5%"
    assert cells(page, f"weeks-resource-{clean_room.id}") == {"week-2026-W11": "10%"}
    assert cells(page, f"months-resource-{clean_room.id}") == {"month-2026-03": "10%"}
    assert cells(page, f"weeks-lab-{lab.id}") == {"week-2026-W11": "5%"}


def test_utilisation_is_computed_in_minutes(app, lab):
    clean_room = make_resource(lab)
    add_booking(clean_room, make_project(), madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 16))

    report = lab_report(Period(MONDAY, MONDAY + timedelta(days=6)), viewer=make_manager())

    assert report.resources[0].period == Utilisation(open_minutes=60 * 60, booked_minutes=6 * 60)
    assert report.resources[0].period.percent == 10
    assert report.labs[0].weeks == [Utilisation(open_minutes=60 * 60, booked_minutes=6 * 60)]


def test_utilisation_counts_pending_approved_completed_and_no_show_bookings(app, lab):
    clean_room = make_resource(lab)
    project = make_project()
    for hour, status in enumerate((PENDING, APPROVED, COMPLETED, NO_SHOW, REJECTED, CANCELLED)):
        add_booking(
            clean_room,
            project,
            madrid(WEDNESDAY, 8 + hour),
            madrid(WEDNESDAY, 9 + hour),
            status=status,
        )

    report = lab_report(Period(MONDAY, MONDAY + timedelta(days=6)), viewer=make_manager())

    assert report.resources[0].period.booked_minutes == 4 * 60
    assert report.projects[0].bookings == 4


def test_closure_reduces_open_hours(client, lab):
    clean_room = make_resource(lab)
    db.session.add(LabClosure(lab_id=lab.id, first_day=WEDNESDAY, last_day=WEDNESDAY))
    db.session.commit()
    add_booking(clean_room, make_project(), madrid(THURSDAY, 10), madrid(THURSDAY, 16))
    manager(client)

    page = client.get(REPORT).text

    assert cells(page, f"resource-{clean_room.id}")["open"] == "48"
    assert cells(page, f"resource-{clean_room.id}")["utilisation"] == "12.5%"


def test_blackouts_count_as_closed_time_once(app, lab):
    clean_room = make_resource(lab)
    cytometer = make_resource(lab)
    now = NOW
    db.session.add_all(
        [
            # The whole lab, Tuesday 12:00–14:00.
            Blackout(
                lab_id=lab.id,
                starts_at=madrid(MONDAY + timedelta(days=1), 12),
                ends_at=madrid(MONDAY + timedelta(days=1), 14),
                created_at=now,
            ),
            # The clean room, Tuesday 10:00–13:00: an hour of it is blacked out twice.
            Blackout(
                lab_id=lab.id,
                resource_id=clean_room.id,
                starts_at=madrid(MONDAY + timedelta(days=1), 10),
                ends_at=madrid(MONDAY + timedelta(days=1), 13),
                created_at=now,
            ),
            # Over a night and a weekend: only the open hours of Friday count, 18:00–20:00.
            Blackout(
                lab_id=lab.id,
                resource_id=cytometer.id,
                starts_at=madrid(MONDAY + timedelta(days=4), 18),
                ends_at=madrid(MONDAY + timedelta(days=7), 0),
                created_at=now,
            ),
        ]
    )
    db.session.commit()

    report = lab_report(Period(MONDAY, MONDAY + timedelta(days=6)), viewer=make_manager())

    open_hours = {line.resource.id: line.period.open_hours for line in report.resources}
    assert open_hours == {clean_room.id: 56, cytometer.id: 56}


def test_weeks_and_months_split_the_period_across_the_clock_change(client, lab):
    """From Wednesday 25 March to Sunday 5 April 2026; Madrid moves to summer time on 29 March."""
    clean_room = make_resource(lab)
    project = make_project()
    add_booking(
        clean_room,
        project,
        madrid_to_utc(datetime(2026, 3, 26, 10)),
        madrid_to_utc(datetime(2026, 3, 26, 13)),
    )
    add_booking(
        clean_room,
        project,
        madrid_to_utc(datetime(2026, 4, 1, 14)),
        madrid_to_utc(datetime(2026, 4, 1, 20)),
    )
    manager(client)

    page = client.get("/labs/report?from=2026-03-25&to=2026-04-05").text

    # Open: week 13 from Wednesday to Friday, 36 h; week 14, 60 h. March 60 h, April 36 h.
    assert cells(page, f"weeks-resource-{clean_room.id}") == {
        "week-2026-W13": "8.3%",
        "week-2026-W14": "10%",
    }
    assert cells(page, f"months-resource-{clean_room.id}") == {
        "month-2026-03": "5%",
        "month-2026-04": "16.7%",
    }
    assert cells(page, f"resource-{clean_room.id}")["open"] == "96"
    # The bookings are in two quarters: one line for each.
    assert row_ids(page, f"project-{project.id}-") == [
        f"project-{project.id}-lab-{lab.id}-2026-q1",
        f"project-{project.id}-lab-{lab.id}-2026-q2",
    ]


def test_utilisation_without_open_hours_is_a_dash(client):
    weekend_lab = make_lab(weekdays=[])
    resource = make_resource(weekend_lab)
    manager(client)

    page = client.get(REPORT).text

    assert cells(page, f"resource-{resource.id}")["utilisation"] == "—"


# --- projects: hours, cost, quota, no-shows ---------------------------------------------


def test_cost_is_hours_times_the_hourly_rate_in_cents(client, lab):
    clean_room = make_resource(lab, hourly_rate_cents=12_345)
    cytometer = make_resource(lab, hourly_rate_cents=10_000)
    project = make_project(title="CAR-T for glioma")
    add_booking(clean_room, project, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 11, 30))
    add_booking(cytometer, project, madrid(THURSDAY, 9), madrid(THURSDAY, 9, 30))

    report = lab_report(Period(MONDAY, MONDAY + timedelta(days=6)), viewer=make_manager())

    # 1.5 h × €123.45 = €185.175, half a cent up; 0.5 h × €100 = €50.
    assert [line.cost_cents for line in report.resources] == [18_518, 5_000]
    assert report.projects[0].cost_cents == 23_518
    manager(client)
    page = client.get(REPORT).text
    assert cells(page, f"project-{project.id}-lab-{lab.id}-2026-q1")["cost"] == "€235.18"
    assert cells(page, f"resource-{clean_room.id}")["cost"] == "€185.18"


def test_project_hours_are_shown_against_the_quarter_quota(client, lab):
    clean_room = make_resource(lab)
    project = make_project(title="CAR-T for glioma")
    pm = manager(client)
    set_quota(lab, project, minutes_per_quarter=10 * 60, by=pm, now=NOW)
    add_booking(clean_room, project, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 16))
    # Earlier in the quarter, outside the period: it counts against the quota only.
    add_booking(clean_room, project, madrid(date(2026, 3, 4), 10), madrid(date(2026, 3, 4), 11))

    page = client.get(REPORT).text

    assert cells(page, f"project-{project.id}-lab-{lab.id}-2026-q1") == {
        "lab": "Parc Científic",
        "quarter": "Q1 2026",
        "bookings": "1",
        "booked": "6",
        "cost": "€720.00",
        "no-shows": "0",
        "quarter-booked": "7",
        "quota": "10",
        "left": "3",
    }


def test_no_shows_are_counted_per_project_and_resource(client, lab):
    clean_room = make_resource(lab)
    cytometer = make_resource(lab)
    project = make_project()
    other = make_project()
    add_booking(clean_room, project, madrid(WEDNESDAY, 8), madrid(WEDNESDAY, 9), status=NO_SHOW)
    add_booking(clean_room, project, madrid(WEDNESDAY, 9), madrid(WEDNESDAY, 10), status=NO_SHOW)
    add_booking(cytometer, project, madrid(WEDNESDAY, 9), madrid(WEDNESDAY, 10), status=COMPLETED)
    add_booking(cytometer, other, madrid(THURSDAY, 9), madrid(THURSDAY, 10), status=NO_SHOW)
    manager(client)

    page = client.get(REPORT).text

    assert cells(page, f"resource-{clean_room.id}")["no-shows"] == "2"
    assert cells(page, f"resource-{cytometer.id}")["no-shows"] == "1"
    assert cells(page, f"lab-{lab.id}")["no-shows"] == "3"
    assert cells(page, f"project-{project.id}-lab-{lab.id}-2026-q1")["no-shows"] == "2"
    assert cells(page, f"project-{other.id}-lab-{lab.id}-2026-q1")["no-shows"] == "1"


# --- who sees what -----------------------------------------------------------------------


def test_lab_manager_sees_only_the_labs_they_staff(client, lab):
    theirs = make_resource(lab, name="Clean room B1")
    other_lab = make_lab(name="Leitat")
    others = make_resource(other_lab, name="Bioreactor 50 L")
    project = make_project(title="CAR-T for glioma")
    rival = make_project(title="Cartilage scaffold")
    add_booking(theirs, project, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))
    add_booking(others, rival, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))
    sign_in(client, make_lab_manager(lab))

    response = client.get(REPORT)

    assert response.status_code == 200
    page = response.text
    assert row_ids(page, "resource-") == [f"resource-{theirs.id}"]
    assert row_ids(page, "lab-") == [f"lab-{lab.id}"]
    assert row_ids(page, "project-") == [f"project-{project.id}-lab-{lab.id}-2026-q1"]
    assert "Bioreactor 50 L" not in page
    assert "Cartilage scaffold" not in page
    exported = client.get(f"/labs/report.csv?{WEEK}&table=resources").text
    assert [row["Resource"] for row in csv.DictReader(io.StringIO(exported))] == ["Clean room B1"]


def test_lab_managers_report_names_projects_as_text_and_a_programme_managers_links_them(
    client, lab
):
    project = make_project(title="CAR-T for glioma", acronym="GLIOCAR")
    add_booking(make_resource(lab), project, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 12))
    row = f"project-{project.id}-lab-{lab.id}-2026-q1"
    sign_in(client, make_lab_manager(lab))
    lab_manager_page = client.get(REPORT).text
    manager(client)
    manager_page = client.get(REPORT).text

    assert f'href="/projects/{project.id}"' not in lab_manager_page
    assert text_of(lab_manager_page, row).startswith(project.label)
    assert (
        f'<a href="/projects/{project.id}">{project.label}</a>'
        in re.search(rf'<tr id="{row}">(.*?)</tr>', manager_page, re.S)[1]
    )


def test_report_tables_scroll_in_named_regions_the_keyboard_reaches(client, lab):
    make_resource(lab)
    manager(client)

    page = client.get(REPORT).text

    assert re.findall(r'<div class="table-responsive"[^>]*>', page) == [
        f'<div class="table-responsive" tabindex="0" role="region" aria-label="{name}">'
        for name in (
            "Utilisation per lab and resource",
            "Utilisation per ISO week",
            "Utilisation per month",
            "Hours and cost per project",
        )
    ]


def test_lab_manager_of_no_lab_sees_an_empty_report(client, lab):
    make_resource(lab)
    sign_in(client, make_user(Role.LAB_MANAGER))

    page = client.get(REPORT).text

    assert row_ids(page, "resource-") == []
    assert "No resources in the labs you see." in page


@pytest.mark.parametrize("path", ["/labs/report", "/labs/report.csv", "/labs/report.xlsx"])
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.MENTOR, Role.REVIEWER])
def test_report_is_refused_to_everyone_but_lab_and_programme_managers(client, path, role):
    sign_in(client, make_user(role))

    assert client.get(path).status_code == 403


def test_report_link_to_quotas_is_for_programme_managers(client, lab):
    sign_in(client, make_lab_manager(lab))
    lab_manager_page = client.get(REPORT).text
    manager(client)
    manager_page = client.get(REPORT).text

    assert 'href="/labs/quotas"' not in lab_manager_page
    assert 'href="/labs/quotas"' in manager_page


# --- the period --------------------------------------------------------------------------


def test_report_without_dates_covers_the_current_madrid_quarter(client):
    year, quarter = quarter_of(utcnow())
    first = date(year, 3 * quarter - 2, 1)
    last = (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) - timedelta(
        days=1
    )
    manager(client)

    page = client.get("/labs/report").text

    assert text_of(page, "period") == (
        f"{first:%B} {first.day}, {first.year} to {last:%B} {last.day}, {last.year}"
    )


def test_report_with_only_a_first_day_runs_to_the_end_of_its_quarter(client):
    manager(client)

    page = client.get("/labs/report?from=2026-02-10").text

    assert text_of(page, "period") == "February 10, 2026 to March 31, 2026"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-03-15&to=2026-03-09", "to", "The last day is on or after the first day."),
        ("from=2026-02-30&to=2026-03-09", "from", "Not a valid date value."),
        ("from=1999-12-31&to=2026-03-09", "from", "Enter a date between 2000 and 2100."),
        ("from=2025-01-01&to=2026-03-09", "to", "A report covers at most 366 days."),
    ],
)
def test_report_with_bad_dates_says_so_next_to_the_field(client, query, field, message):
    manager(client)

    response = client.get(f"/labs/report?{query}")

    assert response.status_code == 200
    assert field_errors(response.text, field) == [message]
    assert "Correct the dates to see the report." in response.text
    assert client.get(f"/labs/report.csv?{query}").status_code == 404


# --- charts ------------------------------------------------------------------------------


def test_charts_draw_utilisation_with_the_tables_as_alternative(client, lab):
    clean_room = make_resource(lab, name="Clean room B1")
    add_booking(clean_room, make_project(), madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 16))
    manager(client)

    page = client.get(REPORT).text

    chart = re.search(
        rf'<svg[^>]*aria-labelledby="resources-chart-{lab.id}-title.*?</svg>', page, re.S
    )
    assert chart
    # 10 % of the 420-unit scale.
    assert '<rect x="200" y="40" width="42.0" height="12"' in chart[0]
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", chart[0], re.S)[1]
    assert "Clean room B1: 10%." in " ".join(desc.split())
    assert 'The table "Utilisation per lab and resource" gives the same figures.' in html.unescape(
        desc
    )
    assert f'aria-labelledby="weeks-chart-{lab.id}-title weeks-chart-{lab.id}-desc"' in page


# --- exports -----------------------------------------------------------------------------


def test_projects_csv_has_a_row_per_project_lab_and_quarter(client, lab):
    clean_room = make_resource(lab, hourly_rate_cents=12_345)
    project = make_project(title="CAR-T for glioma", acronym="GLIO")
    other = make_project(title="Cartilage scaffold")
    add_booking(clean_room, project, madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 11, 30))
    add_booking(clean_room, other, madrid(THURSDAY, 10), madrid(THURSDAY, 12), status=NO_SHOW)
    manager(client)

    response = client.get(f"/labs/report.csv?{WEEK}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        'filename="lab-projects-2026-03-09-2026-03-15.csv"'
        in response.headers["Content-Disposition"]
    )
    rows = {row["Project"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert set(rows) == {"CAR-T for glioma", "Cartilage scaffold"}
    glioma = rows["CAR-T for glioma"]
    assert (glioma["From"], glioma["To"], glioma["Acronym"], glioma["Lab"]) == (
        "2026-03-09",
        "2026-03-15",
        "GLIO",
        "Parc Científic",
    )
    assert (glioma["Quarter"], glioma["Bookings"], glioma["Booked (h)"], glioma["Cost (EUR)"]) == (
        "Q1 2026",
        "1",
        "1.5",
        "185.18",
    )
    assert (glioma["Quota (h)"], glioma["Left (h)"], glioma["No-shows"]) == ("40", "38.5", "0")
    assert rows["Cartilage scaffold"]["No-shows"] == "1"


def test_resources_csv_has_a_row_per_resource(client, lab):
    clean_room = make_resource(lab, name="Clean room B1")
    make_resource(lab, name="Cytometer", hourly_rate_cents=5_000)
    add_booking(clean_room, make_project(), madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 16))
    manager(client)

    response = client.get(f"/labs/report.csv?{WEEK}&table=resources")

    assert (
        'filename="lab-resources-2026-03-09-2026-03-15.csv"'
        in response.headers["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [
        (row["Resource"], row["Open (h)"], row["Booked (h)"], row["Utilisation (%)"])
        for row in rows
    ] == [("Clean room B1", "60", "6", "10"), ("Cytometer", "60", "0", "0")]
    assert [(row["Hourly rate (EUR)"], row["Cost (EUR)"]) for row in rows] == [
        ("120", "720"),
        ("50", "0"),
    ]


def test_resources_xlsx_has_a_row_per_resource(client, lab):
    clean_room = make_resource(lab, name="Clean room B1")
    add_booking(clean_room, make_project(), madrid(WEDNESDAY, 10), madrid(WEDNESDAY, 16))
    manager(client)

    response = client.get(f"/labs/report.xlsx?{WEEK}&table=resources")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, *body = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Lab resources"
    line = dict(zip(header, body[0], strict=True))
    assert len(body) == 1
    assert (line["Lab"], line["Resource"], line["Kind"]) == (
        "Parc Científic",
        "Clean room B1",
        "GMP clean room",
    )
    assert (line["Open (h)"], line["Booked (h)"], line["Utilisation (%)"], line["Cost (EUR)"]) == (
        60,
        6,
        10,
        720,
    )


def test_projects_xlsx_has_a_row_per_project(client, lab):
    clean_room = make_resource(lab)
    add_booking(
        clean_room,
        make_project(title="CAR-T for glioma"),
        madrid(WEDNESDAY, 10),
        madrid(WEDNESDAY, 11, 30),
    )
    manager(client)

    response = client.get(f"/labs/report.xlsx?{WEEK}")

    sheet = load_workbook(io.BytesIO(response.data)).active
    header, *body = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Lab projects"
    line = dict(zip(header, body[0], strict=True))
    assert (line["Project"], line["Booked (h)"], line["Cost (EUR)"], line["Quota (h)"]) == (
        "CAR-T for glioma",
        1.5,
        180,
        40,
    )


def test_export_of_an_unknown_table_is_not_found(client):
    manager(client)

    assert client.get(f"/labs/report.csv?{WEEK}&table=users").status_code == 404


# --- query count -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 60])
def test_report_query_count_is_constant(client, count_queries, count):
    labs = [make_lab(), make_lab()]
    resources = [make_resource(labs[number % 2]) for number in range(4)]
    projects = [make_project() for _ in range(3)]
    db.session.add(LabClosure(lab_id=labs[0].id, first_day=WEDNESDAY, last_day=WEDNESDAY))
    db.session.add(
        Blackout(
            lab_id=labs[1].id,
            starts_at=madrid(THURSDAY, 8),
            ends_at=madrid(THURSDAY, 10),
            created_at=NOW,
        )
    )
    statuses = (APPROVED, PENDING, COMPLETED, NO_SHOW, CANCELLED)
    for number in range(count):
        day = MONDAY + timedelta(days=number % 5)
        hour = 8 + number // 20  # 20 bookings an hour: 4 resources × 5 days
        add_booking(
            resources[number // 5 % 4],
            projects[number % 3],
            madrid(day, hour),
            madrid(day, hour + 1),
            status=statuses[number % 5],
        )
    manager(client)
    client.get(REPORT)  # warm-up: the connection pool and the session are ready

    with count_queries() as statements:
        response = client.get(REPORT)

    assert response.status_code == 200
    assert len(statements) == REPORT_QUERIES


# --- the project space -------------------------------------------------------------------


def test_project_page_shows_lab_hours_against_each_quota(client):
    member = member_of()
    project = make_project(member=member)
    quota_lab = make_lab(name="Leitat")
    booked_lab = make_lab(name="Barcelona Science Park")
    make_lab(name="Unused lab")
    set_quota(quota_lab, project, minutes_per_quarter=750, by=make_manager(), now=NOW)
    resource = make_resource(booked_lab)
    starts_at = utcnow().replace(microsecond=0)
    year, quarter = quarter_of(starts_at)
    add_booking(resource, project, starts_at, starts_at + timedelta(hours=2, minutes=30))
    add_booking(resource, project, starts_at, starts_at + timedelta(hours=8), status=CANCELLED)
    sign_in(client, member)

    page = client.get(f"/projects/{project.id}").text

    assert text_of(page, f"lab-hours-{booked_lab.id}") == (
        f"Lab hours at Barcelona Science Park: 2.5 h of 40 h (Q{quarter} {year})"
    )
    assert text_of(page, f"lab-hours-{quota_lab.id}") == (
        f"Lab hours at Leitat: 0 h of 12.5 h (Q{quarter} {year})"
    )
    assert "Unused lab" not in page
    assert 'id="lab-hours-none"' not in page


def test_project_page_without_lab_time_says_none_is_booked(client):
    member = member_of()
    project = make_project(member=member)
    make_resource(make_lab())
    sign_in(client, member)

    page = client.get(f"/projects/{project.id}").text

    assert text_of(page, "lab-hours-none") == "Lab hours this quarter: 0 h booked"


def test_book_lab_time_link_is_for_the_projects_members(client):
    member = member_of()
    project = make_project(member=member)
    link = 'href="/labs/resources">Book lab time</a>'
    sign_in(client, member)
    member_page = client.get(f"/projects/{project.id}").text
    manager(client)
    manager_page = client.get(f"/projects/{project.id}").text

    assert link in member_page
    assert link not in manager_page
