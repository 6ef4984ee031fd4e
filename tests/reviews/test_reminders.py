"""Reminders to reviewers with unsubmitted reviews, 7, 3 and 1 days before the review deadline,
once per threshold, from the service and from `flask send-reminders`."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accelerator.applications.models import Application
from accelerator.core.clock import utcnow
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.reviews.assignment import decline_assignment
from accelerator.reviews.models import ReminderSent
from accelerator.reviews.reminders import current_threshold, send_review_reminders
from accelerator.reviews.services import save_review
from tests.factories import make_user
from tests.reviews.reviewing_helpers import (
    SECOND,
    assign,
    make_manager,
    make_reviewable,
    make_reviewer,
    outbox,
    review_call,
    submit_review,
)

DAY = timedelta(days=1)
ALPHA, BETA = "Alpha cells for cartilage", "Beta vectors for the retina"


@pytest.fixture
def scene(app):
    """A call with two applications and four reviewers:
    `pending` has a draft of Alpha and nothing of Beta, `partly` submitted Alpha only,
    `done` submitted both, `declined` declined Alpha (their only one)."""
    call = review_call(title="Catalyst 2031")
    alpha = make_reviewable(call, title=ALPHA)
    beta = make_reviewable(call, title=BETA)
    manager = make_manager()
    reviewers = {
        name: make_reviewer(name=name.title()) for name in ("pending", "partly", "done", "declined")
    }
    early = call.review_deadline - 10 * DAY
    assignments = {
        (name, application.title): assign(application, reviewers[name], manager=manager)
        for name in ("pending", "partly", "done")
        for application in (alpha, beta)
    }
    save_review(
        assignments["pending", ALPHA],
        scores={},
        overall_comment="Half way.",
        recommendation=None,
        submit=False,
        by=reviewers["pending"],
        now=early,
    )
    submit_review(assignments["partly", ALPHA], now=early)
    submit_review(assignments["done", ALPHA], now=early)
    submit_review(assignments["done", BETA], now=early)
    declined = assign(alpha, reviewers["declined"], manager=manager)
    decline_assignment(declined, reason="Travelling.", by=reviewers["declined"], now=early)
    return call, reviewers


def _reminders() -> list[OutboxMessage]:
    return [message for message in outbox() if message.subject.startswith("Reminder:")]


def _listed_titles(message: OutboxMessage) -> list[str]:
    return [line[2:] for line in message.body_text.splitlines() if line.startswith("- ")]


def test_current_threshold_is_the_smallest_window_the_deadline_is_in(app):
    deadline = utcnow()

    assert [
        current_threshold(deadline, deadline - offset)
        for offset in (
            8 * DAY,
            7 * DAY + SECOND,
            7 * DAY,
            3 * DAY + SECOND,
            3 * DAY,
            DAY + SECOND,
            DAY,
            SECOND,
            0 * DAY,
            -SECOND,
        )
    ] == [None, None, 7, 7, 3, 3, 1, 1, None, None]


def test_reminders_8_days_before_the_deadline_send_nothing(scene):
    call, _reviewers = scene

    sent = send_review_reminders(now=call.review_deadline - 8 * DAY)

    assert sent == 0
    assert _reminders() == []


def test_reminders_just_over_7_days_before_the_deadline_send_nothing(scene):
    call, _reviewers = scene

    assert send_review_reminders(now=call.review_deadline - 7 * DAY - SECOND) == 0
    assert _reminders() == []


@pytest.mark.parametrize("days", [7, 3, 1])
def test_reminders_on_a_threshold_email_each_reviewer_with_unsubmitted_reviews(scene, days):
    call, reviewers = scene

    sent = send_review_reminders(now=call.review_deadline - days * DAY)

    assert sent == 2
    messages = {message.recipient: message for message in _reminders()}
    assert sorted(messages) == sorted([reviewers["pending"].email, reviewers["partly"].email])
    pending, partly = messages[reviewers["pending"].email], messages[reviewers["partly"].email]
    assert pending.subject == "Reminder: 2 review(s) due for Catalyst 2031"
    assert partly.subject == "Reminder: 1 review(s) due for Catalyst 2031"
    assert _listed_titles(pending) == [ALPHA, BETA]
    assert _listed_titles(partly) == [BETA]
    assert pending.body_text.startswith("Hello Pending,\n")
    assert f"in {days} day(s) or less" in pending.body_text
    assert "http://127.0.0.1:5000/reviews\n" in pending.body_text


def test_reminders_skip_reviewers_who_submitted_everything_or_declined(scene):
    call, reviewers = scene

    send_review_reminders(now=call.review_deadline - 3 * DAY)

    recipients = {message.recipient for message in _reminders()}
    assert reviewers["done"].email not in recipients
    assert reviewers["declined"].email not in recipients


@pytest.mark.parametrize("later", [0 * DAY, timedelta(hours=6), timedelta(hours=23)])
def test_reminders_run_twice_on_the_same_day_send_nothing_new(scene, later):
    call, _reviewers = scene
    now = call.review_deadline - 7 * DAY
    send_review_reminders(now=now)

    again = send_review_reminders(now=now + later)

    assert again == 0
    assert len(_reminders()) == 2
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 2


def test_reminders_go_out_once_per_threshold(scene):
    call, reviewers = scene
    deadline = call.review_deadline

    counts = [
        send_review_reminders(now=deadline - offset)
        for offset in (
            8 * DAY,
            7 * DAY,
            6 * DAY,
            3 * DAY,
            2 * DAY,
            DAY,
            timedelta(hours=2),
            0 * DAY,
            -DAY,
        )
    ]

    assert counts == [0, 2, 0, 2, 0, 2, 0, 0, 0]
    to_pending = [m for m in _reminders() if m.recipient == reviewers["pending"].email]
    assert [_listed_titles(message) for message in to_pending] == [[ALPHA, BETA]] * 3


def test_reminders_stop_once_the_review_is_submitted(scene):
    call, reviewers = scene
    deadline = call.review_deadline
    send_review_reminders(now=deadline - 7 * DAY)
    partly = reviewers["partly"]
    [beta] = [a for a in _assignments_of(partly) if a.application.title == BETA]
    submit_review(beta, now=deadline - 5 * DAY)

    send_review_reminders(now=deadline - 3 * DAY)

    assert [m.recipient for m in _reminders()].count(partly.email) == 1


def _assignments_of(reviewer):
    from accelerator.reviews.models import Assignment

    return list(
        db.session.scalars(select(Assignment).where(Assignment.reviewer_id == reviewer.id)).unique()
    )


# --- the command ---------------------------------------------------------------------------


def _run(app, *args):
    """Runs a flask command in its own application context, as `flask` does."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def test_send_reminders_command_queues_and_sends_the_reminders_once(app, scene):
    call, reviewers = scene
    now = utcnow().replace(microsecond=0)
    call.closes_at, call.review_deadline = now - DAY, now + 3 * DAY - timedelta(hours=1)
    db.session.commit()
    unsent = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )

    first = _run(app, "send-reminders")
    second = _run(app, "send-reminders")

    assert (first.exit_code, first.output) == (
        0,
        f"2 reviewer reminder(s) queued; {unsent + 2} email(s) sent, 0 waiting.\n"
        "0 mentoring session reminder(s) and 0 feedback request(s) queued.\n",
    )
    assert (second.exit_code, second.output) == (
        0,
        "0 reviewer reminder(s) queued; 0 email(s) sent, 0 waiting.\n"
        "0 mentoring session reminder(s) and 0 feedback request(s) queued.\n",
    )
    reminders = _reminders()
    assert sorted(m.recipient for m in reminders) == sorted(
        [reviewers["pending"].email, reviewers["partly"].email]
    )
    assert all(message.sent_at is not None for message in reminders)
    assert all("in 3 day(s) or less" in message.body_text for message in reminders)


def test_send_reminders_command_outside_the_thresholds_sends_nothing(app, scene):
    call, _reviewers = scene  # the deadline is 40 days away

    result = _run(app, "send-reminders")

    assert result.exit_code == 0
    assert result.output.startswith("0 reviewer reminder(s) queued; ")
    assert _reminders() == []


# --- point 12a: a reminder never names an application the reviewer is conflicted with ------


def conflicted_later(application, reviewer):
    """A colleague at the reviewer's domain joins the applying organisation behind the app's
    back (no service runs, so the assignment stands): only detection can see the conflict."""
    domain = reviewer.email.rpartition("@")[2]
    make_user(organisation=application.organisation, email=f"new.hire@{domain}")


def test_reminder_12a_never_mentions_a_conflicted_application(scene):
    call, reviewers = scene
    beta = db.session.scalar(select(Application).where(Application.title == BETA))
    conflicted_later(beta, reviewers["pending"])

    send_review_reminders(now=call.review_deadline - 3 * DAY)

    [reminder] = [m for m in _reminders() if m.recipient == reviewers["pending"].email]
    assert reminder.subject == "Reminder: 1 review(s) due for Catalyst 2031"
    assert _listed_titles(reminder) == [ALPHA]
    assert BETA not in reminder.body_text


def test_reminder_12a_is_not_sent_when_every_pending_review_is_conflicted(scene):
    call, reviewers = scene
    beta = db.session.scalar(select(Application).where(Application.title == BETA))
    conflicted_later(beta, reviewers["partly"])

    sent = send_review_reminders(now=call.review_deadline - 3 * DAY)

    assert sent == 1
    assert [message.recipient for message in _reminders()] == [reviewers["pending"].email]


@pytest.mark.parametrize("ended", ["review_closed_at", "results_published_at"])
def test_reminders_stop_once_the_review_phase_ended_before_its_deadline(scene, ended):
    call, _reviewers = scene
    setattr(call, ended, call.review_deadline - 4 * DAY)
    db.session.commit()

    sent = send_review_reminders(now=call.review_deadline - 3 * DAY)

    assert sent == 0
    assert _reminders() == []
