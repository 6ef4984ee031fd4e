"""The mentor directory: who may read it and its filters."""

import re

import pytest

from accelerator.accounts.enums import Role
from accelerator.accounts.models import RoleGrant
from accelerator.extensions import db
from tests.cohorts.conftest import make_project, member_of
from tests.conftest import sign_in
from tests.factories import make_organisation, make_user
from tests.mentoring.conftest import make_mentor


def listed(response) -> list[str]:
    """The names of the mentors on the page, in order."""
    return re.findall(r'<h2 class="h5 card-title">([^<]+?)\s*(?:<span|</h2>)', response.text)


@pytest.fixture
def project_member(app):
    member = member_of()
    make_project(member=member)
    return member


@pytest.fixture
def mentors(app):
    return [
        make_mentor(name="Ana Regulatory", languages=["es", "en"], tags=["topic:regulatory"]),
        make_mentor(
            name="Bernat Manufacturing",
            languages=["ca"],
            tags=["topic:cmc_gmp", "class:gene_therapy"],
        ),
        make_mentor(
            name="Clara Both",
            languages=["en"],
            tags=["topic:regulatory", "class:gene_therapy"],
        ),
    ]


def test_directory_is_readable_by_a_member_of_an_organisation_with_a_project(
    client, project_member, mentors
):
    sign_in(client, project_member)

    response = client.get("/mentoring/mentors")

    assert response.status_code == 200
    assert listed(response) == ["Ana Regulatory", "Bernat Manufacturing", "Clara Both"]


def test_directory_is_readable_by_a_programme_manager(client, mentors):
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    response = client.get("/mentoring/mentors")

    assert response.status_code == 200
    assert len(listed(response)) == 3


def test_directory_is_refused_to_a_member_of_an_organisation_without_project(
    client, project_member, mentors
):
    sign_in(client, make_user(organisation=make_organisation()))

    response = client.get("/mentoring/mentors")

    assert response.status_code == 403
    assert "Ana Regulatory" not in response.text


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.MENTOR, Role.REVIEWER, Role.LAB_MANAGER])
def test_directory_is_refused_to_people_without_a_project(client, project_member, mentors, role):
    sign_in(client, make_user(role))

    assert client.get("/mentoring/mentors").status_code == 403


def test_directory_sends_anonymous_visitors_to_sign_in(client):
    assert client.get("/mentoring/mentors").status_code == 302


def test_project_page_links_to_the_directory(client, app):
    member = member_of()
    project = make_project(member=member)
    sign_in(client, member)

    assert 'href="/mentoring/mentors"' in client.get(f"/projects/{project.id}").text


def test_navigation_hides_the_directory_from_members_without_project(client):
    sign_in(client, make_user(organisation=make_organisation()))

    assert 'href="/mentoring/mentors"' not in client.get("/dashboard").text


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("expertise=topic:regulatory", ["Ana Regulatory", "Clara Both"]),
        ("expertise=topic:cmc_gmp", ["Bernat Manufacturing"]),
        ("language=en", ["Ana Regulatory", "Clara Both"]),
        ("language=ca", ["Bernat Manufacturing"]),
        ("atmp_class=class:gene_therapy", ["Bernat Manufacturing", "Clara Both"]),
        ("expertise=topic:regulatory&atmp_class=class:gene_therapy", ["Clara Both"]),
        ("expertise=topic:regulatory&language=ca", []),
        (
            "expertise=&language=&atmp_class=",
            ["Ana Regulatory", "Bernat Manufacturing", "Clara Both"],
        ),
    ],
)
def test_directory_filters_narrow_the_list(client, project_member, mentors, query, names):
    sign_in(client, project_member)

    response = client.get(f"/mentoring/mentors?{query}")

    assert response.status_code == 200
    assert listed(response) == names


def test_directory_with_unknown_filter_value_shows_a_message_and_nobody(
    client, project_member, mentors
):
    sign_in(client, project_member)

    response = client.get("/mentoring/mentors?language=fr")

    assert response.status_code == 200
    assert listed(response) == []
    assert "Not a valid choice." in response.text


def test_directory_leaves_out_a_profile_whose_mentor_role_was_revoked(
    client, project_member, mentors
):
    ana = mentors[0].user
    ana.role_grants = [grant for grant in ana.role_grants if grant.role != Role.MENTOR]
    ana.role_grants.append(RoleGrant(role=Role.APPLICANT, granted_at=mentors[0].updated_at))
    db.session.commit()
    sign_in(client, project_member)

    assert listed(client.get("/mentoring/mentors")) == ["Bernat Manufacturing", "Clara Both"]


@pytest.mark.parametrize("number", [1, 3])
def test_directory_runs_the_same_queries_for_1_and_3_mentors(
    client, project_member, count_queries, number
):
    for index in range(number):
        make_mentor(name=f"Mentor {index}", languages=["en", "es"], tags=["topic:ip"])
    sign_in(client, project_member)

    with count_queries() as statements:
        response = client.get("/mentoring/mentors")

    assert len(listed(response)) == number
    assert len(statements) == 7  # user, project check, mentors, languages, expertise, roles…
