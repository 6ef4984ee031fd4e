"""Quarterly KPI reports: one per quarter, locked once submitted, never for a future quarter."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from accelerator.cohorts import services
from accelerator.cohorts.enums import ClinicalTrialStatus, ReportStatus
from accelerator.cohorts.models import KPIReport
from accelerator.core.models import AuditEntry
from accelerator.extensions import db
from tests.cohorts.conftest import (
    NOW,
    field_errors,
    kpi_fields,
    make_project,
    make_report,
    member_of,
)
from tests.conftest import post_form, sign_in


def _reports(project) -> list[KPIReport]:
    query = select(KPIReport).where(KPIReport.project_id == project.id).order_by(KPIReport.id)
    return list(db.session.scalars(query))


def _report_form(**values) -> dict:
    return {
        "year": "2025",
        "quarter": "2",
        "funding_raised": "150000",
        "headcount": "6",
        "patents_filed": "1",
        "regulatory_milestones": "Scientific advice meeting with AEMPS",
        "clinical_trial_status": "planning",
        "save": "Save draft",
        **values,
    }


# --- one report per quarter ------------------------------------------------------------------


def test_kpi_report_second_for_the_same_quarter_is_refused_with_a_message(app):
    member = member_of()
    project = make_project(member=member)
    make_report(project, member, 2026, 3, submit=False, headcount=4)

    with pytest.raises(services.KPIReportExists) as refusal:
        make_report(project, member, 2026, 3, submit=False, headcount=9)

    assert str(refusal.value) == "A report for 2026 Q3 exists already."
    assert [(r.year, r.quarter, r.headcount) for r in _reports(project)] == [(2026, 3, 4)]


def test_kpi_report_moved_onto_a_quarter_that_has_one_is_refused(app):
    member = member_of()
    project = make_project(member=member)
    make_report(project, member, 2026, 1)
    draft = make_report(project, member, 2026, 2, submit=False)

    with pytest.raises(services.KPIReportExists, match="^A report for 2026 Q1 exists already.$"):
        services.save_kpi_report(
            project, report=draft, year=2026, quarter=1, fields=kpi_fields(), by=member, now=NOW
        )


def test_kpi_report_same_quarter_of_another_project_is_accepted(app):
    member = member_of()
    project = make_project(member=member)
    other_member = member_of()
    other = make_project(member=other_member)
    make_report(project, member, 2026, 3)

    make_report(other, other_member, 2026, 3)

    assert len(_reports(other)) == 1


def test_kpi_report_duplicate_insert_is_refused_by_the_database(app):
    member = member_of()
    project = make_project(member=member)
    report = make_report(project, member, 2026, 3, submit=False)

    with pytest.raises(IntegrityError):
        db.session.execute(
            text(
                "INSERT INTO kpi_reports (project_id, year, quarter, funding_raised_cents,"
                " headcount, patents_filed, regulatory_milestones, clinical_trial_status,"
                " status, updated_at)"
                " SELECT project_id, year, quarter, funding_raised_cents, headcount,"
                " patents_filed, regulatory_milestones, clinical_trial_status, status,"
                " updated_at FROM kpi_reports WHERE id = :id"
            ),
            {"id": report.id},
        )
    db.session.rollback()
    assert len(_reports(project)) == 1


def test_kpi_report_duplicate_from_the_page_shows_the_message_next_to_the_quarter(client):
    member = member_of()
    project = make_project(member=member)
    make_report(project, member, 2025, 2, submit=False)
    sign_in(client, member)

    response = post_form(client, f"/projects/{project.id}/reports/new", _report_form())

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_errors(page, "quarter") == ["A report for 2025 Q2 exists already."]
    assert len(_reports(project)) == 1


# --- locked after submission ----------------------------------------------------------------


def test_kpi_report_submitted_is_locked_for_the_service(app):
    member = member_of()
    project = make_project(member=member)
    report = make_report(project, member, 2026, 2, headcount=5)

    with pytest.raises(services.KPIReportLocked) as refusal:
        services.save_kpi_report(
            project,
            report=report,
            year=2026,
            quarter=2,
            fields=kpi_fields(headcount=50),
            by=member,
            now=NOW,
        )

    assert str(refusal.value) == "The report for 2026 Q2 is submitted and can no longer change."
    db.session.expire_all()
    assert (report.headcount, report.status) == (5, ReportStatus.SUBMITTED)


def test_kpi_report_submitted_is_locked_by_the_database_trigger(app):
    member = member_of()
    project = make_project(member=member)
    report = make_report(project, member, 2026, 2, headcount=5)

    with pytest.raises(DBAPIError, match="submitted KPI reports are locked"):
        db.session.execute(
            text("UPDATE kpi_reports SET headcount = 50 WHERE id = :id"), {"id": report.id}
        )
    db.session.rollback()

    assert db.session.scalar(select(KPIReport.headcount).where(KPIReport.id == report.id)) == 5


def test_kpi_report_draft_can_still_be_updated_in_the_database(app):
    member = member_of()
    project = make_project(member=member)
    report = make_report(project, member, 2026, 2, submit=False, headcount=5)

    db.session.execute(
        text("UPDATE kpi_reports SET headcount = 6 WHERE id = :id"), {"id": report.id}
    )
    db.session.commit()

    assert db.session.scalar(select(KPIReport.headcount).where(KPIReport.id == report.id)) == 6


def test_kpi_report_draft_then_submitted_records_who_and_when(app):
    member = member_of()
    project = make_project(member=member)
    draft = make_report(project, member, 2026, 2, submit=False, funding_raised_cents=100)

    report = services.save_kpi_report(
        project,
        report=draft,
        year=2026,
        quarter=2,
        fields=kpi_fields(funding_raised_cents=250_000_00, clinical_trial_status="cta_submitted"),
        submit=True,
        by=member,
        now=NOW,
    )

    assert (report.status, report.submitted_at, report.submitted_by_id) == (
        ReportStatus.SUBMITTED,
        NOW,
        member.id,
    )
    assert (report.funding_raised_cents, report.clinical_trial_status) == (
        250_000_00,
        ClinicalTrialStatus.CTA_SUBMITTED,
    )
    query = select(AuditEntry.action, AuditEntry.details).where(
        AuditEntry.object_type == "project", AuditEntry.object_id == project.id
    )
    assert db.session.execute(query.order_by(AuditEntry.id)).all() == [
        ("kpi_report.saved", {"report_id": report.id, "quarter": "2026 Q2"}),
        ("kpi_report.submitted", {"report_id": report.id, "quarter": "2026 Q2"}),
    ]


def test_kpi_report_submitted_page_redirects_with_a_message_instead_of_a_form(client):
    member = member_of()
    project = make_project(member=member)
    report = make_report(project, member, 2025, 1)
    sign_in(client, member)

    response = client.get(f"/projects/{project.id}/reports/{report.id}/edit")

    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session["_flashes"] == [("error", "The report for 2025 Q1 is submitted and locked.")]


def test_kpi_report_submitted_from_the_page_is_locked(client):
    member = member_of()
    project = make_project(member=member)
    sign_in(client, member)

    response = post_form(
        client,
        f"/projects/{project.id}/reports/new",
        _report_form(save=None, submit_report="Submit report"),
    )

    assert response.status_code == 302
    (report,) = _reports(project)
    assert (report.label, report.status, report.funding_raised_cents, report.headcount) == (
        "2025 Q2",
        ReportStatus.SUBMITTED,
        150_000_00,
        6,
    )
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"/projects/{project.id}/reports/{report.id}/edit" not in page


def test_kpi_report_draft_edited_from_the_page_keeps_its_changes(client):
    member = member_of()
    project = make_project(member=member)
    draft = make_report(project, member, 2025, 2, submit=False, headcount=2)
    sign_in(client, member)
    url = f"/projects/{project.id}/reports/{draft.id}/edit"
    assert 'value="2"' in client.get(url).get_data(as_text=True)

    response = post_form(client, url, _report_form(headcount="8"))

    assert response.status_code == 302
    db.session.expire_all()
    assert (draft.headcount, draft.status) == (8, ReportStatus.DRAFT)


# --- quarter and values -----------------------------------------------------------------------


def test_kpi_report_for_a_future_quarter_is_refused(app):
    member = member_of()
    project = make_project(member=member)

    with pytest.raises(services.QuarterInFuture) as refusal:
        make_report(project, member, 2026, 4)

    assert str(refusal.value) == "2026 Q4 has not begun yet: report on a quarter that has started."
    assert db.session.scalar(select(func.count(KPIReport.id))) == 0


def test_kpi_report_for_the_current_quarter_is_accepted(app):
    member = member_of()
    project = make_project(member=member)

    report = make_report(project, member, 2026, 3)

    assert report.label == "2026 Q3"


def test_kpi_report_negative_value_is_refused_by_the_service(app):
    member = member_of()
    project = make_project(member=member)

    with pytest.raises(services.NegativeKPI):
        make_report(project, member, 2026, 3, patents_filed=-1)


def test_kpi_report_quarter_five_is_refused_by_the_service(app):
    member = member_of()
    project = make_project(member=member)

    with pytest.raises(services.QuarterOutOfRange, match="^The quarter is 1, 2, 3 or 4.$"):
        make_report(project, member, 2026, 5)
