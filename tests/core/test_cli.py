"""The flask commands: create-admin and seed-demo."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.models import AuditEntry
from accelerator.demo import DEMO_ACCOUNTS
from accelerator.demo.accounts import DEMO_MEMBERS
from accelerator.demo.calls import DEMO_APPLICATIONS
from accelerator.demo.lab_bookings_data import DEMO_BOOKINGS
from accelerator.demo.labs_data import DEMO_RESOURCES, LAB_MANAGER
from accelerator.demo.mentoring import DEMO_MENTORS, DEMO_SESSIONS, MENTOR_PASSWORD
from accelerator.extensions import db
from accelerator.labs.enums import (
    EXPIRY_WARNING_DAYS,
    BookingStatus,
    CleanroomGrade,
    ResourceKind,
)
from accelerator.labs.models import (
    Authorisation,
    Blackout,
    Lab,
    LabBooking,
    LabClosure,
    LabStaff,
    Resource,
)
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

    assert (first.exit_code, first.output) == (0, "Demo data ready (83 new records).\n")
    assert (second.exit_code, second.output) == (0, "Demo data ready (0 new records).\n")
    assert _row_counts() == counts_after_first
    assert counts_after_first["users"] == len(DEMO_ACCOUNTS) + len(DEMO_MEMBERS) + 4
    assert counts_after_first["calls"] == 3  # decided, in review, open
    # the open call has one per demo organisation; the decided call too; the call in review four
    assert counts_after_first["applications"] == 2 * len(DEMO_APPLICATIONS) + 4
    assert counts_after_first["projects"] == len(DEMO_APPLICATIONS)
    assert counts_after_first["mentor_profiles"] == 4
    assert counts_after_first["mentoring_sessions"] == len(DEMO_SESSIONS) == 8
    assert counts_after_first["labs"] == 2
    assert counts_after_first["lab_resources"] == len(DEMO_RESOURCES) == 8
    assert counts_after_first["lab_trainings"] == 6
    assert counts_after_first["lab_authorisations"] == 11
    assert counts_after_first["lab_bookings"] == len(DEMO_BOOKINGS) == 14


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
        .where(User.email.like("%@mentors.example.net"))
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


def test_seed_demo_labs_have_hours_closures_a_blackout_and_the_demo_lab_manager(app, run_command):
    run_command(app, "seed-demo")

    labs = db.session.scalars(select(Lab).order_by(Lab.name)).all()
    assert [lab.name for lab in labs] == ["Barcelona Science Park", "Leitat"]
    science_park, leitat = labs
    assert "Baldiri Reixac 4–8" in science_park.address
    assert "Terrassa" in leitat.address
    assert all(lab.contact_email for lab in labs)

    def hours(lab):
        return [
            (hours.weekday, f"{hours.opens_at:%H:%M}–{hours.closes_at:%H:%M}")
            for hours in lab.opening_hours
        ]

    assert hours(leitat) == [
        *((weekday, "08:00–20:00") for weekday in range(5)),
        (5, "09:00–14:00"),
    ]
    assert hours(science_park) == [
        *((weekday, "08:00–20:00") for weekday in range(4)),
        (4, "08:00–15:00"),
    ]
    today = as_madrid(utcnow()).date()
    closures = db.session.scalars(select(LabClosure).order_by(LabClosure.lab_id)).all()
    assert [closure.lab_id for closure in closures] == [leitat.id, science_park.id]
    assert all(today < closure.first_day == closure.last_day for closure in closures)
    assert closures[1].reason == "La Mercè, Barcelona's local holiday"
    assert f"{closures[1].first_day:%m-%d}" == "09-24"
    [blackout] = db.session.scalars(select(Blackout)).all()
    cytometer = db.session.get(Resource, blackout.resource_id)
    assert (cytometer.name, blackout.lab_id) == ("Flow cytometer (BD FACSymphony)", science_park.id)
    starts = as_madrid(blackout.starts_at)
    assert (starts.month - today.month) % 12 == 1
    assert (starts.weekday(), f"{starts:%H:%M}") == (0, "08:00")
    assert blackout.reason == "Annual service visit by BD Biosciences"
    manager = _user(LAB_MANAGER)
    assert manager.roles == {Role.LAB_MANAGER}
    staff = db.session.scalars(select(LabStaff).order_by(LabStaff.lab_id)).all()
    assert [(member.lab_id, member.user_id) for member in staff] == [
        (leitat.id, manager.id),
        (science_park.id, manager.id),
    ]


def test_seed_demo_resources_have_attributes_and_required_trainings(app, run_command):
    run_command(app, "seed-demo")

    resources = db.session.scalars(
        select(Resource).join(Resource.lab).order_by(Lab.name, Resource.name)
    ).all()
    assert [(resource.lab.name, resource.name) for resource in resources] == [
        ("Barcelona Science Park", "Bioreactor (Xcellerex 50 L)"),
        ("Barcelona Science Park", "Cell culture suite CC-2"),
        ("Barcelona Science Park", "Flow cytometer (BD FACSymphony)"),
        ("Barcelona Science Park", "Grade D clean room"),
        ("Leitat", "Cryostorage rack"),
        ("Leitat", "GMP clean room B1"),
        ("Leitat", "QC analytics lab"),
        ("Leitat", "Viral vector suite"),
    ]
    clean_room = resources[5]
    assert (
        clean_room.kind,
        clean_room.cleanroom_grade,
        clean_room.containment_level,
        clean_room.gmp_certified,
        clean_room.booking_step_minutes,
        clean_room.minimum_minutes,
        clean_room.maximum_minutes,
        clean_room.minimum_notice_hours,
        clean_room.needs_approval,
        clean_room.hourly_rate_cents,
    ) == (ResourceKind.GMP_CLEAN_ROOM, CleanroomGrade.B, 2, True, 30, 120, 480, 48, True, 25_000)
    assert [training.name for training in clean_room.required_trainings] == [
        "BSL-2 induction",
        "Grade B gowning",
    ]
    assert all(training.lab_id == clean_room.lab_id for training in clean_room.required_trainings)
    cytometer = resources[2]
    assert (cytometer.needs_approval, cytometer.booking_step_minutes) == (False, 60)
    assert [training.name for training in cytometer.required_trainings] == [
        "Flow cytometer operation"
    ]
    assert {resource.cleanroom_grade for resource in resources} == set(CleanroomGrade) - {
        CleanroomGrade.A
    }
    assert sum(1 for resource in resources if resource.required_trainings) == 7
    assert all(resource.hourly_rate_cents > 0 for resource in resources)


def test_seed_demo_authorisations_include_one_expiring_soon_and_one_expired(app, run_command):
    run_command(app, "seed-demo")
    today = as_madrid(utcnow()).date()

    authorisations = db.session.scalars(select(Authorisation)).all()
    expiring = [
        authorisation
        for authorisation in authorisations
        if today <= authorisation.expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS)
    ]
    expired = [
        authorisation for authorisation in authorisations if authorisation.expires_on < today
    ]

    assert [(a.user.email, a.training.name) for a in expiring] == [
        ("ines@neurogene.example.org", "BSL-2 induction")
    ]
    assert [(a.user.email, a.training.name) for a in expired] == [
        ("marc@ocucell.example.org", "Flow cytometer operation")
    ]
    manager = _user(LAB_MANAGER)
    assert all(a.recorded_by_id == manager.id for a in authorisations)
    assert all(a.user.organisation_id is not None for a in authorisations)
    assert all(a.granted_on < a.expires_on for a in authorisations)


def test_seed_demo_bookings_are_in_every_state_and_follow_the_rules(app, run_command):
    before = utcnow()
    run_command(app, "seed-demo")
    after = utcnow()

    bookings = db.session.scalars(
        select(LabBooking)
        .options(
            joinedload(LabBooking.resource),
            joinedload(LabBooking.project),
            joinedload(LabBooking.operator),
        )
        .order_by(LabBooking.starts_at)
    ).all()
    by_status = {}
    for booking in bookings:
        by_status.setdefault(booking.status, []).append(booking)
    assert {status: len(found) for status, found in by_status.items()} == {
        BookingStatus.COMPLETED: 2,
        BookingStatus.NO_SHOW: 1,
        BookingStatus.APPROVED: 5,
        BookingStatus.PENDING: 4,
        BookingStatus.REJECTED: 1,
        BookingStatus.CANCELLED: 1,
    }
    manager = _user(LAB_MANAGER)
    for booking in bookings:
        assert booking.operator.organisation_id == booking.project.organisation_id
        assert booking.created_at <= after
        assert booking.purpose != ""
    for used in by_status[BookingStatus.COMPLETED] + by_status[BookingStatus.NO_SHOW]:
        assert used.ends_at < before
        assert used.decided_by_id == manager.id
    for held in by_status[BookingStatus.APPROVED] + by_status[BookingStatus.PENDING]:
        assert held.starts_at > before
    assert all(b.resource.needs_approval for b in by_status[BookingStatus.PENDING])
    # approved by the lab manager, or at once by a resource that needs no approval
    assert sorted(
        (b.resource.needs_approval, b.decided_by_id) for b in by_status[BookingStatus.APPROVED]
    ) == [(False, None), (False, None), (True, manager.id), (True, manager.id), (True, manager.id)]
    [rejected] = by_status[BookingStatus.REJECTED]
    assert rejected.rejection_reason.startswith("Our biosafety officer")
    [cancelled] = by_status[BookingStatus.CANCELLED]
    assert cancelled.created_at < cancelled.cancelled_at < cancelled.starts_at
    assert cancelled.cancelled_by_id == cancelled.booked_by_id
