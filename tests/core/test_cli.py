"""The flask commands: create-admin and seed-demo."""

from sqlalchemy import func, select

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.core.models import AuditEntry
from accelerator.demo import DEMO_ACCOUNTS
from accelerator.demo.accounts import DEMO_MEMBERS
from accelerator.demo.calls import DEMO_APPLICATIONS
from accelerator.extensions import db
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

    assert (first.exit_code, first.output) == (0, "Demo data ready (25 new records).\n")
    assert (second.exit_code, second.output) == (0, "Demo data ready (0 new records).\n")
    assert _row_counts() == counts_after_first
    assert counts_after_first["users"] == len(DEMO_ACCOUNTS) + len(DEMO_MEMBERS)
    assert counts_after_first["calls"] == 3  # decided, in review, open
    # the open call has one per demo organisation; the decided call too; the call in review four
    assert counts_after_first["applications"] == 2 * len(DEMO_APPLICATIONS) + 4
    assert counts_after_first["projects"] == len(DEMO_APPLICATIONS)


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
