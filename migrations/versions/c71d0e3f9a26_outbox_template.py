"""outbox messages name the kind of email (its template)

Revision ID: c71d0e3f9a26
Revises: 544cc8c832de
Create Date: 2026-12-06 23:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c71d0e3f9a26"
down_revision = "544cc8c832de"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.add_column(sa.Column("template", sa.String(length=64)))


def downgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_column("template")
