"""Builders and page readers for the reviewing, blind review, reminder, pool and rubric tests.

Service calls take the clock as `now=`: those tests put the moments around the call's review
deadline. Pages use the server's real clock, so HTTP tests keep the deadline in the real future
(or move it into the real past) with the factories' default dates.
"""

import html
import re
from datetime import timedelta
from decimal import Decimal
from itertools import count

from flask import current_app
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.applications.enums import ApplicationStatus
from accelerator.core.clock import utcnow
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db
from accelerator.reviews.assignment import assign_reviewer
from accelerator.reviews.models import Assignment, Review
from accelerator.reviews.services import CriterionInput, save_review
from tests.factories import make_application, make_call, make_user

SECOND = timedelta(seconds=1)
_numbers = count(1)


def make_manager():
    return make_user(Role.PROGRAMME_MANAGER, email=f"manager{next(_numbers)}@office.example.net")


def make_reviewer(**fields):
    """A reviewer at an email domain of their own: factory members share example.org, which
    would make a reviewer there conflicted with every application."""
    number = next(_numbers)
    fields.setdefault("email", f"reviewer{number}@lab{number}.example.net")
    fields.setdefault("name", f"Reviewer {number}")
    return make_user(Role.REVIEWER, **fields)


def review_call(**fields):
    """An open call (applications can still be made) whose review deadline is in 40 days,
    to the second."""
    now = utcnow().replace(microsecond=0)
    fields.setdefault("closes_at", now + timedelta(days=20))
    fields.setdefault("review_deadline", now + timedelta(days=40))
    return make_call(**fields)


def make_reviewable(call, **fields):
    """A submitted application screened eligible, ready for assignment."""
    with current_app.test_request_context():  # the receipt email builds links
        application = make_application(call, submitted=True, **fields)
    application.status = ApplicationStatus.ELIGIBLE
    db.session.commit()
    return application


def assign(application, reviewer, *, manager=None) -> Assignment:
    return assign_reviewer(
        application, reviewer, by=manager or make_manager(), now=utcnow() - timedelta(days=1)
    )


def full_scores(call, score="4", comment="Solid work.") -> dict[int, CriterionInput]:
    return {
        criterion.id: CriterionInput(Decimal(score), f"{comment} ({criterion.name})")
        for criterion in call.criteria
    }


def submit_review(assignment, *, now=None, score="4", comment="Solid work.") -> Review:
    call = assignment.application.call
    return save_review(
        assignment,
        scores=full_scores(call, score, comment),
        overall_comment="A fine application.",
        recommendation="select",
        submit=True,
        by=assignment.reviewer,
        now=now or call.review_deadline - timedelta(days=2),
    )


def review_form(call, *, scores=None, comments=None, overall="", recommendation="", action):
    """Form data of the review page: scores and comments in criterion order, as strings."""
    scores = scores or [""] * len(call.criteria)
    comments = comments or [""] * len(call.criteria)
    data = {"overall_comment": overall, "recommendation": recommendation, action: "x"}
    for criterion, score, comment in zip(call.criteria, scores, comments, strict=True):
        data[f"score_{criterion.id}"] = score
        data[f"comment_{criterion.id}"] = comment
    return data


def stored(assignment):
    """(status, [(score, comment) per criterion], overall comment, recommendation) or None."""
    db.session.expire_all()
    review = db.session.scalar(select(Review).where(Review.assignment_id == assignment.id))
    if review is None:
        return None
    scores = sorted(review.scores, key=lambda score: score.criterion.position)
    return (
        review.status.value,
        [(None if s.score is None else str(s.score), s.comment) for s in scores],
        review.overall_comment,
        review.recommendation.value if review.recommendation else None,
    )


def error_text(page: str, field_id: str) -> str:
    """The text of the error element next to a field ("<field_id>-error")."""
    match = re.search(rf'<div id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"the page shows no error next to the field {field_id!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match[1])).split())


def error_fields(page: str) -> list[str]:
    return re.findall(r'<div id="([\w-]+)-error"', page)


def selected_option(page: str, name: str) -> str | None:
    """The value of the selected option of the select with that name (None if none is)."""
    match = re.search(rf'<select[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"the page has no select named {name!r}"
    chosen = re.search(r'<option selected value="([^"]*)"', match[1])
    return html.unescape(chosen[1]) if chosen else None


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def audit_trail(action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))
