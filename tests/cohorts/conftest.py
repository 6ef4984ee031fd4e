"""Factories and page readers of the cohorts tests.

Service calls take the clock as `now=`: NOW is in 2026 Q3 (Madrid). Pages use the server's real
clock, so KPI reports made for page tests are in 2025 (always a past quarter) and milestones are
overdue in 2020 and not yet due in 2099.
"""

import html
import re
from datetime import UTC, date, datetime

from flask import current_app

from accelerator.applications.enums import ApplicationStatus
from accelerator.cohorts import services
from accelerator.cohorts.enums import MilestoneStatus
from accelerator.extensions import db
from tests.factories import make_application, make_call, make_organisation, make_user

NOW = datetime(2026, 8, 14, 10, 0, tzinfo=UTC)
LONG_AGO = date(2020, 1, 15)
FAR_AHEAD = date(2099, 6, 30)
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
)


def member_of(organisation=None):
    """An applicant who belongs to an organisation (a new one unless given)."""
    return make_user(organisation=organisation or make_organisation())


def make_project(*, member=None, call=None, trl: int = 4, second_project_reason=None, **fields):
    """A selected application of the member's organisation (title, acronym… as given), turned
    into a project; an organisation's second active project needs a reason."""
    member = member or member_of()
    fields["trl"] = trl
    with current_app.test_request_context():  # the receipt email needs a request for its links
        application = make_application(call or make_call(), member=member, submitted=True, **fields)
    application.status = ApplicationStatus.SELECTED
    project = services.create_project(
        application, now=NOW, second_project_reason=second_project_reason
    )
    db.session.commit()
    return project


def make_namesakes():
    """One organisation's two projects called RETIGENE, of the 2024 and the 2025 cohorts (a
    second project allowed by a manager): the member, then the projects, oldest first."""
    member = member_of()
    older, newer = (
        make_project(
            member=member,
            call=make_call(year=year, title=f"ATMP Catalyst {year}"),
            title="Retinal gene therapy",
            acronym="RETIGENE",
            second_project_reason=None if year == 2024 else "A second indication, its own team",
        )
        for year in (2024, 2025)
    )
    return member, older, newer


def kpi_fields(**values) -> dict:
    return {
        "funding_raised_cents": 0,
        "headcount": 0,
        "patents_filed": 0,
        "regulatory_milestones": "",
        "clinical_trial_status": "none",
        **values,
    }


def make_report(project, member, year: int, quarter: int, *, submit: bool = True, **values):
    return services.save_kpi_report(
        project,
        year=year,
        quarter=quarter,
        fields=kpi_fields(**values),
        submit=submit,
        by=member,
        now=NOW,
    )


def make_milestone(project, member, *, due: date, status=MilestoneStatus.PLANNED, **values):
    return services.add_milestone(
        project,
        title=values.pop("title", f"Milestone due {due}"),
        due_date=due,
        status=status,
        by=member,
        now=NOW,
        **values,
    )


def field_errors(page: str, field_id: str) -> list[str]:
    """The messages inside the element with id "<field_id>-error", in order."""
    match = re.search(rf'<div id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"the page shows no error next to the field {field_id!r}"
    spans = re.findall(r"<span>(.*?)</span>", match[1], re.S)
    return [html.unescape(text).strip() for text in spans or [match[1]]]


def text_of(page: str, element_id: str) -> str:
    """The text inside the element with the given id (tags removed, spaces collapsed)."""
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</', page, re.S)
    assert match, f"the page has no element {element_id!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match[1])).split())
