"""The row lock on a project that its bookings (mentoring hours, lab hours) take first."""

from sqlalchemy import select

from accelerator.cohorts.models import Project
from accelerator.extensions import db


def lock_project(project_id: int) -> None:
    """PostgreSQL: holds the project's row until commit, so that two bookings of the project
    count its hours one after the other. FOR NO KEY UPDATE leaves foreign-key checks of other
    rows pointing at the project free to proceed."""
    db.session.execute(
        select(Project.id)
        .where(Project.id == project_id)
        .with_for_update(of=Project, key_share=True)
    )
