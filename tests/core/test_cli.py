"""The flask commands: create-admin and seed-demo."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.core.clock import utcnow
from accelerator.core.models import AuditEntry
from accelerator.demo import DEMO_ACCOUNTS
from accelerator.demo.accounts import DEMO_MEMBERS
from accelerator.demo.calls import DEMO_APPLICATIONS
from accelerator.demo.mentoring import DEMO_MENTORS, DEMO_SESSIONS, MENTOR_PASSWORD
from accelerator.extensions import db
from accelerator.mentoring.enums import SessionStatus, Side
from accelerator.mentoring.models import (
    AvailabilityException,
    AvailabilityRule,
    MentoringSession,
    MentorProfile,
)
from tests.conftest import post_form
from tests.factories import make_user

ADMIN_PASSWORD = "a long admin password"


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).unique().one()


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_create_admin_for_new_email_creates_confirmed_manager(app, run_command):
    result = run_command(app, "create-admin", "Boss@Example.org", "--password", ADMIN_PASSWORD)

    assert (result.exit_code, result.output) == (0, "boss@example.org is a programme manager.\n")
    admin = _user("boss@example.org")
    assert admin.roles == {Role.PROGRAMME_MANAGER}
    assert admin.email_confirmed


def test_create_admin_with_short_password_is_refused(app, run_command):
    result = run_command(app, "create-admin", "boss@example.org", "--password", "short")

    assert result.exit_code == 1
    assert result.stderr == "Error: Use at least 12 characters.\n"
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_for_existing_applicant_adds_the_role_audited(app, run_command):
    applicant = make_user(Role.APPLICANT, email="jordi@example.org")
    password_hash = applicant.password_hash

    result = run_command(app, "create-admin", "jordi@example.org", "--password", ADMIN_PASSWORD)

    assert result.exit_code == 0
    db.session.expire_all()
    assert applicant.roles == {Role.APPLICANT, Role.PROGRAMME_MANAGER}
    assert applicant.password_hash == password_hash
    [entry] = db.session.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.actor_id, entry.object_type, entry.object_id) == (
        "role.granted",
        None,
        "user",
        applicant.id,
    )
    assert entry.details == {"role": "programme_manager", "via": "create-admin"}


def test_seed_demo_run_twice_creates_nothing_the_second_time(app, run_command):
    first = run_command(app, "seed-demo")
    counts_after_first = _row_counts()

    second = run_command(app, "seed-demo")

    assert (first.exit_code, first.output) == (0, "Demo data ready (37 new records).\n")
    assert (second.exit_code, second.output) == (0, "Demo data ready (0 new records).\n")
    assert _row_counts() == counts_after_first
    assert counts_after_first["users"] == len(DEMO_ACCOUNTS) + len(DEMO_MEMBERS) + 4
    assert counts_after_first["calls"] == 3  # decided, in review, open
    # the open call has one per demo organisation; the decided call too; the call in review four
    assert counts_after_first["applications"] == 2 * len(DEMO_APPLICATIONS) + 4
    assert counts_after_first["projects"] == len(DEMO_APPLICATIONS)
    assert counts_after_first["mentor_profiles"] == 4
    assert counts_after_first["mentoring_sessions"] == len(DEMO_SESSIONS) == 8


def test_seed_demo_manager_signs_in_through_the_login_form(app, client, run_command):
    run_command(app, "seed-demo")
    email, name, password, roles, _ = DEMO_ACCOUNTS[0]
    assert roles == (Role.PROGRAMME_MANAGER,)

    response = post_form(client, "/login", {"email": email, "password": password})

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f"Welcome, {name}." in dashboard
    assert '<a class="nav-link" href="/users">Users</a>' in dashboard


def test_seed_demo_mentors_have_profiles_weekly_hours_and_a_christmas_break(app, run_command):
    run_command(app, "seed-demo")

    profiles = db.session.scalars(
        select(MentorProfile)
        .join(MentorProfile.user)
        .where(User.email.like("%@demo-mentors.atmpcatalyst.eu"))
        .order_by(User.name)
    ).all()
    assert [profile.user.name for profile in profiles] == [
        "Andreu Camps",
        "Claire Dubois",
        "Javier Ortega",
        "Montserrat Rius",
    ]
    assert all(profile.user.roles == {Role.MENTOR} for profile in profiles)
    assert all(profile.user.email_confirmed for profile in profiles)
    assert all(profile.bio and profile.organisation for profile in profiles)
    regulatory = profiles[3]
    assert regulatory.language_codes == {"ca", "es", "en"}
    assert {"topic:regulatory", "class:gene_therapy"} <= regulatory.tags
    rules = db.session.scalars(
        select(AvailabilityRule)
        .where(AvailabilityRule.mentor_id == regulatory.id)
        .order_by(AvailabilityRule.weekday)
    ).all()
    assert [(rule.weekday, f"{rule.starts_at:%H:%M}–{rule.ends_at:%H:%M}") for rule in rules] == [
        (1, "10:00–13:00"),
        (3, "15:00–18:00"),
    ]
    assert db.session.scalar(select(func.count()).select_from(AvailabilityRule)) == 8
    [away] = db.session.scalars(select(AvailabilityException)).all()
    assert (away.mentor_id, away.note) == (regulatory.id, "Christmas holidays")
    assert (f"{away.first_day:%m-%d}", f"{away.last_day:%m-%d}") == ("12-23", "01-06")
    assert away.last_day.year == away.first_day.year + 1


def test_seed_demo_sessions_are_held_rated_confirmed_pending_and_cancelled(app, run_command):
    before = utcnow()
    run_command(app, "seed-demo")

    sessions = db.session.scalars(
        select(MentoringSession)
        .options(joinedload(MentoringSession.feedback), joinedload(MentoringSession.project))
        .order_by(MentoringSession.starts_at)
    ).all()
    by_status = {}
    for session in sessions:
        by_status.setdefault(session.status, []).append(session)
    assert {status: len(found) for status, found in by_status.items()} == {
        SessionStatus.HELD: 4,
        SessionStatus.CANCELLED: 1,
        SessionStatus.CONFIRMED: 2,
        SessionStatus.PENDING: 1,
    }
    assert [held.feedback.rating for held in by_status[SessionStatus.HELD]] == [5, 4, 5, 4]
    for held in by_status[SessionStatus.HELD]:
        assert held.ends_at < before
        assert held.charged is True
        assert held.notes != ""
        assert len(held.action_item_list) == 3
        rater = db.session.get(User, held.feedback.given_by_id)
        assert rater.organisation_id == held.project.organisation_id  # a project member
    assert all(s.starts_at > before for s in by_status[SessionStatus.CONFIRMED])
    assert all(s.starts_at > before for s in by_status[SessionStatus.PENDING])
    [cancelled] = by_status[SessionStatus.CANCELLED]
    assert cancelled.cancelled_by_side == Side.PROJECT
    assert cancelled.starts_at - cancelled.cancelled_at > timedelta(hours=24)
    assert cancelled.charged is False


def test_seed_demo_mentor_signs_in_through_the_login_form(app, client, run_command):
    run_command(app, "seed-demo")

    response = post_form(
        client, "/login", {"email": DEMO_MENTORS[0].email, "password": MENTOR_PASSWORD}
    )

    assert (response.status_code, response.headers["Location"]) == (302, "/dashboard")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f"Welcome, {DEMO_MENTORS[0].name}." in dashboard
