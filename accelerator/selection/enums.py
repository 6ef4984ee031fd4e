"""Outcomes of a decision."""

import enum

from flask_babel import lazy_gettext as _l


class Outcome(enum.StrEnum):
    SELECTED = "selected"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"

    @property
    def label(self):
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.SELECTED: _l("Selected"),
    Outcome.WAITLISTED: _l("Waitlisted"),
    Outcome.REJECTED: _l("Rejected"),
}

# Placeholders a decision letter may use, filled per recipient.
LETTER_PLACEHOLDERS = ("{name}", "{project}", "{call}", "{organisation}")
