"""The mail outbox over real SMTP: a failed send keeps the action and is retried later."""

from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from tests.conftest import post_form

EMAIL = "ada@example.org"


class StoringHandler:
    """Keeps every message the sink accepts."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink(free_port):
    handler = StoringHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def _outbox():
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_outbox_email_failed_over_smtp_keeps_registration_and_is_sent_on_retry(
    app, make_app, run_command, smtp_sink, free_port
):
    controller, sink = smtp_sink
    unreachable = make_app(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())

    response = post_form(
        unreachable.test_client(),
        "/register",
        {
            "name": "Ada Lovelace",
            "email": EMAIL,
            "password": "analytical engine",
            "confirm": "analytical engine",
        },
    )

    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    user = db.session.scalars(select(User).where(User.email == EMAIL)).one()
    assert user.roles == {Role.APPLICANT}
    [queued] = _outbox()
    assert (queued.recipient, queued.sent_at, queued.attempts) == (EMAIL, None, 1)
    assert queued.last_error.startswith("ConnectionRefusedError: ")

    sink_app = make_app(
        MAIL_SUPPRESS_SEND=False, MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port
    )
    first = run_command(sink_app, "send-mail")

    assert (first.exit_code, first.output) == (0, "1 sent, 0 still waiting.\n")
    [envelope] = sink.envelopes
    delivered = message_from_bytes(envelope.original_content)
    assert envelope.rcpt_tos == [EMAIL]
    assert str(make_header(decode_header(delivered["Subject"]))) == "Confirm your email address"
    assert delivered["To"] == EMAIL
    db.session.expire_all()
    [sent] = _outbox()
    assert (sent.attempts, sent.last_error) == (2, None)
    assert sent.sent_at is not None

    again = run_command(sink_app, "send-mail")

    assert (again.exit_code, again.output) == (0, "0 sent, 0 still waiting.\n")
    assert len(sink.envelopes) == 1
