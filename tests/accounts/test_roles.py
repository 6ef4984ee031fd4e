"""Roles: only programme managers change them, every change is audited, and a manager keeps
their own manager role."""

import re

import pytest

from accelerator.accounts import services
from accelerator.accounts.enums import Role
from accelerator.accounts.passwords import password_matches
from accelerator.core.errors import NotAllowed
from tests.accounts.conftest import NOW, audit_trail, field_errors, flashes
from tests.conftest import post_form, sign_in
from tests.factories import PASSWORD, make_user

OTHER_ROLES = [Role.APPLICANT, Role.REVIEWER, Role.MENTOR, Role.LAB_MANAGER]
OWN_MANAGER_ROLE = "You cannot remove your own programme manager role."


def role_changes() -> list[tuple]:
    return [
        (entry.action, entry.actor_id, entry.object_type, entry.object_id, entry.details)
        for entry in audit_trail()
        if entry.action.startswith("role.")
    ]


# --- through the services ------------------------------------------------------------------


def test_set_roles_grants_and_revokes_with_an_audit_entry_each():
    manager = make_user(Role.PROGRAMME_MANAGER)
    person = make_user(Role.APPLICANT, Role.MENTOR)

    services.set_roles(person, {Role.REVIEWER, Role.MENTOR}, by=manager, now=NOW)

    assert person.roles == {Role.REVIEWER, Role.MENTOR}
    assert role_changes() == [
        ("role.granted", manager.id, "user", person.id, {"role": "reviewer"}),
        ("role.revoked", manager.id, "user", person.id, {"role": "applicant"}),
    ]
    assert {entry.created_at for entry in audit_trail()} == {NOW}


def test_set_roles_writes_nothing_when_the_roles_are_unchanged():
    manager = make_user(Role.PROGRAMME_MANAGER)
    person = make_user(Role.APPLICANT)

    services.set_roles(person, {Role.APPLICANT}, by=manager, now=NOW)

    assert person.roles == {Role.APPLICANT}
    assert role_changes() == []


def test_set_roles_lets_a_manager_change_their_own_other_roles():
    manager = make_user(Role.PROGRAMME_MANAGER)

    services.set_roles(manager, {Role.PROGRAMME_MANAGER, Role.REVIEWER}, by=manager, now=NOW)

    assert manager.roles == {Role.PROGRAMME_MANAGER, Role.REVIEWER}
    assert role_changes() == [
        ("role.granted", manager.id, "user", manager.id, {"role": "reviewer"}),
    ]


def test_set_roles_lets_a_manager_revoke_another_managers_role():
    manager = make_user(Role.PROGRAMME_MANAGER)
    colleague = make_user(Role.PROGRAMME_MANAGER)

    services.set_roles(colleague, {Role.REVIEWER}, by=manager, now=NOW)

    assert colleague.roles == {Role.REVIEWER}


def test_set_roles_refuses_to_remove_the_managers_own_manager_role():
    manager = make_user(Role.PROGRAMME_MANAGER)

    with pytest.raises(services.OwnManagerRoleKept) as refusal:
        services.set_roles(manager, {Role.REVIEWER}, by=manager, now=NOW)

    assert str(refusal.value) == OWN_MANAGER_ROLE
    assert manager.roles == {Role.PROGRAMME_MANAGER}
    assert role_changes() == []


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_set_roles_by_a_non_manager_is_not_allowed(role):
    actor = make_user(role)
    person = make_user(Role.APPLICANT)

    with pytest.raises(NotAllowed):
        services.set_roles(person, {Role.PROGRAMME_MANAGER}, by=actor, now=NOW)

    assert person.roles == {Role.APPLICANT}
    assert role_changes() == []


def test_set_roles_by_a_non_manager_on_themselves_is_not_allowed():
    applicant = make_user(Role.APPLICANT)

    with pytest.raises(NotAllowed):
        services.set_roles(applicant, {Role.PROGRAMME_MANAGER}, by=applicant, now=NOW)

    assert applicant.roles == {Role.APPLICANT}


def test_grant_role_is_audited():
    manager = make_user(Role.PROGRAMME_MANAGER)
    person = make_user(Role.APPLICANT)

    services.grant_role(person, Role.LAB_MANAGER, by=manager, now=NOW)

    assert person.roles == {Role.APPLICANT, Role.LAB_MANAGER}
    assert role_changes() == [
        ("role.granted", manager.id, "user", person.id, {"role": "lab_manager"}),
    ]


def test_revoke_role_is_audited():
    manager = make_user(Role.PROGRAMME_MANAGER)
    person = make_user(Role.APPLICANT, Role.REVIEWER)

    services.revoke_role(person, Role.REVIEWER, by=manager, now=NOW)

    assert person.roles == {Role.APPLICANT}
    assert role_changes() == [
        ("role.revoked", manager.id, "user", person.id, {"role": "reviewer"}),
    ]


def test_grant_role_by_a_non_manager_is_not_allowed():
    reviewer = make_user(Role.REVIEWER)

    with pytest.raises(NotAllowed):
        services.grant_role(reviewer, Role.PROGRAMME_MANAGER, by=reviewer, now=NOW)

    assert reviewer.roles == {Role.REVIEWER}


def test_revoke_role_refuses_the_managers_own_manager_role():
    manager = make_user(Role.PROGRAMME_MANAGER)

    with pytest.raises(NotAllowed):
        services.revoke_role(manager, Role.PROGRAMME_MANAGER, by=manager, now=NOW)

    assert manager.roles == {Role.PROGRAMME_MANAGER}


def test_create_admin_makes_a_confirmed_manager_audited_without_an_actor():
    admin = services.create_admin("Boss@Example.org", name="Boss", password=PASSWORD, now=NOW)

    assert (admin.email, admin.roles, admin.email_confirmed_at) == (
        "boss@example.org",
        {Role.PROGRAMME_MANAGER},
        NOW,
    )
    assert password_matches(admin.password_hash, PASSWORD)
    assert role_changes() == [
        (
            "role.granted",
            None,
            "user",
            admin.id,
            {"role": "programme_manager", "via": "create-admin"},
        )
    ]


def test_create_admin_adds_the_manager_role_to_an_existing_account():
    person = make_user(Role.REVIEWER, email="rev@example.org")

    admin = services.create_admin("rev@example.org", name="ignored", password="", now=NOW)

    assert admin.id == person.id
    assert person.roles == {Role.REVIEWER, Role.PROGRAMME_MANAGER}


def test_create_admin_refuses_a_short_password_for_a_new_account():
    with pytest.raises(services.PasswordTooShort):
        services.create_admin("boss@example.org", name="Boss", password="short", now=NOW)

    assert services.find_user_by_email("boss@example.org") is None


# --- through /users/<id> ---------------------------------------------------------------------


def test_roles_page_change_by_a_manager_is_saved_and_audited(client):
    manager = make_user(Role.PROGRAMME_MANAGER)
    person = make_user(Role.APPLICANT, name="Ana Puig")
    sign_in(client, manager)

    response = post_form(client, f"/users/{person.id}", {"roles": ["reviewer", "mentor"]})

    assert (response.status_code, response.location) == (302, f"/users/{person.id}")
    assert flashes(client) == [("success", "Roles of Ana Puig are saved.")]
    assert person.roles == {Role.REVIEWER, Role.MENTOR}
    assert role_changes() == [
        ("role.granted", manager.id, "user", person.id, {"role": "mentor"}),
        ("role.granted", manager.id, "user", person.id, {"role": "reviewer"}),
        ("role.revoked", manager.id, "user", person.id, {"role": "applicant"}),
    ]


def test_roles_page_shows_the_current_roles_checked(client):
    manager = make_user(Role.PROGRAMME_MANAGER)
    person = make_user(Role.APPLICANT, Role.MENTOR)
    sign_in(client, manager)

    page = client.get(f"/users/{person.id}").get_data(as_text=True)

    checked = re.findall(r'<input checked [^>]*name="roles" type="checkbox" value="(\w+)"', page)
    assert checked == ["applicant", "mentor"]


def test_roles_page_refuses_removing_the_managers_own_manager_role(client):
    manager = make_user(Role.PROGRAMME_MANAGER)
    sign_in(client, manager)

    response = post_form(client, f"/users/{manager.id}", {"roles": ["reviewer"]})

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "roles") == [OWN_MANAGER_ROLE]
    assert manager.roles == {Role.PROGRAMME_MANAGER}
    assert role_changes() == []


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_roles_page_is_forbidden_to_a_non_manager(client, role):
    actor = make_user(role)
    person = make_user(Role.APPLICANT)
    page_of_someone_else = f"/users/{person.id}"
    sign_in(client, actor)

    get = client.get(page_of_someone_else)
    post = post_form(
        client, page_of_someone_else, {"roles": ["programme_manager"]}, page="/profile"
    )

    assert (get.status_code, post.status_code) == (403, 403)
    assert person.roles == {Role.APPLICANT}
    assert role_changes() == []


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_roles_page_is_forbidden_to_a_non_manager_on_themselves(client, role):
    actor = make_user(role)
    sign_in(client, actor)

    response = post_form(
        client, f"/users/{actor.id}", {"roles": ["programme_manager"]}, page="/profile"
    )

    assert response.status_code == 403
    assert actor.roles == {role}


def test_roles_page_sends_an_anonymous_visitor_to_sign_in(client):
    person = make_user()

    response = client.get(f"/users/{person.id}")

    assert (response.status_code, response.location) == (302, f"/login?next=%2Fusers%2F{person.id}")


def test_users_link_is_shown_to_managers_only(client):
    manager = make_user(Role.PROGRAMME_MANAGER)
    reviewer = make_user(Role.REVIEWER, Role.MENTOR, Role.LAB_MANAGER, Role.APPLICANT)

    sign_in(client, reviewer)
    reviewer_page = client.get("/dashboard").get_data(as_text=True)
    sign_in(client, manager)
    manager_page = client.get("/dashboard").get_data(as_text=True)

    assert 'href="/users"' not in reviewer_page
    assert 'href="/users"' in manager_page
