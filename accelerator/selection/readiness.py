"""What publishing a call's results would do, and what stands in its way.

The confirmation page shows it before the manager publishes, and publish_results refuses on the
same blockers, so the page and the service can never disagree.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from accelerator.accounts.models import User
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.calls import policies as call_policies
from accelerator.calls.models import Call
from accelerator.core.errors import DomainError
from accelerator.extensions import db
from accelerator.reviews.ranking import RankedApplication, ranking_for_call
from accelerator.selection.enums import Outcome
from accelerator.selection.models import Decision


class AlreadyPublished(DomainError):
    pass


class ReviewPhaseOpen(DomainError):
    pass


class UndecidedApplications(DomainError):
    pass


class NothingToPublish(DomainError):
    pass


# Applications that need a decision (or a screening) before any letter goes out.
AWAITING_DECISION = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.UNDER_REVIEW,
)


@dataclass(frozen=True)
class OutcomeLetters:
    outcome: Outcome
    applications: int
    emails: int


@dataclass(frozen=True)
class PublicationSummary:
    letters: list[OutcomeLetters]
    undecided: list[Application]
    missing_reviews: int
    thinly_reviewed: list[RankedApplication]  # decided with fewer reviews than the call asks
    # Why publishing is refused now, as the errors publish_results raises; empty when it may.
    blockers: list[DomainError] = field(default_factory=list)

    @property
    def decisions(self) -> int:
        return sum(letters.applications for letters in self.letters)

    @property
    def emails(self) -> int:
        return sum(letters.emails for letters in self.letters)


def publication_summary(call: Call, *, now: datetime) -> PublicationSummary:
    """Letters per outcome, who has no decision, the expected reviews still missing and the
    applications decided on fewer reviews than the call asks, in a fixed number of queries."""
    decided = _decided_with_members(call)
    undecided = list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.status.in_(AWAITING_DECISION))
            .order_by(Application.id)
        ).unique()
    )
    rows = ranking_for_call(call)
    decided_ids = {application.id for application, _outcome, _members in decided}
    letters = [
        OutcomeLetters(
            outcome,
            applications=sum(1 for _a, chosen, _m in decided if chosen == outcome),
            emails=sum(members for _a, chosen, members in decided if chosen == outcome),
        )
        for outcome in Outcome
    ]
    summary = PublicationSummary(
        letters=letters,
        undecided=undecided,
        missing_reviews=sum(row.missing_reviews for row in rows),
        thinly_reviewed=[
            row for row in rows if row.application.id in decided_ids and row.missing_reviews
        ],
    )
    return replace(summary, blockers=_blockers(call, summary, now=now))


def _blockers(call: Call, summary: PublicationSummary, *, now: datetime) -> list[DomainError]:
    if call_policies.are_results_published(call):
        return [AlreadyPublished(_("The results of this call are already published."))]
    blockers = []
    if call_policies.is_review_phase_open(call, now):
        blockers.append(
            ReviewPhaseOpen(
                _(
                    "The review phase is still open: reviewers may still change their reviews. "
                    "Close the review phase first."
                )
            )
        )
    if summary.undecided:
        blockers.append(
            UndecidedApplications(
                _(
                    "%(count)d application(s) have no decision yet.",
                    count=len(summary.undecided),
                )
            )
        )
    if summary.decisions == 0:
        blockers.append(
            NothingToPublish(_("No application is decided yet: there is nothing to publish."))
        )
    return blockers


def _decided_with_members(call: Call) -> list[tuple[Application, Outcome, int]]:
    """Each decided application still in the running, its outcome and how many members its
    organisation has (one letter each)."""
    members = (
        select(User.organisation_id, func.count(User.id).label("members"))
        .group_by(User.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Application, Decision.outcome, func.coalesce(members.c.members, 0))
        .join(Decision, Decision.application_id == Application.id)
        .outerjoin(members, members.c.organisation_id == Application.organisation_id)
        .where(Application.call_id == call.id, Application.status != ApplicationStatus.WITHDRAWN)
        .order_by(Application.id)
    ).unique()
    return [(application, outcome, count) for application, outcome, count in rows]
