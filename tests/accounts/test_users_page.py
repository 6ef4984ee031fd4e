"""The managers' users page: search by name or email, pages of 25, a fixed number of queries."""

import re

import pytest

from accelerator.accounts.enums import Role
from tests.conftest import sign_in
from tests.factories import make_organisation, make_user


def listed_names(page: str) -> list[str]:
    return re.findall(r'<td><a href="/users/\d+">([^<]*)</a></td>', page)


@pytest.fixture
def manager_client(client):
    sign_in(
        client, make_user(Role.PROGRAMME_MANAGER, name="Zoe Director", email="boss@example.org")
    )
    return client


@pytest.fixture
def three_people():
    make_user(name="Ana Puig", email="ana.puig@example.org")
    make_user(name="Bernat Soler", email="bsoler@hospital.example.org")
    make_user(name="Carla Anaya", email="carla@example.org")


def test_users_page_lists_everyone_by_name(manager_client, three_people):
    page = manager_client.get("/users").get_data(as_text=True)

    assert listed_names(page) == ["Ana Puig", "Bernat Soler", "Carla Anaya", "Zoe Director"]
    assert "<caption>4 users</caption>" in page


@pytest.mark.parametrize(
    ("term", "names"),
    [
        ("ana", ["Ana Puig", "Carla Anaya"]),
        ("PUIG", ["Ana Puig"]),
        ("  soler ", ["Bernat Soler"]),
        ("hospital.example", ["Bernat Soler"]),
        ("CARLA@", ["Carla Anaya"]),
        ("nobody", []),
    ],
    ids=["name-part", "name-other-case", "name-with-spaces", "email-part", "email-case", "none"],
)
def test_users_page_search_matches_name_or_email(manager_client, three_people, term, names):
    page = manager_client.get("/users", query_string={"q": term}).get_data(as_text=True)

    assert listed_names(page) == names
    assert f"<caption>{len(names)} users</caption>" in page


def test_users_page_search_without_matches_says_so(manager_client, three_people):
    page = manager_client.get("/users?q=nobody").get_data(as_text=True)

    assert "No user matches this search." in page


@pytest.mark.parametrize("term", ["%", "_", "a_a"])
def test_users_page_search_treats_wildcards_literally(manager_client, three_people, term):
    page = manager_client.get("/users", query_string={"q": term}).get_data(as_text=True)

    assert listed_names(page) == []


def test_users_page_shows_25_per_page_with_a_link_to_the_next(manager_client):
    for number in range(30):
        make_user(name=f"Person {number:02d}")

    first = manager_client.get("/users").get_data(as_text=True)
    second = manager_client.get("/users?page=2").get_data(as_text=True)

    assert listed_names(first) == [f"Person {number:02d}" for number in range(25)]
    assert listed_names(second) == [f"Person {number:02d}" for number in range(25, 30)] + [
        "Zoe Director"
    ]
    assert "Page 1 of 2" in first
    assert 'href="/users?page=2"' in first
    assert 'href="/users?page=1"' in second


def test_users_page_keeps_the_search_in_the_page_links(manager_client):
    for number in range(27):
        make_user(name=f"Person {number:02d}")

    page = manager_client.get("/users?q=person").get_data(as_text=True)

    assert 'href="/users?q=person&amp;page=2"' in page
    assert len(listed_names(page)) == 25


@pytest.mark.parametrize("number", ["abc", "-1", "99"])
def test_users_page_out_of_range_page_is_not_an_error(manager_client, number):
    response = manager_client.get(f"/users?page={number}")

    assert response.status_code == 200


@pytest.mark.parametrize("people", [3, 30])
def test_users_page_query_count_does_not_grow_with_users(manager_client, count_queries, people):
    organisation = make_organisation()
    for number in range(people):
        make_user(
            Role.APPLICANT,
            Role.REVIEWER,
            organisation=organisation if number % 2 else None,
            confirmed=bool(number % 3),
        )

    with count_queries() as statements:
        response = manager_client.get("/users")

    # The signed-in manager and their roles, the page of users and their roles, the total.
    assert response.status_code == 200
    assert len(statements) == 5


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.MENTOR, Role.LAB_MANAGER])
def test_users_page_is_forbidden_to_a_non_manager(client, role):
    make_user(name="Hidden Person")
    sign_in(client, make_user(role))

    response = client.get("/users")

    assert response.status_code == 403
    assert "Hidden Person" not in response.get_data(as_text=True)


def test_users_page_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/users")

    assert (response.status_code, response.location) == (302, "/login?next=%2Fusers")
