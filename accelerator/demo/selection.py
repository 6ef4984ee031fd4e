"""Demo history: a decided call with six projects (milestones, two quarters of KPI reports)
and a call in review with assignments and a first submitted review."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from accelerator.accounts.models import Organisation, User
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application, Submission
from accelerator.applications.services import snapshot_content
from accelerator.calls.enums import CallStatus
from accelerator.calls.models import Call
from accelerator.calls.services import the_programme
from accelerator.cohorts.enums import ClinicalTrialStatus, MilestoneStatus, ReportStatus
from accelerator.cohorts.models import KPIReport, Milestone
from accelerator.cohorts.services import create_project
from accelerator.demo.calls import DEMO_APPLICATIONS, SECTION_TEXT, new_call, typed_fields
from accelerator.extensions import db
from accelerator.reviews.enums import Recommendation, ReviewStatus
from accelerator.reviews.models import Assignment, CriterionScore, Review
from accelerator.reviews.published import freeze_ranking
from accelerator.selection.enums import Outcome
from accelerator.selection.models import Decision

REVIEWER_EMAILS = ("reviewer@demo.atmpcatalyst.eu", "mentor@demo.atmpcatalyst.eu")
# Title, due date in days from today, status.
MILESTONES = (
    ("GLP toxicology study completed", -60, MilestoneStatus.DONE),
    ("Scientific advice meeting with AEMPS", 20, MilestoneStatus.ON_TRACK),
    ("GMP process transfer to the CDMO", 30, MilestoneStatus.AT_RISK),
)


def seed_history(*, now: datetime) -> int:
    programme = the_programme(now=now)
    open_year = db.session.scalar(
        select(Call.year).where(Call.programme_id == programme.id).order_by(Call.year.desc())
    )
    created = 0
    if not _call_exists(programme, open_year - 2):
        created += _decided_call(programme, open_year - 2, now=now)
    if not _call_exists(programme, open_year - 1):
        created += _call_in_review(programme, open_year - 1, now=now)
    return created


def _decided_call(programme, year: int, *, now: datetime) -> int:
    call = new_call(
        programme,
        year,
        now=now,
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=330),
        status=CallStatus.DECIDED,
    )
    call.results_published_at = now - timedelta(days=280)
    db.session.flush()
    reviewers = _reviewers()
    for index, (vat_id, email, _status, fields) in enumerate(DEMO_APPLICATIONS):
        application = _submitted(call, vat_id, email, fields, now=now - timedelta(days=335))
        application.status = ApplicationStatus.SELECTED
        for reviewer in reviewers:
            _review(
                application,
                reviewer,
                score=Decimal("3.5") + Decimal(index % 3) / 2,
                now=now - timedelta(days=300),
            )
        db.session.add(
            Decision(
                application_id=application.id,
                outcome=Outcome.SELECTED,
                note="Strong regulatory plan.",
                decided_at=now - timedelta(days=285),
            )
        )
        project = create_project(application, now=now - timedelta(days=280))
        project.current_trl = min(9, project.entry_trl + index % 3)
        _project_history(project, now=now)
    freeze_ranking(call, now=call.results_published_at)
    return 1


def _call_in_review(programme, year: int, *, now: datetime) -> int:
    call = new_call(
        programme,
        year,
        now=now,
        opens_at=now - timedelta(days=120),
        closes_at=now - timedelta(days=30),
        status=CallStatus.IN_REVIEW,
    )
    call.review_deadline = now + timedelta(days=15)
    db.session.flush()
    reviewers = _reviewers()
    for index, (vat_id, email, _status, fields) in enumerate(DEMO_APPLICATIONS[1:5]):
        application = _submitted(call, vat_id, email, fields, now=now - timedelta(days=40))
        application.status = ApplicationStatus.UNDER_REVIEW
        for reviewer in reviewers:
            submitted = index == 0 and reviewer is reviewers[1]
            _review(
                application,
                reviewer,
                score=Decimal("4"),
                now=now - timedelta(days=5),
                submitted=submitted,
            )
    return 1


def _submitted(call, vat_id, email, fields, *, now: datetime) -> Application:
    organisation = db.session.scalar(select(Organisation).where(Organisation.vat_id == vat_id))
    member = db.session.scalar(select(User).where(User.email == email))
    values = {**SECTION_TEXT, "trl": 4, "development_stage": "preclinical_poc", **fields}
    application = Application(
        call=call,
        organisation=organisation,
        created_by_id=member.id,
        created_at=now,
        updated_at=now,
        submitted_at=now,
        status=ApplicationStatus.SUBMITTED,
        **typed_fields(values),
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(
        Submission(
            application_id=application.id,
            number=1,
            submitted_at=now,
            submitted_by_id=member.id,
            content=snapshot_content(application),
        )
    )
    return application


def _review(application, reviewer, *, score: Decimal, now: datetime, submitted=True) -> None:
    assignment = Assignment(
        application_id=application.id, reviewer_id=reviewer.id, assigned_at=now - timedelta(days=20)
    )
    db.session.add(assignment)
    db.session.flush()
    if not submitted:
        return
    review = Review(
        assignment_id=assignment.id,
        status=ReviewStatus.SUBMITTED,
        created_at=now,
        updated_at=now,
        submitted_at=now,
        recommendation=Recommendation.SELECT,
        overall_comment="A credible team with a clear path to the clinic.",
    )
    review.scores = [
        CriterionScore(
            criterion_id=criterion.id,
            score=min(score, criterion.scale_max),
            comment=f"{criterion.name}: convincing, with minor gaps.",
        )
        for criterion in application.call.criteria
    ]
    db.session.add(review)


def _project_history(project, *, now: datetime) -> None:
    today = now.date()
    for title, days, status in MILESTONES:
        db.session.add(
            Milestone(
                project_id=project.id,
                title=title,
                due_date=today + timedelta(days=days),
                status=status,
                updated_at=now,
            )
        )
    for offset, (year, quarter) in enumerate(_last_quarters(today, 2)):
        db.session.add(
            KPIReport(
                project_id=project.id,
                year=year,
                quarter=quarter,
                funding_raised_cents=(project.id % 4 + 1) * 25_000_000 * (offset + 1),
                headcount=4 + project.id % 5 + offset,
                patents_filed=offset,
                regulatory_milestones="Pre-CTA meeting requested." if offset else "",
                clinical_trial_status=ClinicalTrialStatus.PLANNING,
                status=ReportStatus.SUBMITTED,
                updated_at=now,
                submitted_at=now,
            )
        )


def _last_quarters(today: date, count: int) -> list[tuple[int, int]]:
    """The last `count` completed quarters, oldest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    quarters = []
    for _ in range(count):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        quarters.append((year, quarter))
    return list(reversed(quarters))


def _reviewers() -> list[User]:
    return [db.session.scalar(select(User).where(User.email == email)) for email in REVIEWER_EMAILS]


def _call_exists(programme, year: int) -> bool:
    return (
        db.session.scalar(
            select(Call.id).where(Call.programme_id == programme.id, Call.year == year)
        )
        is not None
    )
