"""The migration that keeps only a hash of each feed's token: the addresses calendar apps hold
keep working, each feed is issued to the person the data can tell (the mentor; whoever reset a
project's or a resource's feed last; else the project's first member or the lab's first staff
member)."""

import hashlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from accelerator.accounts.enums import Role
from accelerator.core.audit import record_audit
from accelerator.extensions import db
from tests.cohorts.conftest import make_project, member_of
from tests.core.conftest import make_app  # noqa: F401 -- the fixture builds the migrated app
from tests.core.test_migrations import empty_database_url  # noqa: F401 -- a fresh database
from tests.factories import make_user
from tests.labs.conftest import NOW, make_lab, make_lab_manager, make_resource
from tests.mentoring.conftest import make_mentor

BEFORE = "df10e02686d8"  # the revision just before the feeds keep a hash
INSERT_FEED = text(
    "INSERT INTO calendar_feeds (token, mentor_id, project_id, resource_id, created_at)"
    " VALUES (:token, :mentor_id, :project_id, :resource_id, :now)"
)


def add_old_feed(token: str, **owner) -> int:
    values = {"mentor_id": None, "project_id": None, "resource_id": None, **owner}
    db.session.execute(INSERT_FEED, {"token": token, "now": NOW, **values})
    return db.session.scalar(text("SELECT id FROM calendar_feeds WHERE token = :t"), {"t": token})


def test_migration_hashes_the_tokens_and_issues_each_feed_to_whom_it_can(
    empty_database_url,  # noqa: F811 -- the fixture imported above
    make_app,  # noqa: F811 -- the fixture imported above
):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision=BEFORE)
        mentor = make_mentor()
        member = member_of()
        project = make_project(member=member)
        lab = make_lab()
        resource = make_resource(lab)
        lab_manager = make_lab_manager(lab)
        add_old_feed("mentor-token", mentor_id=mentor.id)
        add_old_feed("project-token", project_id=project.id)
        reset = add_old_feed("resource-token", resource_id=resource.id)
        for resetter in (make_user(Role.PROGRAMME_MANAGER), lab_manager):  # the last one counts
            record_audit(
                "calendar_feed.reset",
                by=resetter,
                object_type="calendar_feed",
                object_id=reset,
                now=NOW,
            )
        db.session.commit()
        expected = {
            hashlib.sha256(b"mentor-token").hexdigest(): mentor.user.id,
            hashlib.sha256(b"project-token").hexdigest(): member.id,
            hashlib.sha256(b"resource-token").hexdigest(): lab_manager.id,
        }
        db.session.remove()

        upgrade()
        migrated = dict(
            db.session.execute(text("SELECT token_hash, issued_to_id FROM calendar_feeds")).all()
        )
        client = app.test_client()
        answers = [
            client.get(f"/mentoring/calendar/{token}.ics").status_code
            for token in ("mentor-token", "project-token", "resource-token")
        ]
        db.session.remove()
        downgrade(revision=BEFORE)
        tokens = db.session.scalars(text("SELECT token FROM calendar_feeds")).all()
        db.session.remove()

    assert migrated == expected
    assert answers == [200, 200, 200]
    assert [len(token) for token in tokens] == [43, 43, 43]
