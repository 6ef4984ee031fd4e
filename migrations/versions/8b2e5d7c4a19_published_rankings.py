"""published rankings: the record of a call's results as they were published

Revision ID: 8b2e5d7c4a19
Revises: 3f6c2a9d81b4
Create Date: 2026-12-06 22:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "8b2e5d7c4a19"
down_revision = "3f6c2a9d81b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "published_rankings",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_published_rankings_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_published_rankings_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_published_rankings")),
    )
    with op.batch_alter_table("published_rankings") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_published_rankings_call_id"), ["call_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("published_rankings") as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_rankings_call_id"))
    op.drop_table("published_rankings")
