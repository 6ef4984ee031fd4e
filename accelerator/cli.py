"""Flask commands: create-admin, seed-demo, send-mail, send-reminders."""

import click
from flask import Flask

from accelerator.core.clock import utcnow


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(send_reminders_command)


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Programme manager", show_default=True)
@click.password_option(help="At least 12 characters; asked for when not given.")
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a programme manager account, or give an existing account that role."""
    from accelerator.accounts.services import create_admin
    from accelerator.core.errors import DomainError

    try:
        user = create_admin(email, name=name, password=password, now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{user.email} is a programme manager.")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo accounts and data; running it again changes nothing."""
    from accelerator.demo import seed_demo

    created = seed_demo(now=utcnow())
    click.echo(f"Demo data ready ({created} new records).")


@click.command("send-mail")
def send_mail_command() -> None:
    """Send every email still waiting in the outbox."""
    from accelerator.core.mail import send_outbox

    sent, failed = send_outbox()
    click.echo(f"{sent} sent, {failed} still waiting.")
    if failed:
        raise SystemExit(1)


@click.command("send-reminders")
def send_reminders_command() -> None:
    """Remind reviewers of unsubmitted reviews 7, 3 and 1 days before the deadline, both sides of
    a mentoring session in the 24 hours before it, and projects to rate held sessions (run daily).
    """
    from accelerator.core.mail import send_outbox
    from accelerator.mentoring.reminders import send_feedback_requests, send_session_reminders
    from accelerator.reviews.reminders import send_review_reminders

    now = utcnow()
    reminded = send_review_reminders(now=now)
    sessions_reminded = send_session_reminders(now=now)
    feedback_requested = send_feedback_requests(now=now)
    sent, failed = send_outbox()
    click.echo(f"{reminded} reviewer reminder(s) queued; {sent} email(s) sent, {failed} waiting.")
    click.echo(
        f"{sessions_reminded} mentoring session reminder(s) and"
        f" {feedback_requested} feedback request(s) queued."
    )
