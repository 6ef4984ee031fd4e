"""Eligibility screening by a manager once the call has closed: saved, audited, emailed."""

import re

import pytest

from accelerator.accounts.enums import Role
from accelerator.applications import services
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.screening import screen_eligibility
from tests.applications.conftest import (
    CLOSES_AT,
    SECOND,
    all_emails,
    apply_at,
    audit_trail,
    call_at,
    close_call_now,
    field_errors,
    member_of,
    token_of,
)
from tests.conftest import post_form, sign_in
from tests.factories import make_application, make_call, make_organisation, make_user

REASON = "The product is a small molecule, not an ATMP."
TITLE = "AAV gene therapy for retinitis pigmentosa"


@pytest.fixture
def screening(client):
    """A submitted application of a two-member organisation and a signed-in manager."""
    organisation = make_organisation()
    members = [member_of(organisation), member_of(organisation)]
    call = make_call()
    application = make_application(call, member=members[0], submitted=True)
    manager = make_user(Role.PROGRAMME_MANAGER)
    sign_in(client, manager)
    return application, members, manager


def _eligibility_emails():
    return [m for m in all_emails() if m.subject.startswith("Eligibility of ")]


def test_ineligible_verdict_is_saved_audited_and_emailed_to_every_member(client, screening):
    application, members, manager = screening
    close_call_now(application.call)
    url = f"/manage/applications/{application.id}"

    response = post_form(client, url, {"verdict": "ineligible", "reason": f"  {REASON} "})

    assert response.headers["Location"] == url
    assert (application.status, application.eligibility_reason) == (
        ApplicationStatus.INELIGIBLE,
        REASON,
    )
    [entry] = audit_trail("application.eligibility_screened")
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.details) == (
        manager.id,
        "application",
        application.id,
        {"eligible": False, "reason": REASON},
    )
    emails = _eligibility_emails()
    assert sorted(m.recipient for m in emails) == sorted(m.email for m in members)
    for email in emails:
        assert email.subject == f"Eligibility of {TITLE}"
        assert REASON in email.body_text
        assert re.findall(r"https?://\S+", email.body_text) == [
            f"http://127.0.0.1:5000/applications/{application.id}"
        ]


def test_eligible_verdict_needs_no_reason(client, screening):
    application, members, _manager = screening
    close_call_now(application.call)

    post_form(client, f"/manage/applications/{application.id}", {"verdict": "eligible"})

    assert (application.status, application.eligibility_reason) == (
        ApplicationStatus.ELIGIBLE,
        None,
    )
    assert [e.details for e in audit_trail("application.eligibility_screened")] == [
        {"eligible": True, "reason": None}
    ]
    assert len(_eligibility_emails()) == 2


def test_ineligible_verdict_without_a_reason_is_refused_next_to_the_field(client, screening):
    application, _members, _manager = screening
    close_call_now(application.call)

    response = post_form(
        client, f"/manage/applications/{application.id}", {"verdict": "ineligible", "reason": " "}
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_errors(page, "reason") == ["Give the reason the application is ineligible."]
    assert application.status == ApplicationStatus.SUBMITTED
    assert audit_trail("application.eligibility_screened") == []
    assert _eligibility_emails() == []


def test_screening_without_a_verdict_is_refused_next_to_the_field(client, screening):
    application, _members, _manager = screening
    close_call_now(application.call)

    response = post_form(client, f"/manage/applications/{application.id}", {"reason": REASON})

    assert field_errors(response.get_data(as_text=True), "verdict") == [
        "Choose eligible or ineligible."
    ]
    assert application.status == ApplicationStatus.SUBMITTED


def test_screening_while_the_call_is_open_is_refused_over_http(client, screening):
    application, _members, _manager = screening
    url = f"/manage/applications/{application.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Eligibility is screened once the call has closed, on " in page
    assert '<form method="post" novalidate>' not in page
    # The page offers no form yet: the POST is crafted with a token from another page.
    token = token_of(client, "/manage/calls/new")

    response = client.post(url, data={"csrf_token": token, "verdict": "eligible"})

    assert response.status_code == 200
    assert application.status == ApplicationStatus.SUBMITTED
    assert audit_trail("application.eligibility_screened") == []
    assert _eligibility_emails() == []


def test_screening_one_second_before_closing_is_refused(app):
    member = member_of()
    application = apply_at(call_at(), member=member, submit=True)
    manager = make_user(Role.PROGRAMME_MANAGER)

    with pytest.raises(services.StatusDoesNotAllow) as refused:
        screen_eligibility(
            application, eligible=True, reason="", by=manager, now=CLOSES_AT - SECOND
        )

    assert str(refused.value) == (
        "Eligibility is screened once the call has closed, on Mar 5, 2030, 11:00:00\u202fAM"
        " (Madrid time): until then the applicants may still change the application."
    )
    assert application.status == ApplicationStatus.SUBMITTED
    assert audit_trail("application.eligibility_screened") == []


def test_screening_at_closing_is_accepted(app):
    member = member_of()
    application = apply_at(call_at(), member=member, submit=True)
    manager = make_user(Role.PROGRAMME_MANAGER)

    screen_eligibility(application, eligible=True, reason="", by=manager, now=CLOSES_AT)

    assert application.status == ApplicationStatus.ELIGIBLE
    [entry] = audit_trail("application.eligibility_screened")
    assert entry.created_at == CLOSES_AT


def test_screening_by_an_applicant_is_forbidden(client, screening):
    application, members, _manager = screening
    close_call_now(application.call)
    sign_in(client, members[0])
    token = token_of(client, f"/applications/{application.id}")

    response = client.post(
        f"/manage/applications/{application.id}", data={"csrf_token": token, "verdict": "eligible"}
    )

    assert response.status_code == 403
    assert application.status == ApplicationStatus.SUBMITTED
