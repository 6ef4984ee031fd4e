"""review phase closed early; a second active project per organisation needs a reason

Calls record when the programme office closed the review phase before its deadline. A decision
and its project record why a manager let an organisation hold a second active project; a
partial unique index allows one active project per organisation otherwise.

Revision ID: 3f6c2a9d81b4
Revises: eda37387bdfe
Create Date: 2026-12-06 22:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3f6c2a9d81b4"
down_revision = "eda37387bdfe"
branch_labels = None
depends_on = None

ONE_ACTIVE_PER_ORGANISATION = sa.text("status = 'active' AND second_project_reason IS NULL")


def upgrade():
    with op.batch_alter_table("calls") as batch_op:
        batch_op.add_column(sa.Column("review_closed_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.add_column(sa.Column("second_project_reason", sa.Text()))
    with op.batch_alter_table("projects") as batch_op:
        batch_op.add_column(sa.Column("second_project_reason", sa.Text()))
    op.create_index(
        "uq_projects_one_active_per_organisation",
        "projects",
        ["organisation_id"],
        unique=True,
        sqlite_where=ONE_ACTIVE_PER_ORGANISATION,
        postgresql_where=ONE_ACTIVE_PER_ORGANISATION,
    )


def downgrade():
    op.drop_index("uq_projects_one_active_per_organisation", table_name="projects")
    with op.batch_alter_table("projects") as batch_op:
        batch_op.drop_column("second_project_reason")
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.drop_column("second_project_reason")
    with op.batch_alter_table("calls") as batch_op:
        batch_op.drop_column("review_closed_at")
