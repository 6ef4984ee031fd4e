"""Demo mentoring: four mentors with profiles and weekly hours, and the demo projects' sessions
in every state (held with notes and a rating, cancelled, confirmed, awaiting the mentor).

Everything past is made through the mentoring services with the clock set back to when it
happened, and every time is one the mentor offered then, so each record obeys the booking rules.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.accounts.models import RoleGrant, User
from accelerator.accounts.passwords import hash_password
from accelerator.cohorts.models import Project
from accelerator.core.audit import record_audit
from accelerator.core.clock import as_madrid
from accelerator.extensions import db
from accelerator.mentoring.availability import Slot
from accelerator.mentoring.booking import (
    cancel_session,
    confirm_session,
    record_outcome,
    request_session,
)
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.followup import rate_session, save_notes
from accelerator.mentoring.models import MentoringSession, MentorProfile
from accelerator.mentoring.services import (
    add_availability_exception,
    add_availability_rule,
    save_mentor_profile,
)
from accelerator.mentoring.slots import bookable_slots

MENTOR_PASSWORD = "demo-mentor-2026"
# Mentors joined well before the oldest demo session was requested.
JOINED_DAYS_AGO = 120
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(5)


@dataclass(frozen=True)
class DemoMentor:
    email: str
    name: str
    organisation: str
    bio: str
    languages: tuple[str, ...]
    tags: tuple[str, ...]
    monthly_hour_limit: int
    # Weekday (0 = Monday), from, to: Madrid wall-clock time.
    weekly_hours: tuple[tuple[int, time, time], ...]
    away_at_christmas: bool = False


# Mentors have an email domain of their own: one shared with an applying organisation is a
# conflict of interest, and booking refuses it.
DEMO_MENTORS = (
    DemoMentor(
        email="montserrat.rius@mentors.example.net",
        name="Montserrat Rius",
        organisation="Rius Regulatory Consulting",
        bio="Regulatory affairs consultant with eighteen years on ATMP files: former quality "
        "assessor at AEMPS and alternate member of the EMA's Committee for Advanced Therapies "
        "(CAT). Has taken four gene therapies through scientific advice, orphan designation and "
        "PRIME. Helps teams prepare their first meeting with AEMPS or EMA, the ATMP "
        "classification request and a target product profile regulators can agree with.",
        languages=("ca", "es", "en"),
        tags=("topic:regulatory", "class:gene_therapy", "area:rare_genetic", "area:ophthalmology"),
        monthly_hour_limit=8,
        weekly_hours=((TUESDAY, time(10), time(13)), (THURSDAY, time(15), time(18))),
        away_at_christmas=True,
    ),
    DemoMentor(
        email="javier.ortega@mentors.example.net",
        name="Javier Ortega",
        organisation="Ortega CMC Advisory",
        bio="Former head of manufacturing at a cell-therapy CDMO and Qualified Person for "
        "investigational ATMPs. Has set up two GMP clean-room facilities and transferred CAR-T "
        "and mesenchymal stromal cell processes from the bench to GMP. Helps with process "
        "development, comparability, release testing and choosing a CDMO.",
        languages=("es", "en"),
        tags=(
            "topic:cmc_gmp",
            "topic:quality",
            "class:somatic_cell_therapy",
            "class:tissue_engineered",
            "area:oncology",
        ),
        monthly_hour_limit=6,
        weekly_hours=((MONDAY, time(9), time(12)), (WEDNESDAY, time(16), time(19))),
    ),
    DemoMentor(
        email="claire.dubois@mentors.example.net",
        name="Claire Dubois",
        organisation="Venture partner, independent",
        bio="European patent attorney turned investor: ten years of life-science patent "
        "prosecution, then partner at a venture fund investing in seed and Series A cell and "
        "gene therapy companies. Reviews freedom to operate, licences from universities and "
        "pitch decks before a round.",
        languages=("en", "es"),
        tags=("topic:ip", "topic:fundraising", "topic:business_development"),
        monthly_hour_limit=6,
        weekly_hours=((WEDNESDAY, time(9, 30), time(12, 30)), (FRIDAY, time(10), time(13))),
    ),
    DemoMentor(
        email="andreu.camps@mentors.example.net",
        name="Andreu Camps",
        organisation="Camps Clinical & Access",
        bio="Neurologist and former medical director for rare diseases at a European "
        "pharmaceutical company; designed first-in-human and pivotal trials of two gene "
        "therapies and negotiated their pricing and reimbursement in Spain, France and Germany. "
        "Helps with clinical development plans, endpoints regulators and payers accept, and the "
        "evidence health technology assessment bodies ask for.",
        languages=("ca", "es", "en"),
        tags=(
            "topic:clinical",
            "topic:market_access",
            "area:neurology",
            "area:rare_genetic",
            "area:cardiovascular",
        ),
        monthly_hour_limit=10,
        weekly_hours=((TUESDAY, time(16), time(19)), (THURSDAY, time(9), time(12))),
    ),
)
REGULATORY, CMC, IP_FUNDING, CLINICAL = (mentor.email for mentor in DEMO_MENTORS)


@dataclass(frozen=True)
class DemoSession:
    """A session a member of a demo project requested `requested_days_ago`, in the first slot
    the mentor offered then that starts at least `starts_in_days` from now (negative: past)."""

    mentor: str
    member: str
    length_minutes: int
    agenda: str
    requested_days_ago: float
    outcome: SessionStatus
    starts_in_days: float | None = None
    notes: str = ""
    action_items: str = ""
    rating: int | None = None
    rating_comment: str = ""
    cancelled_days_ago: float | None = None
    cancellation_reason: str = ""


# Oldest first, so each request sees the sessions made before it.
DEMO_SESSIONS = (
    DemoSession(
        mentor=REGULATORY,
        member="laura@genret.example.org",
        length_minutes=60,
        agenda="Preparing our scientific advice request to AEMPS: which questions to ask on the "
        "non-clinical package and on the potency assay.",
        requested_days_ago=75,
        outcome=SessionStatus.HELD,
        notes="Reviewed the draft briefing document. The GLP toxicology package looks sufficient "
        "for a first-in-human study; the potency assay is the weak point and AEMPS will ask how "
        "it reflects the mechanism of action. Recommended national scientific advice first, "
        "then EMA scientific advice once the pivotal design is clearer.",
        action_items="Add a potency assay qualification plan to the briefing document\n"
        "List the three questions for AEMPS and share them before the next session\n"
        "Check eligibility for the EMA fee reductions for SMEs",
        rating=5,
        rating_comment="Clear and practical: we now know what to ask, and in which order.",
    ),
    DemoSession(
        mentor=CMC,
        member="jordi.ferrer@cellvia.example.org",
        length_minutes=90,
        agenda="Transferring our CAR-T process to a CDMO: what to fix before we sign.",
        requested_days_ago=60,
        outcome=SessionStatus.HELD,
        notes="Walked through the process from apheresis to fill and finish. The manual "
        "transduction step and the open culture bags are the main GMP risks. Comparability "
        "between research and GMP lots must be planned now, with release specifications frozen "
        "before the transfer starts.",
        action_items="Draft a comparability protocol (identity, potency, vector copy number)\n"
        "Ask two CDMOs for closed, automated manufacturing options\n"
        "Freeze the release specifications before the transfer kick-off",
        rating=4,
        rating_comment="Very useful; we would have liked more time on the release assays.",
    ),
    DemoSession(
        mentor=IP_FUNDING,
        member="oriol@ub.example.edu",
        length_minutes=60,
        agenda="A licence from the university for a spin-off, and preparing a seed round.",
        requested_days_ago=50,
        outcome=SessionStatus.HELD,
        notes="The patent family belongs to the university: investors will want an exclusive "
        "licence in the ATMP field before they look at a spin-off. Discussed usual royalty and "
        "milestone ranges and what investors check in a data room.",
        action_items="Ask the technology transfer office for a term sheet for an exclusive "
        "field licence\n"
        "Prepare a one-page IP summary (families, territories, expiry dates)\n"
        "Shortlist five seed investors active in regenerative medicine",
        rating=5,
        rating_comment="Exactly what we needed before talking to the technology transfer office.",
    ),
    DemoSession(
        mentor=CLINICAL,
        member="ines@neurogene.example.org",
        length_minutes=60,
        agenda="Endpoints for the phase 1/2 extension and an early dialogue with payers.",
        requested_days_ago=40,
        outcome=SessionStatus.HELD,
        notes="Motor milestones (CHOP INTEND, Bayley-III) are accepted by regulators; payers in "
        "Spain will also ask for survival without permanent ventilation and for durability. "
        "Recommended a joint scientific consultation with regulators and HTA bodies.",
        action_items="Add survival without permanent ventilation as a key secondary endpoint\n"
        "Estimate the budget impact for Spain from the prevalence data\n"
        "Apply for a joint scientific consultation",
        rating=4,
        rating_comment="Good insight into what payers will ask of us.",
    ),
    DemoSession(
        mentor=IP_FUNDING,
        member="marc@ocucell.example.org",
        length_minutes=60,
        agenda="Valuation and investor pitch for our seed round.",
        requested_days_ago=12,
        outcome=SessionStatus.CANCELLED,
        starts_in_days=1,
        cancelled_days_ago=2,
        cancellation_reason="Our seed round has moved to next quarter; we will book again once "
        "the term sheet is in.",
    ),
    DemoSession(
        mentor=REGULATORY,
        member="ines@neurogene.example.org",
        length_minutes=60,
        agenda="PRIME eligibility: are our phase 1 data enough to apply?",
        requested_days_ago=4,
        outcome=SessionStatus.CONFIRMED,
        starts_in_days=3,
    ),
    DemoSession(
        mentor=CLINICAL,
        member="ane@cardioregen.example.org",
        length_minutes=90,
        agenda="First-in-human design for an epicardial patch: endpoints, control group and "
        "follow-up.",
        requested_days_ago=3,
        outcome=SessionStatus.CONFIRMED,
        starts_in_days=5,
    ),
    DemoSession(
        mentor=CMC,
        member="oriol@ub.example.edu",
        length_minutes=60,
        agenda="Scaling up our bioreactor process: GMP-grade scaffolds and in-process controls.",
        requested_days_ago=0.75,
        outcome=SessionStatus.PENDING,
        starts_in_days=7,
    ),
)


def seed_mentoring(*, now: datetime) -> int:
    """The demo mentors, then their sessions unless they already have some."""
    # The services commit, and on SQLite booking starts its write lock with a rollback: what the
    # other seeds added must be committed before.
    db.session.commit()
    created = 0
    for mentor in DEMO_MENTORS:
        created += _ensure_mentor(mentor, now=now)
    if not _demo_mentors_have_sessions():
        for session in DEMO_SESSIONS:
            _seed_session(session, now=now)
        created += len(DEMO_SESSIONS)
    return created


def _ensure_mentor(mentor: DemoMentor, *, now: datetime) -> int:
    if db.session.scalar(select(User.id).where(User.email == mentor.email)):
        return 0
    joined = now - timedelta(days=JOINED_DAYS_AGO)
    user = User(
        created_at=joined,
        email=mentor.email,
        name=mentor.name,
        password_hash=hash_password(MENTOR_PASSWORD),
        email_confirmed_at=joined,
    )
    user.role_grants.append(RoleGrant(role=Role.MENTOR, granted_at=joined))
    db.session.add(user)
    db.session.flush()
    record_audit("user.seeded", by=None, object_type="user", object_id=user.id, now=joined)
    profile = save_mentor_profile(
        user,
        bio=mentor.bio,
        organisation=mentor.organisation,
        languages=list(mentor.languages),
        tags=list(mentor.tags),
        monthly_hour_limit=mentor.monthly_hour_limit,
        minimum_notice_hours=48,
        buffer_minutes=15,
        by=user,
        now=joined,
    )
    for weekday, starts_at, ends_at in mentor.weekly_hours:
        add_availability_rule(
            profile, weekday=weekday, starts_at=starts_at, ends_at=ends_at, by=user, now=joined
        )
    if mentor.away_at_christmas:
        first_day, last_day = christmas_holidays(as_madrid(now).date())
        add_availability_exception(
            profile,
            first_day=first_day,
            last_day=last_day,
            note="Christmas holidays",
            by=user,
            now=joined,
        )
    return 1


def christmas_holidays(today: date) -> tuple[date, date]:
    """23 December to Epiphany (6 January): the holidays under way, or else the next ones."""
    year = today.year - 1 if today <= date(today.year, 1, 6) else today.year
    return date(year, 12, 23), date(year + 1, 1, 6)


def _demo_mentors_have_sessions() -> bool:
    return (
        db.session.scalar(
            select(MentoringSession.id)
            .join(MentorProfile, MentorProfile.id == MentoringSession.mentor_id)
            .join(User, User.id == MentorProfile.user_id)
            .where(User.email.in_([mentor.email for mentor in DEMO_MENTORS]))
            .limit(1)
        )
        is not None
    )


def _seed_session(demo: DemoSession, *, now: datetime) -> MentoringSession:
    mentor_user = _user(demo.mentor)
    member = _user(demo.member)
    mentor = db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == mentor_user.id))
    project = db.session.scalar(
        select(Project)
        .where(Project.organisation_id == member.organisation_id)
        .order_by(Project.created_at, Project.id)
        .limit(1)
    )
    requested_at = now - timedelta(days=demo.requested_days_ago)
    slot = _first_slot(mentor, demo, requested_at=requested_at, now=now)
    session = request_session(
        project,
        mentor,
        starts_at=slot.starts_at,
        length_minutes=demo.length_minutes,
        agenda=demo.agenda,
        by=member,
        now=requested_at,
    )
    if demo.outcome == SessionStatus.PENDING:
        return session
    confirm_session(session, by=mentor_user, now=requested_at + timedelta(hours=3))
    if demo.outcome == SessionStatus.CANCELLED:
        cancelled_at = now - timedelta(days=demo.cancelled_days_ago)
        return cancel_session(session, reason=demo.cancellation_reason, by=member, now=cancelled_at)
    if demo.outcome == SessionStatus.HELD:
        ended = slot.ends_at
        record_outcome(
            session, outcome=SessionStatus.HELD, by=mentor_user, now=ended + timedelta(minutes=30)
        )
        save_notes(
            session,
            notes=demo.notes,
            action_items=demo.action_items,
            by=mentor_user,
            now=ended + timedelta(hours=3),
        )
        rate_session(
            session,
            rating=demo.rating,
            comment=demo.rating_comment,
            by=member,
            now=ended + timedelta(days=1),
        )
    return session


def _first_slot(
    mentor: MentorProfile, demo: DemoSession, *, requested_at: datetime, now: datetime
) -> Slot:
    """The first slot offered at `requested_at` that starts late enough and, for a session held
    and rated, ended a day before `now`."""
    if demo.starts_in_days is None:
        earliest, latest_end = requested_at, now - timedelta(days=1)
    else:
        earliest, latest_end = now + timedelta(days=demo.starts_in_days), None
    for slot in bookable_slots(mentor, length_minutes=demo.length_minutes, now=requested_at):
        if slot.starts_at >= earliest and (latest_end is None or slot.ends_at <= latest_end):
            return slot
    raise LookupError(f"{demo.mentor} offered no slot for the demo session: {demo.agenda}")


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))
