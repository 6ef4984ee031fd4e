"""Each project's mentoring hours per programme year: the budget, what is used and reserved.

The programme year is the Madrid calendar year in which a session starts. Pending and confirmed
sessions reserve their minutes; held and no-show sessions, and those the project cancelled late,
are charged (used). Everything else costs nothing.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.audit import record_audit
from accelerator.core.clock import as_madrid
from accelerator.core.durations import hours
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.mentoring import policies
from accelerator.mentoring.enums import DEFAULT_BUDGET_MINUTES, HOLDING_STATUSES
from accelerator.mentoring.models import MentoringBudget, MentoringSession


class BudgetExceeded(DomainError):
    pass


class BudgetNegative(DomainError):
    pass


@dataclass(frozen=True)
class Usage:
    budget_minutes: int
    used_minutes: int = 0
    reserved_minutes: int = 0

    @property
    def left_minutes(self) -> int:
        return self.budget_minutes - self.used_minutes - self.reserved_minutes

    @property
    def budget_hours(self) -> Decimal:
        return hours(self.budget_minutes)

    @property
    def used_hours(self) -> Decimal:
        return hours(self.used_minutes)

    @property
    def reserved_hours(self) -> Decimal:
        return hours(self.reserved_minutes)

    @property
    def left_hours(self) -> Decimal:
        return hours(self.left_minutes)


def programme_year_of(moment: datetime) -> int:
    return as_madrid(moment).year


def usage_by_project(project_ids: list[int], year: int) -> dict[int, Usage]:
    """Budget, used and reserved minutes of each project in one year, in two queries."""
    if not project_ids:
        return {}
    budgets = dict(
        db.session.execute(
            select(MentoringBudget.project_id, MentoringBudget.minutes).where(
                MentoringBudget.project_id.in_(project_ids),
                MentoringBudget.programme_year == year,
            )
        ).all()
    )
    sessions = db.session.execute(
        select(
            MentoringSession.project_id,
            MentoringSession.status,
            MentoringSession.charged,
            MentoringSession.starts_at,
            MentoringSession.ends_at,
        ).where(
            MentoringSession.project_id.in_(project_ids),
            MentoringSession.programme_year == year,
            MentoringSession.status.in_(HOLDING_STATUSES) | MentoringSession.charged.is_(True),
        )
    ).all()
    used: dict[int, int] = {}
    reserved: dict[int, int] = {}
    for row in sessions:
        minutes = int((row.ends_at - row.starts_at).total_seconds() // 60)
        tally = used if row.charged else reserved
        tally[row.project_id] = tally.get(row.project_id, 0) + minutes
    return {
        project_id: Usage(
            budget_minutes=budgets.get(project_id, DEFAULT_BUDGET_MINUTES),
            used_minutes=used.get(project_id, 0),
            reserved_minutes=reserved.get(project_id, 0),
        )
        for project_id in project_ids
    }


def usage_of(project_id: int, year: int) -> Usage:
    return usage_by_project([project_id], year)[project_id]


def check_budget(project_id: int, *, year: int, minutes: int, freed_minutes: int = 0) -> None:
    """Refuses a booking of `minutes` that would take the project past its budget for the year.

    `freed_minutes` are those of a session the booking replaces (a moved session).
    """
    usage = usage_of(project_id, year)
    if minutes > usage.left_minutes + freed_minutes:
        raise BudgetExceeded(
            _(
                "This session would exceed the project's mentoring budget for %(year)d:"
                " %(left)s h left of %(budget)s h.",
                year=year,
                left=format_decimal(hours(max(usage.left_minutes + freed_minutes, 0))),
                budget=format_decimal(usage.budget_hours),
            )
        )


def set_budget(
    project: Project, *, year: int, minutes: int | None, by: User, now: datetime
) -> MentoringBudget:
    """A manager sets the project's mentoring minutes for one year (0 stops new bookings).

    Lowering a budget below what is already booked cancels nothing: it only refuses new requests.
    """
    require(policies.can_manage_mentoring(by))
    if minutes is None or minutes < 0:
        raise BudgetNegative(_("The budget is 0 hours or more."))
    budget = db.session.scalar(
        select(MentoringBudget).where(
            MentoringBudget.project_id == project.id, MentoringBudget.programme_year == year
        )
    )
    if budget is None:
        budget = MentoringBudget(project_id=project.id, programme_year=year)
        db.session.add(budget)
    previous = budget.minutes
    budget.minutes = minutes
    budget.updated_at = now
    budget.updated_by_id = by.id
    db.session.flush()
    record_audit(
        "mentoring_budget.set",
        by=by,
        object_type="project",
        object_id=project.id,
        now=now,
        details={"year": year, "minutes": minutes, "previous_minutes": previous},
    )
    db.session.commit()
    return budget
