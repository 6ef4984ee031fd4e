"""Milestones: status, overdue and at-risk flags, and evidence PDFs checked by content."""

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.applications.attachments import NotAPdf
from accelerator.cohorts import services
from accelerator.cohorts.enums import MilestoneStatus
from accelerator.cohorts.models import Milestone
from accelerator.extensions import db
from tests.cohorts.conftest import (
    FAR_AHEAD,
    LONG_AGO,
    NOW,
    PNG_BYTES,
    field_errors,
    make_milestone,
    make_project,
    member_of,
)
from tests.conftest import post_form, sign_in
from tests.factories import PDF_BYTES, make_user


def _milestone_rows(page: str) -> list[str]:
    """Each milestone row's text, tags removed."""
    table = re.search(r"<caption>Milestones by due date</caption>(.*?)</table>", page, re.S)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def _form(**values) -> dict:
    return {
        "title": "GMP process transfer to CDMO",
        "due_date": "2030-06-30",
        "status": "on_track",
        "evidence_note": "",
        **values,
    }


@pytest.mark.parametrize(
    ("uploaded", "stored"),
    [("evidence", "evidence.pdf"), ("EVIDENCE.PDF", "EVIDENCE.PDF"), ("run.sh", "run.sh.pdf")],
)
def test_milestone_evidence_file_name_always_ends_in_pdf(client, uploaded, stored):
    member = member_of()
    project = make_project(member=member)
    sign_in(client, member)

    post_form(
        client,
        f"/projects/{project.id}/milestones/new",
        _form(evidence=(BytesIO(PDF_BYTES), uploaded)),
    )

    assert db.session.scalar(select(Milestone.evidence_filename)) == stored


def test_milestone_overdue_and_at_risk_are_flagged_on_the_project_page(client):
    member = member_of()
    project = make_project(member=member)
    make_milestone(project, member, due=LONG_AGO, title="Pre-IND meeting")
    make_milestone(
        project, member, due=FAR_AHEAD, status=MilestoneStatus.AT_RISK, title="Phase I start"
    )
    make_milestone(project, member, due=LONG_AGO, status=MilestoneStatus.DONE, title="Seed round")
    sign_in(client, member)

    page = client.get(f"/projects/{project.id}").get_data(as_text=True)

    assert _milestone_rows(page) == [
        "Pre-IND meeting Jan 15, 2020 Planned Overdue Edit Pre-IND meeting",
        "Seed round Jan 15, 2020 Done Edit Seed round",
        "Phase I start Jun 30, 2099 At risk Edit Phase I start",
    ]


def test_milestone_added_from_the_page_with_evidence_pdf(client):
    member = member_of()
    project = make_project(member=member)
    sign_in(client, member)

    response = post_form(
        client,
        f"/projects/{project.id}/milestones/new",
        _form(status="done", evidence=(BytesIO(PDF_BYTES), "cdmo-contract.pdf")),
    )

    assert response.status_code == 302
    milestone = db.session.scalar(select(Milestone))
    assert (milestone.title, milestone.status, milestone.evidence_filename) == (
        "GMP process transfer to CDMO",
        MilestoneStatus.DONE,
        "cdmo-contract.pdf",
    )
    download = client.get(f"/projects/{project.id}/milestones/{milestone.id}/evidence")
    assert (download.status_code, download.mimetype, download.data) == (
        200,
        "application/pdf",
        PDF_BYTES,
    )
    download.close()


def test_milestone_evidence_png_is_refused_next_to_the_field(client):
    member = member_of()
    project = make_project(member=member)
    sign_in(client, member)

    response = post_form(
        client,
        f"/projects/{project.id}/milestones/new",
        _form(evidence=(BytesIO(PNG_BYTES), "looks-like.pdf")),
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_errors(page, "evidence") == [
        "The file is not a PDF. Please upload a PDF document."
    ]
    assert db.session.scalars(select(Milestone)).all() == []


def test_milestone_evidence_png_is_refused_by_the_service(app):
    member = member_of()
    project = make_project(member=member)

    with pytest.raises(NotAPdf):
        make_milestone(
            project, member, due=FAR_AHEAD, evidence=services.EvidencePdf("x.pdf", PNG_BYTES)
        )


def test_milestone_new_evidence_replaces_the_previous_file(app):
    member = member_of()
    project = make_project(member=member)
    milestone = make_milestone(
        project, member, due=FAR_AHEAD, evidence=services.EvidencePdf("v1.pdf", PDF_BYTES)
    )
    first_path = services.evidence_path(milestone)

    services.update_milestone(
        milestone,
        title=milestone.title,
        due_date=milestone.due_date,
        status=MilestoneStatus.DONE,
        evidence=services.EvidencePdf("v2.pdf", PDF_BYTES + b"%v2"),
        by=member,
        now=NOW,
    )

    assert milestone.evidence_filename == "v2.pdf"
    assert services.evidence_path(milestone).read_bytes() == PDF_BYTES + b"%v2"
    assert not first_path.exists()


def test_milestone_edited_from_the_page_keeps_its_evidence(client):
    member = member_of()
    project = make_project(member=member)
    milestone = make_milestone(
        project, member, due=FAR_AHEAD, evidence=services.EvidencePdf("v1.pdf", PDF_BYTES)
    )
    sign_in(client, member)
    url = f"/projects/{project.id}/milestones/{milestone.id}/edit"
    assert 'value="2099-06-30"' in client.get(url).get_data(as_text=True)

    response = post_form(client, url, _form(status="at_risk", evidence_note="CDMO slot moved"))

    assert response.status_code == 302
    db.session.expire_all()
    assert (milestone.status, milestone.evidence_note, milestone.evidence_filename) == (
        MilestoneStatus.AT_RISK,
        "CDMO slot moved",
        "v1.pdf",
    )


def test_milestone_evidence_is_downloadable_by_managers_but_not_rivals(client):
    member = member_of()
    project = make_project(member=member)
    milestone = make_milestone(
        project, member, due=FAR_AHEAD, evidence=services.EvidencePdf("v1.pdf", PDF_BYTES)
    )
    url = f"/projects/{project.id}/milestones/{milestone.id}/evidence"

    statuses = []
    for user in (make_user(Role.PROGRAMME_MANAGER), member_of(), make_user(Role.REVIEWER)):
        sign_in(client, user)
        response = client.get(url)
        response.close()
        statuses.append(response.status_code)

    assert statuses == [200, 404, 404]


def test_milestone_without_evidence_file_has_no_download(client):
    member = member_of()
    project = make_project(member=member)
    milestone = make_milestone(project, member, due=FAR_AHEAD)
    sign_in(client, member)

    response = client.get(f"/projects/{project.id}/milestones/{milestone.id}/evidence")

    assert response.status_code == 404


def test_milestone_of_another_project_is_404_under_this_projects_url(client):
    member = member_of()
    project = make_project(member=member)
    other_member = member_of()
    other = make_project(member=other_member)
    theirs = make_milestone(other, other_member, due=FAR_AHEAD)
    sign_in(client, member)

    response = client.get(f"/projects/{project.id}/milestones/{theirs.id}/edit")

    assert response.status_code == 404
