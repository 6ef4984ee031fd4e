"""calendar feeds keep a token hash and their issuer

A calendar feed stores the sha256 of its secret token, never the token, and who it was issued
to (the person who created or last reset it): it answers only while they may use it.

Existing rows: the token is hashed in place, so the addresses calendar apps hold keep working.
A mentor's feed is issued to the mentor (nobody else could ever use it); a project's or a
resource's to whoever reset it last (the audit trail says who); one never reset, to the
project's first active member or the lab's first active staff member, who may use it as much
as anyone (nobody: that address stops answering, and the page offers to create a new one).

Downgrade: a hash cannot give the token back, so each feed gets a new random token (the
addresses held stop answering, as after a reset).

Revision ID: f4acc2b20ef7
Revises: df10e02686d8
Create Date: 2026-12-06 10:00:00.000000

"""

import hashlib
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4acc2b20ef7"
down_revision = "df10e02686d8"
branch_labels = None
depends_on = None

LAST_RESET_BY = sa.text(
    "SELECT actor_id FROM audit_entries WHERE action = 'calendar_feed.reset'"
    " AND object_type = 'calendar_feed' AND object_id = :feed_id ORDER BY id DESC LIMIT 1"
)
MENTOR_USER = sa.text("SELECT user_id FROM mentor_profiles WHERE id = :mentor_id")
FIRST_PROJECT_MEMBER = sa.text(
    "SELECT users.id FROM users JOIN projects ON projects.organisation_id = users.organisation_id"
    " WHERE projects.id = :project_id AND users.active ORDER BY users.id LIMIT 1"
)
FIRST_LAB_STAFF = sa.text(
    "SELECT users.id FROM users JOIN lab_staff ON lab_staff.user_id = users.id"
    " JOIN lab_resources ON lab_resources.lab_id = lab_staff.lab_id"
    " WHERE lab_resources.id = :resource_id AND users.active ORDER BY users.id LIMIT 1"
)


def upgrade():
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("issued_to_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_calendar_feeds_issued_to_id_users"),
            "users",
            ["issued_to_id"],
            ["id"],
            ondelete="SET NULL",
        )

    connection = op.get_bind()
    feeds = connection.execute(
        sa.text("SELECT id, token, mentor_id, project_id, resource_id FROM calendar_feeds")
    ).all()
    for feed_id, token, mentor_id, project_id, resource_id in feeds:
        if mentor_id is not None:
            issuer = connection.execute(MENTOR_USER, {"mentor_id": mentor_id}).scalar()
        else:
            issuer = connection.execute(LAST_RESET_BY, {"feed_id": feed_id}).scalar()
        if issuer is None and project_id is not None:
            issuer = connection.execute(FIRST_PROJECT_MEMBER, {"project_id": project_id}).scalar()
        if issuer is None and resource_id is not None:
            issuer = connection.execute(FIRST_LAB_STAFF, {"resource_id": resource_id}).scalar()
        connection.execute(
            sa.text(
                "UPDATE calendar_feeds SET token_hash = :token_hash, issued_to_id = :issuer"
                " WHERE id = :feed_id"
            ),
            {
                "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                "issuer": issuer,
                "feed_id": feed_id,
            },
        )

    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_calendar_feeds_token"), type_="unique")
        batch_op.drop_column("token")
        batch_op.alter_column("token_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_calendar_feeds_token_hash"), ["token_hash"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_calendar_feeds_token_hash_is_sha256"), "length(token_hash) = 64"
        )


def downgrade():
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token", sa.String(length=64), nullable=True))

    connection = op.get_bind()
    for (feed_id,) in connection.execute(sa.text("SELECT id FROM calendar_feeds")).all():
        connection.execute(
            sa.text("UPDATE calendar_feeds SET token = :token WHERE id = :feed_id"),
            {"token": secrets.token_urlsafe(32), "feed_id": feed_id},
        )

    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_calendar_feeds_token_hash_is_sha256"), type_="check"
        )
        batch_op.drop_constraint(batch_op.f("uq_calendar_feeds_token_hash"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_calendar_feeds_issued_to_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("issued_to_id")
        batch_op.drop_column("token_hash")
        batch_op.alter_column("token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_calendar_feeds_token"), ["token"])
