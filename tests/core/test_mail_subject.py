"""An email subject is one line whatever the text it quotes: a header cannot be broken."""

from sqlalchemy import select

from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from tests.factories import make_application, make_call


def test_subject_quoting_a_title_with_line_breaks_is_one_line(app):
    call = make_call(title="Call 2031")
    # Older data may hold what the forms refuse today.
    with app.test_request_context():
        make_application(call, submitted=True, title="Retina\r\nBcc: all@example.org\x0b\x85 gene")

    subjects = db.session.scalars(select(OutboxMessage.subject)).all()

    assert subjects == ["Receipt: Retina Bcc: all@example.org gene submitted to Call 2031"]
