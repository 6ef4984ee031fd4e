"""Only a project's members and programme managers see its space; only active members change it."""

from io import BytesIO

import pytest

from accelerator.accounts.enums import Role
from accelerator.cohorts import services
from accelerator.cohorts.enums import ProjectStatus
from accelerator.core.clock import utcnow
from accelerator.core.errors import NotAllowed
from accelerator.extensions import db
from tests.cohorts.conftest import (
    FAR_AHEAD,
    make_milestone,
    make_project,
    make_report,
    member_of,
)
from tests.conftest import post_form, sign_in
from tests.factories import PDF_BYTES, make_user


def _space(member):
    """A project with a milestone (and its evidence PDF) and a draft report: every URL of it."""
    project = make_project(member=member, title="CAR-T for glioblastoma")
    milestone = make_milestone(
        project,
        member,
        due=FAR_AHEAD,
        evidence=services.EvidencePdf("evidence.pdf", PDF_BYTES),
    )
    report = make_report(project, member, 2025, 1, submit=False)
    base = f"/projects/{project.id}"
    urls = [
        base,
        f"{base}/trl",
        f"{base}/milestones/new",
        f"{base}/milestones/{milestone.id}/edit",
        f"{base}/milestones/{milestone.id}/evidence",
        f"{base}/reports/new",
        f"{base}/reports/{report.id}/edit",
    ]
    return project, urls


def _status(client, url: str) -> int:
    response = client.get(url)
    response.close()  # a downloaded file stays open until its response is closed
    return response.status_code


def test_project_space_of_another_organisation_is_404_on_every_url(client):
    project, urls = _space(member_of())
    rival = member_of()
    make_project(member=rival)  # the rival has a project of their own
    sign_in(client, rival)

    statuses = {url: _status(client, url) for url in urls}

    assert statuses == dict.fromkeys(urls, 404)


def test_project_space_of_another_organisation_refuses_posts_with_404(client):
    project, urls = _space(member_of())
    rival = member_of()
    sign_in(client, rival)

    response = post_form(client, f"/projects/{project.id}/trl", {"trl": "7"}, page="/confirm")

    assert response.status_code == 404
    db.session.expire_all()
    assert project.current_trl == 4


def test_project_list_shows_only_the_organisations_projects(client):
    member = member_of()
    mine = make_project(member=member, title="Allogeneic MSC for GvHD")
    theirs = make_project(member=member_of(), title="Gene therapy for haemophilia B")
    sign_in(client, member)

    page = client.get("/projects").get_data(as_text=True)

    assert f'href="/projects/{mine.id}"' in page
    assert f'href="/projects/{theirs.id}"' not in page
    assert "Gene therapy for haemophilia B" not in page


def test_project_space_members_see_every_url(client):
    member = member_of()
    project, urls = _space(member)
    colleague = make_user(organisation=project.organisation)
    sign_in(client, colleague)

    statuses = {url: _status(client, url) for url in urls}

    assert statuses == dict.fromkeys(urls, 200)


def test_project_space_managers_read_but_do_not_change(client):
    project, urls = _space(member_of())
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    statuses = {url: _status(client, url) for url in urls}

    readable = {urls[0], urls[4]}  # the overview and the evidence PDF
    assert statuses == {url: 200 if url in readable else 403 for url in urls}
    page = client.get(urls[0]).get_data(as_text=True)
    assert f'href="{urls[1]}"' not in page  # no "Change TRL" button


def test_project_space_of_a_withdrawn_project_is_read_only(client):
    member = member_of()
    project, urls = _space(member)
    project.status = ProjectStatus.WITHDRAWN
    db.session.commit()
    sign_in(client, member)

    statuses = {url: _status(client, url) for url in urls}

    assert statuses == {url: 200 if url in (urls[0], urls[4]) else 403 for url in urls}
    with pytest.raises(NotAllowed):
        services.update_trl(project, trl=5, by=member, now=utcnow())


def test_project_services_refuse_other_organisations(app):
    project = make_project(member=member_of())
    rival = member_of()

    with pytest.raises(NotAllowed):
        services.update_trl(project, trl=6, by=rival, now=utcnow())
    with pytest.raises(NotAllowed):
        make_report(project, rival, 2025, 1)
    with pytest.raises(NotAllowed):
        make_milestone(project, rival, due=FAR_AHEAD)


def test_project_evidence_upload_by_a_rival_is_404_and_stores_nothing(client):
    project, _urls = _space(member_of())
    sign_in(client, member_of())

    response = post_form(
        client,
        f"/projects/{project.id}/milestones/new",
        {
            "title": "Smuggled",
            "due_date": "2030-01-01",
            "status": "planned",
            "evidence": (BytesIO(PDF_BYTES), "smuggled.pdf"),
        },
        page="/confirm",
    )

    assert response.status_code == 404


def test_navigation_shows_projects_to_members_and_cohorts_to_managers(client):
    member = member_of()
    make_project(member=member)
    sign_in(client, member)
    member_page = client.get("/dashboard").get_data(as_text=True)
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    manager_page = client.get("/dashboard").get_data(as_text=True)

    assert 'href="/projects"' in member_page
    assert "Open the project space" in member_page
    assert 'href="/manage/cohorts"' not in member_page
    assert 'href="/manage/cohorts"' in manager_page
    assert "Open the project space" not in manager_page


def test_dashboard_card_is_hidden_from_members_without_a_project(client):
    sign_in(client, member_of())

    page = client.get("/dashboard").get_data(as_text=True)

    assert 'href="/projects"' in page  # the navigation link: the organisation may get one
    assert "Open the project space" not in page
