"""The manager's application page: eligibility answers as submitted ("Not answered" is never
"No"), and a screening panel whose message matches the application's real state: it offers
the verdict only after the call has closed, to an application that may be screened, and
otherwise says why not (and the service refuses alike)."""

import html
import re

import pytest
from flask_babel import format_datetime

from accelerator.accounts.enums import Role
from accelerator.applications import screening, services
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Submission
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from tests.applications.conftest import (
    audit_trail,
    close_call_now,
    field_errors,
    member_of,
)
from tests.conftest import post_form, sign_in
from tests.factories import make_application, make_call, make_user

NEVER_SUBMITTED = "Never submitted: the call closed before the applicants submitted it."
UNTIL_CLOSED = (
    "Eligibility is screened once the call has closed, on {closes} (Madrid time):"
    " until then the applicants may still change the application."
)
SCREENING_FORM = '<form method="post" novalidate>'


def _draft(call, member):
    return make_application(call, member=member)


def _submitted(call, member):
    return make_application(call, member=member, submitted=True)


def _withdrawn(call, member):
    application = _submitted(call, member)
    services.withdraw_application(application, by=member, now=utcnow())
    return application


def _screened(verdict):
    def build(call, member):
        application = _submitted(call, member)
        close_call_now(call)
        screening.screen_eligibility(
            application,
            eligible=verdict == "eligible",
            reason="Not an ATMP." if verdict == "ineligible" else "",
            by=make_user(Role.PROGRAMME_MANAGER),
            now=utcnow(),
        )
        return application

    return build


def _moved_on(status):
    """Screened eligible, then assigned to reviewers or decided."""

    def build(call, member):
        application = _screened("eligible")(call, member)
        application.status = status
        db.session.commit()
        return application

    return build


# state: (how the application gets there, whether the call has closed, the panel's message,
# whether the verdict is offered)
STATES = {
    "draft": (_draft, False, "A draft: only a submitted application is screened.", False),
    "draft-after-closing": (_draft, True, NEVER_SUBMITTED, False),
    "submitted-before-closing": (_submitted, False, UNTIL_CLOSED, False),
    "submitted-after-closing": (
        _submitted,
        True,
        "Submitted before the call closed: record whether it is eligible.",
        True,
    ),
    "withdrawn": (
        _withdrawn,
        True,
        "Withdrawn by the applicants: a withdrawn application is not screened.",
        False,
    ),
    "eligible": (
        _screened("eligible"),
        True,
        "Screened eligible. Record the other verdict to change it.",
        True,
    ),
    "ineligible": (
        _screened("ineligible"),
        True,
        "Screened ineligible. Record the other verdict to change it.",
        True,
    ),
    "under-review": (
        _moved_on(ApplicationStatus.UNDER_REVIEW),
        True,
        "Under review: reviewers are assigned, so the verdict can no longer change.",
        False,
    ),
    "selected": (
        _moved_on(ApplicationStatus.SELECTED),
        True,
        "Decided (selected): the verdict can no longer change.",
        False,
    ),
    "waitlisted": (
        _moved_on(ApplicationStatus.WAITLISTED),
        True,
        "Decided (waitlisted): the verdict can no longer change.",
        False,
    ),
    "rejected": (
        _moved_on(ApplicationStatus.REJECTED),
        True,
        "Decided (rejected): the verdict can no longer change.",
        False,
    ),
}


def _screening_panel(page: str) -> str:
    return re.search(r'aria-labelledby="screening-heading">(.*?)</section>', page, re.S)[1]


def _note(page: str) -> str:
    found = re.search(r'<p id="screening-note"[^>]*>(.*?)</p>', _screening_panel(page), re.S)
    return html.unescape(found[1])


def _answers(page: str) -> list[str]:
    answers = re.search(r"Eligibility answers</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)[1]
    items = re.findall(r"<li>(.*?)</li>", answers, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in items]


def _in_state(app, build, closed: bool, message: str):
    """An application of a new call brought to the state, and the panel's message for it."""
    call = make_call()
    with app.test_request_context():  # emails build links
        application = build(call, member_of())
        if closed:
            close_call_now(call)
        return application, message.format(closes=format_datetime(call.closes_at, "medium"))


@pytest.fixture
def manager(client):
    manager = make_user(Role.PROGRAMME_MANAGER)
    sign_in(client, manager)
    return manager


@pytest.mark.parametrize(("build", "closed", "message", "offered"), STATES.values(), ids=STATES)
def test_screening_panel_says_what_the_state_allows(
    app, client, manager, build, closed, message, offered
):
    application, expected = _in_state(app, build, closed, message)

    page = client.get(f"/manage/applications/{application.id}").get_data(as_text=True)

    assert (_note(page), SCREENING_FORM in _screening_panel(page)) == (expected, offered)


@pytest.mark.parametrize(
    "state", [name for name, (*_rest, offered) in STATES.items() if not offered]
)
def test_screening_an_application_the_panel_does_not_offer_is_refused_with_its_message(app, state):
    build, closed, message, _offered = STATES[state]
    application, expected = _in_state(app, build, closed, message)
    status = application.status
    screened_before = len(audit_trail("application.eligibility_screened"))

    with app.test_request_context(), pytest.raises(services.StatusDoesNotAllow) as refused:
        screening.screen_eligibility(
            application,
            eligible=True,
            reason="",
            by=make_user(Role.PROGRAMME_MANAGER),
            now=utcnow(),
        )

    assert str(refused.value) == expected
    assert application.status == status
    assert len(audit_trail("application.eligibility_screened")) == screened_before


def test_recording_the_same_verdict_again_is_refused_next_to_the_verdict(app, client, manager):
    call = make_call()
    with app.test_request_context():
        application = _screened("eligible")(call, member_of())

    response = post_form(client, f"/manage/applications/{application.id}", {"verdict": "eligible"})

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "verdict") == [
        "The application is already eligible."
    ]
    assert len(audit_trail("application.eligibility_screened")) == 1


def test_eligibility_answers_show_yes_and_no_as_submitted(app, client, manager):
    call = make_call()
    member = member_of()
    with app.test_request_context():
        application = make_application(call, member=member, complete=True)
        first, second, third = call.eligibility_questions
        services.save_draft(
            application,
            by=member,
            now=utcnow(),
            fields={},
            eligibility={first.id: True, second.id: False, third.id: False},
        )
        services.submit_application(application, by=member, now=utcnow())

    page = client.get(f"/manage/applications/{application.id}").get_data(as_text=True)

    assert _answers(page) == [
        f"{first.text} — Yes",
        f"{second.text} — No",
        f"{third.text} — No",
    ]


def test_unanswered_eligibility_question_shows_not_answered_never_no(app, client, manager):
    call = make_call()
    member = member_of()
    application = make_application(call, member=member)
    first, second, third = call.eligibility_questions
    services.save_draft(
        application, by=member, now=utcnow(), fields={}, eligibility={first.id: False}
    )
    # A snapshot with unanswered questions, as imported and demo applications hold them.
    db.session.add(
        Submission(
            application_id=application.id,
            number=1,
            submitted_at=utcnow(),
            submitted_by_id=member.id,
            content=services.snapshot_content(application),
        )
    )
    application.status = ApplicationStatus.SUBMITTED
    db.session.commit()

    page = client.get(f"/manage/applications/{application.id}").get_data(as_text=True)

    assert _answers(page) == [
        f"{first.text} — No",
        f"{second.text} — Not answered",
        f"{third.text} — Not answered",
    ]
