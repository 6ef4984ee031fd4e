"""Emails to the programme office: one to each active programme manager."""

from datetime import datetime

from accelerator.accounts.queries import programme_managers
from accelerator.core.mail import queue_email
from accelerator.extensions import db


def email_programme_managers(subject: str, template: str, *, now: datetime, **context) -> None:
    """Queues the email for every active programme manager; the template gets `manager`."""
    for manager in db.session.scalars(programme_managers()):
        queue_email(manager.email, subject, template, now=now, manager=manager, **context)
