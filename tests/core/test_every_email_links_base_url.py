"""Every kind of email, caused by requests that claim another Host, links only to BASE_URL.

Each template under templates/emails has a scenario here: real pages posted by a client whose
every request says `Host: evil.example` (and the one command that sends reminders, run after
such a request). A new template without a scenario fails the coverage test.
"""

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.labs.models import LabBooking
from accelerator.mentoring import slots as mentoring_slots
from accelerator.reviews.reminders import send_review_reminders
from accelerator.selection.enums import Outcome
from tests.cohorts.conftest import make_project, member_of
from tests.conftest import IsolatedClient, post_form, sign_in
from tests.factories import make_application, make_call, make_organisation, make_user
from tests.labs.conftest import make_lab, make_resource
from tests.mentoring.conftest import add_rule, make_mentor
from tests.reviews.conftest import make_assignment, make_reviewable, make_reviewer
from tests.selection.deciding_helpers import decide, end_review_phase, make_decidable

EMAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"
FORGED_HOST = "evil.example"
LINK = re.compile(r"https?://[^\s<>\"']+")


class ForgedHostClient(IsolatedClient):
    """Every request claims the Host evil.example; its session cookie belongs to that host."""

    def open(self, *args, **kwargs):
        kwargs["headers"] = {**dict(kwargs.get("headers") or {}), "Host": FORGED_HOST}
        response = super().open(*args, **kwargs)
        assert response.request.host == FORGED_HOST
        return response

    def session_transaction(self, *args, **kwargs):
        kwargs.setdefault("base_url", f"http://{FORGED_HOST}")
        return super().session_transaction(*args, **kwargs)


@pytest.fixture
def forged(app):
    return ForgedHostClient(app, app.response_class, use_cookies=True)


def manager():
    return make_user(Role.PROGRAMME_MANAGER, email="office@programme.example.net")


def madrid(moment) -> str:
    return as_madrid(moment).strftime("%Y-%m-%dT%H:%M")


# --- one scenario per kind of email -----------------------------------------------------------


def registration(client):
    post_form(
        client,
        "/register",
        {
            "name": "Ona Pla",
            "email": "ona@newcomer.example.org",
            "password": "a long enough passphrase",
            "confirm": "a long enough passphrase",
        },
    )


def password_reset(client):
    user = make_user(email="ana@example.org")
    post_form(client, "/password/forgot", {"email": user.email})


def organisation_invitation(client):
    member = member_of()
    sign_in(client, member)
    post_form(
        client,
        f"/organisations/{member.organisation_id}/invitations",
        {"email": "colleague@example.org"},
        page=f"/organisations/{member.organisation_id}",
    )


def reviewer_invitation(client):
    sign_in(client, manager())
    post_form(client, "/manage/reviewers", {"email": "expert@university.example.edu"})


def application_receipt(client):
    member = member_of()
    application = make_application(make_call(), member=member, complete=True)
    sign_in(client, member)
    post_form(
        client,
        f"/applications/{application.id}/submit",
        {},
        page=f"/applications/{application.id}",
    )


def eligibility_decision(client):
    call = make_call()
    with current_app.test_request_context():
        application = make_application(call, submitted=True)
    call.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    sign_in(client, manager())
    post_form(client, f"/manage/applications/{application.id}", {"verdict": "eligible"})


def decision_letter(client):
    office = manager()
    call = make_call()
    decide(make_decidable(call), Outcome.SELECTED, by=office)
    end_review_phase(call)
    sign_in(client, office)
    post_form(client, f"/manage/calls/{call.id}/publish", {"confirm": "y"})


def review_reminder(client):
    call = make_call()
    make_assignment(make_reviewable(call), make_reviewer())
    client.get("/")  # a forged request first: the command must not remember its Host
    send_review_reminders(now=call.review_deadline - timedelta(days=1))


def mentoring_session(client):
    member = member_of()
    project = make_project(member=member)
    mentor = make_mentor(buffer_minutes=0)
    for weekday in range(7):
        add_rule(mentor, weekday=weekday)
    slot = mentoring_slots.bookable_slots(mentor, length_minutes=60, now=utcnow())[0]
    sign_in(client, member)
    post_form(
        client,
        f"/mentoring/projects/{project.id}/mentors/{mentor.id}/book",
        {"starts_at": madrid(slot.starts_at), "length": "60", "agenda": "EMA advice"},
    )


def lab_booking_and_waitlist(client):
    """A booking (emailed to its booker) that another project waits for; cancelling it tells
    the waiting member."""
    lab = make_lab()
    resource = make_resource(lab, minimum_notice_hours=0, needs_approval=False)
    member, rival = member_of(), member_of()
    project, rival_project = make_project(member=member), make_project(member=rival)
    today = as_madrid(utcnow()).date()
    day = today - timedelta(days=today.weekday()) + timedelta(days=9)
    sign_in(client, rival)
    post_form(
        client,
        f"/labs/resources/{resource.id}/book",
        {
            "project": str(rival_project.id),
            "day": day.isoformat(),
            "starts": "10:00",
            "ends": "12:00",
            "end_day": "",
            "operator": str(rival.id),
            "purpose": "CAR-T run",
        },
    )
    taken = db.session.scalar(select(LabBooking).where(LabBooking.project_id == rival_project.id))
    sign_in(client, member)
    refusal = post_form(
        client,
        f"/labs/resources/{resource.id}/book",
        {
            "project": str(project.id),
            "day": day.isoformat(),
            "starts": "10:00",
            "ends": "12:00",
            "end_day": "",
            "operator": str(member.id),
            "purpose": "Vector run",
        },
    ).text
    offer = refusal[refusal.index(f'action="/labs/resources/{resource.id}/waitlist"') :]
    wanted = {
        name: html.unescape(value)
        for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', offer.split("</form>")[0])
        if name != "csrf_token"
    }
    post_form(client, f"/labs/resources/{resource.id}/waitlist", wanted, page="/labs/bookings")
    sign_in(client, rival)
    post_form(client, f"/labs/bookings/{taken.id}/cancel", {}, page=f"/labs/bookings/{taken.id}")


def conflict_assignments_removed(client):
    assignment = make_assignment(make_reviewable(make_call()), make_reviewer())
    manager()
    sign_in(client, assignment.reviewer)
    post_form(
        client,
        f"/reviews/{assignment.id}/conflict",
        {"conflict-reason": "My former employer."},
        page=f"/reviews/{assignment.id}",
    )


def conflict_declaration_watched(client):
    call = make_call(blind_review=True)
    assignment = make_assignment(make_reviewable(call), make_reviewer())
    call.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    manager()
    elsewhere = make_organisation(legal_name="Bystander Bio SL")
    sign_in(client, assignment.reviewer)
    post_form(
        client,
        "/reviews/conflicts?q=bystander",
        {"organisation": elsewhere.id, "reason": "I advise them."},
    )


def organisation_change_requested(client):
    member = member_of()
    with current_app.test_request_context():
        make_application(make_call(), member=member, submitted=True)
    manager()
    organisation = member.organisation
    sign_in(client, member)
    post_form(
        client,
        f"/organisations/{organisation.id}/edit",
        {
            "legal_name": organisation.legal_name,
            "kind": organisation.kind.value,
            "vat_id": "",
            "country": organisation.country,
            "city": organisation.city,
            "email_domain": "renamed.example.com",
        },
    )


def calendar_feed_reset(client):
    member = member_of()
    project = make_project(member=member)
    member_of(member.organisation)  # a colleague, who is told
    sign_in(client, member)
    page = f"/mentoring/projects/{project.id}"
    post_form(client, f"/mentoring/projects/{project.id}/calendar/reset", {}, page=page)
    post_form(client, f"/mentoring/projects/{project.id}/calendar/reset", {}, page=page)


SCENARIOS = {
    "confirm_email": registration,
    "reset_password": password_reset,
    "organisation_invitation": organisation_invitation,
    "reviewer_invitation": reviewer_invitation,
    "application_receipt": application_receipt,
    "eligibility_decision": eligibility_decision,
    "decision_letter": decision_letter,
    "review_reminder": review_reminder,
    "mentoring_session": mentoring_session,
    "lab_booking": lab_booking_and_waitlist,
    "lab_waitlist": lab_booking_and_waitlist,
    "conflict_assignments_removed": conflict_assignments_removed,
    "conflict_declaration_watched": conflict_declaration_watched,
    "organisation_change_requested": organisation_change_requested,
    "calendar_feed_reset": calendar_feed_reset,
}


def test_every_email_template_has_a_scenario():
    templates = {path.stem for path in EMAIL_TEMPLATES.glob("*.txt")}

    assert set(SCENARIOS) == templates


@pytest.mark.parametrize("template", sorted(SCENARIOS))
def test_email_caused_after_a_forged_host_links_only_to_base_url(forged, template):
    SCENARIOS[template](forged)

    db.session.expire_all()
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == template)
    ).all()
    assert messages, f"no {template} email was queued"
    base_url = current_app.config["BASE_URL"]
    for message in messages:
        text = f"{message.subject}\n{message.body_text}\n{message.attachment_body or ''}"
        links = LINK.findall(text)
        assert links, f"{template} carries no link"
        assert [link for link in links if not link.startswith(base_url)] == []
        assert FORGED_HOST not in text
