"""throttle counters

Counts attempts at login, registration, password reset and confirmation resend per keyed hash
of an IP or email address and fixed window, so that limits hold across workers and servers.
No data migration: counting starts from nothing.

Revision ID: 544cc8c832de
Revises: 8b2e5d7c4a19
Create Date: 2026-12-06 21:34:04.660777

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "544cc8c832de"
down_revision = "8b2e5d7c4a19"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "throttle_counters",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempts >= 1", name=op.f("ck_throttle_counters_attempts_positive")),
        sa.PrimaryKeyConstraint(
            "scope", "key_hash", "window_start", name=op.f("pk_throttle_counters")
        ),
    )
    with op.batch_alter_table("throttle_counters", schema=None) as batch_op:
        batch_op.create_index("ix_throttle_counters_expires_at", ["expires_at"], unique=False)


def downgrade():
    with op.batch_alter_table("throttle_counters", schema=None) as batch_op:
        batch_op.drop_index("ix_throttle_counters_expires_at")

    op.drop_table("throttle_counters")
