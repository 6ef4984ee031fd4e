"""Vocabularies of the mentoring area."""

import enum

from flask_babel import lazy_gettext as _l

from accelerator.accounts.enums import EXPERTISE_TAGS


class Language(enum.StrEnum):
    CATALAN = "ca"
    SPANISH = "es"
    ENGLISH = "en"

    @property
    def label(self):
        return LANGUAGE_LABELS[self]


LANGUAGE_LABELS = {
    Language.CATALAN: _l("Catalan"),
    Language.SPANISH: _l("Spanish"),
    Language.ENGLISH: _l("English"),
}

WEEKDAYS = {
    0: _l("Monday"),
    1: _l("Tuesday"),
    2: _l("Wednesday"),
    3: _l("Thursday"),
    4: _l("Friday"),
    5: _l("Saturday"),
    6: _l("Sunday"),
}

# Sessions come in these lengths only, so that slots line up in a mentor's calendar.
SESSION_LENGTHS = (30, 60, 90)


def tags_of_kind(kind: str) -> dict[str, str]:
    """The expertise tags of one kind ("topic", "class" or "area"), with their labels."""
    return {tag: label for tag, label in EXPERTISE_TAGS.items() if tag.startswith(f"{kind}:")}


TOPIC_TAGS = tags_of_kind("topic")
ATMP_CLASS_TAGS = tags_of_kind("class")
THERAPEUTIC_AREA_TAGS = tags_of_kind("area")


class SessionStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    HELD = "held"
    NO_SHOW = "no_show"

    @property
    def label(self):
        return SESSION_STATUS_LABELS[self]


SESSION_STATUS_LABELS = {
    SessionStatus.PENDING: _l("Awaiting the mentor"),
    SessionStatus.CONFIRMED: _l("Confirmed"),
    SessionStatus.DECLINED: _l("Declined"),
    SessionStatus.CANCELLED: _l("Cancelled"),
    SessionStatus.HELD: _l("Held"),
    SessionStatus.NO_SHOW: _l("No-show"),
}


# Pending and confirmed sessions hold the mentor's time; the others free it.
HOLDING_STATUSES = (SessionStatus.PENDING, SessionStatus.CONFIRMED)

NEXT = {
    SessionStatus.PENDING: {
        SessionStatus.CONFIRMED,
        SessionStatus.DECLINED,
        SessionStatus.CANCELLED,
    },
    SessionStatus.CONFIRMED: {SessionStatus.CANCELLED, SessionStatus.HELD, SessionStatus.NO_SHOW},
    SessionStatus.DECLINED: set(),
    SessionStatus.CANCELLED: set(),
    SessionStatus.HELD: set(),
    SessionStatus.NO_SHOW: set(),
}


class Side(enum.StrEnum):
    """Who acted on a session: its project, its mentor, or a programme manager."""

    PROJECT = "project"
    MENTOR = "mentor"
    MANAGER = "manager"

    @property
    def label(self):
        return SIDE_LABELS[self]


SIDE_LABELS = {
    Side.PROJECT: _l("the project"),
    Side.MENTOR: _l("the mentor"),
    Side.MANAGER: _l("a programme manager"),
}

# Minutes of mentoring a project may book per programme year unless a manager sets otherwise.
DEFAULT_BUDGET_MINUTES = 20 * 60

# A project cancelling closer to the start than this is charged the session.
FREE_CANCELLATION_NOTICE_HOURS = 24

# A mentor sees the average of their ratings only once there are this many (so none is traceable).
MINIMUM_RATINGS_SHOWN = 3
