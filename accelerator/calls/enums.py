"""The call lifecycle."""

import enum

from flask_babel import lazy_gettext as _l


class CallStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    ARCHIVED = "archived"

    @property
    def label(self):
        return CALL_STATUS_LABELS[self]


CALL_STATUS_LABELS = {
    CallStatus.DRAFT: _l("Draft"),
    CallStatus.OPEN: _l("Open"),
    CallStatus.CLOSED: _l("Closed"),
    CallStatus.IN_REVIEW: _l("In review"),
    CallStatus.DECIDED: _l("Decided"),
    CallStatus.ARCHIVED: _l("Archived"),
}

# The manager's actions. OPEN becomes CLOSED by the clock (closes_at), not by a transition.
NEXT = {
    CallStatus.DRAFT: {CallStatus.OPEN},
    CallStatus.OPEN: {CallStatus.IN_REVIEW},
    CallStatus.IN_REVIEW: {CallStatus.DECIDED},
    CallStatus.DECIDED: {CallStatus.ARCHIVED},
    CallStatus.ARCHIVED: set(),
}
