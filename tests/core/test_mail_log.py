"""With MAIL_TRANSPORT=log each email shows in the server log (recipient, subject, links), never
its body; with SMTP no log line holds a body or a link."""

import logging
import re

from sqlalchemy import select

from accelerator.accounts import services
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from tests.accounts.conftest import NOW
from tests.conftest import post_form
from tests.core.test_config import FLASK, run_in_clean_environment

EMAIL = "ada@example.org"
BODY_LINE = "Please confirm your email address for ATMP Catalyst"
REGISTRATION = {
    "name": "Ada Lovelace",
    "email": EMAIL,
    "password": "analytical engine",
    "confirm": "analytical engine",
}


def mail_log_lines(caplog) -> list[tuple[int, str]]:
    return [
        (record.levelno, record.getMessage())
        for record in caplog.records
        if record.name == "accelerator.core.mail"
    ]


def confirmation_link() -> str:
    message = db.session.scalars(select(OutboxMessage)).one()
    (link,) = re.findall(r"https?://\S+", message.body_text)
    return link


def test_log_transport_logs_recipient_subject_and_links_but_not_the_body(make_app, caplog):
    logging_app = make_app(MAIL_TRANSPORT="log")

    response = post_form(logging_app.test_client(), "/register", REGISTRATION)

    assert response.status_code == 200
    line = f"email to {EMAIL}: Confirm your email address; links: {confirmation_link()}"
    assert mail_log_lines(caplog) == [(logging.INFO, line)]
    assert BODY_LINE not in caplog.text


def test_smtp_transport_logs_nothing_when_the_email_is_sent(client, caplog):
    caplog.set_level(logging.DEBUG, logger="accelerator.core.mail")

    response = post_form(client, "/register", REGISTRATION)

    assert response.status_code == 200
    assert db.session.scalars(select(OutboxMessage.sent_at)).one() is not None
    assert mail_log_lines(caplog) == []


def test_smtp_failure_logs_the_recipient_and_the_error_only(make_app, free_port, caplog):
    caplog.set_level(logging.DEBUG, logger="accelerator.core.mail")
    unreachable = make_app(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())

    post_form(unreachable.test_client(), "/register", REGISTRATION)

    [(level, line)] = mail_log_lines(caplog)
    assert level == logging.WARNING
    assert line.startswith(f"email 1 to {EMAIL} not sent: [Errno 111] Connection refused")
    assert confirmation_link() not in caplog.text
    assert BODY_LINE not in caplog.text


def test_log_transport_line_reaches_the_stderr_of_a_development_flask_command(app, database_url):
    services.register_user(email=EMAIL, name="Ada Lovelace", password="analytical engine", now=NOW)
    link = confirmation_link()

    result = run_in_clean_environment(
        str(FLASK),
        "--app",
        "wsgi",
        "send-mail",
        ACCELERATOR_ENV="development",
        MAIL_TRANSPORT="log",
        DATABASE_URL=database_url,
    )

    assert (result.returncode, result.stdout) == (0, "1 sent, 0 still waiting.\n")
    assert re.fullmatch(
        rf"\[[\d\- :,]+\] INFO in mail: email to {EMAIL}: Confirm your email address; "
        rf"links: {re.escape(link)}\n",
        result.stderr,
    ), result.stderr
