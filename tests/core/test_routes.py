"""Every registered route, for every role and anonymous, answers as this table says.

A new route without a row here fails `test_route_table_covers_every_registered_rule`.
"""

import re

import pytest

from accelerator.accounts.enums import Role
from tests.conftest import post_form, sign_in
from tests.factories import make_organisation, make_user

ROLES = (
    "anonymous",
    "applicant",  # a member of the organisation in the URL
    "other_applicant",  # an applicant of no organisation
    "reviewer",
    "mentor",
    "lab_manager",
    "programme_manager",
)
ROLE_OF = {
    "applicant": Role.APPLICANT,
    "other_applicant": Role.APPLICANT,
    "reviewer": Role.REVIEWER,
    "mentor": Role.MENTOR,
    "lab_manager": Role.LAB_MANAGER,
    "programme_manager": Role.PROGRAMME_MANAGER,
}

# rule: status for (anonymous, applicant, other_applicant, reviewer, mentor, lab_manager,
# programme_manager). URLs use an existing organisation and user, and a junk token.
EXPECTED = {
    "/": (200, 200, 200, 200, 200, 200, 200),
    "/healthz": (200, 200, 200, 200, 200, 200, 200),
    "/dashboard": (302, 200, 200, 200, 200, 200, 200),
    "/audit": (302, 403, 403, 403, 403, 403, 200),
    "/register": (200, 302, 302, 302, 302, 302, 302),
    "/confirm": (200, 200, 200, 200, 200, 200, 200),
    "/confirm/<token>": (302, 302, 302, 302, 302, 302, 302),
    "/login": (200, 302, 302, 302, 302, 302, 302),
    "/logout": (302, 302, 302, 302, 302, 302, 302),
    "/password/forgot": (200, 200, 200, 200, 200, 200, 200),
    "/password/reset/<token>": (302, 302, 302, 302, 302, 302, 302),
    "/profile": (302, 200, 200, 200, 200, 200, 200),
    "/users": (302, 403, 403, 403, 403, 403, 200),
    "/users/<int:user_id>": (302, 403, 403, 403, 403, 403, 200),
    # Only people without an organisation may create one.
    "/organisations/new": (302, 403, 200, 200, 200, 200, 200),
    "/organisations/<int:organisation_id>": (302, 200, 403, 403, 403, 403, 200),
    "/organisations/<int:organisation_id>/edit": (302, 200, 403, 403, 403, 403, 200),
    # Only members invite; the table posts a valid invitation.
    "/organisations/<int:organisation_id>/invitations": (302, 302, 403, 403, 403, 403, 403),
    "/organisations/join/<token>": (302, 302, 302, 302, 302, 302, 302),
}

# The same rules with an id that does not exist: a 404 only once the policy would allow it.
EXPECTED_FOR_MISSING_OBJECT = {
    "/users/<int:user_id>": (302, 403, 403, 403, 403, 403, 404),
    "/organisations/<int:organisation_id>": (302, 404, 404, 404, 404, 404, 404),
    "/organisations/<int:organisation_id>/edit": (302, 404, 404, 404, 404, 404, 404),
    "/organisations/<int:organisation_id>/invitations": (302, 404, 404, 404, 404, 404, 404),
}

# What a POST-only route receives; GET-able routes are fetched with GET.
POSTED = {
    "/logout": {},
    "/organisations/<int:organisation_id>/invitations": {"email": "colleague@example.org"},
}

MISSING_ID = 999_999
JUNK_TOKEN = "not-a-real-token"
PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _url(rule: str, ids: dict[str, int]) -> str:
    def value(match: re.Match) -> str:
        converter, name = match.groups()
        return str(ids[name]) if converter == "int" else JUNK_TOKEN

    return PLACEHOLDER.sub(value, rule)


def _status(app, rule, url: str, user) -> int:
    client = app.test_client()
    if user is not None:
        sign_in(client, user)
    if "GET" in rule.methods:
        return client.get(url).status_code
    # /confirm has a form for everyone, so its page gives the CSRF token.
    return post_form(client, url, POSTED[rule.rule], page="/confirm").status_code


def _statuses(app, ids: dict[str, int], user, only=None) -> dict[str, int]:
    return {
        rule.rule: _status(app, rule, _url(rule.rule, ids), user)
        for rule in _rules(app)
        if only is None or rule.rule in only
    }


def _user_for(role: str, organisation):
    if role == "anonymous":
        return None
    member = role == "applicant"
    return make_user(ROLE_OF[role], organisation=organisation if member else None)


def test_route_table_covers_every_registered_rule(app):
    rules = {rule.rule for rule in _rules(app)}

    assert set(EXPECTED) == rules
    assert set(POSTED) == {rule.rule for rule in _rules(app) if "GET" not in rule.methods}
    assert set(EXPECTED_FOR_MISSING_OBJECT) == {rule for rule in rules if "<int:" in rule}


@pytest.mark.parametrize("role", ROLES)
def test_route_answers_each_role_as_the_table_says(app, role):
    organisation = make_organisation()
    target = make_user(Role.APPLICANT, organisation=organisation)
    user = _user_for(role, organisation)
    ids = {"organisation_id": organisation.id, "user_id": target.id}

    actual = _statuses(app, ids, user)

    column = ROLES.index(role)
    assert actual == {rule: statuses[column] for rule, statuses in EXPECTED.items()}


@pytest.mark.parametrize("role", ROLES)
def test_route_with_missing_object_answers_each_role_as_the_table_says(app, role):
    organisation = make_organisation()
    user = _user_for(role, organisation)
    ids = {"organisation_id": MISSING_ID, "user_id": MISSING_ID}
    actual = _statuses(app, ids, user, only=EXPECTED_FOR_MISSING_OBJECT)

    column = ROLES.index(role)
    assert actual == {
        rule: statuses[column] for rule, statuses in EXPECTED_FOR_MISSING_OBJECT.items()
    }
