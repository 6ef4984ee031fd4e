"""Vocabularies of the lab-access area."""

import enum

from flask_babel import lazy_gettext as _l


class ResourceKind(enum.StrEnum):
    GMP_CLEAN_ROOM = "gmp_clean_room"
    CELL_CULTURE_SUITE = "cell_culture_suite"
    VIRAL_VECTOR_SUITE = "viral_vector_suite"
    FLOW_CYTOMETER = "flow_cytometer"
    BIOREACTOR = "bioreactor"
    CRYOSTORAGE = "cryostorage"
    QC_ANALYTICS = "qc_analytics"
    OTHER = "other"

    @property
    def label(self):
        return RESOURCE_KIND_LABELS[self]


RESOURCE_KIND_LABELS = {
    ResourceKind.GMP_CLEAN_ROOM: _l("GMP clean room"),
    ResourceKind.CELL_CULTURE_SUITE: _l("Cell culture suite"),
    ResourceKind.VIRAL_VECTOR_SUITE: _l("Viral vector suite"),
    ResourceKind.FLOW_CYTOMETER: _l("Flow cytometer"),
    ResourceKind.BIOREACTOR: _l("Bioreactor"),
    ResourceKind.CRYOSTORAGE: _l("Cryostorage"),
    ResourceKind.QC_ANALYTICS: _l("QC analytics"),
    ResourceKind.OTHER: _l("Other"),
}


class CleanroomGrade(enum.StrEnum):
    """EU GMP Annex 1 grades, A the cleanest."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    NONE = "none"

    @property
    def label(self):
        return (
            _l("Not a clean room")
            if self is CleanroomGrade.NONE
            else _l("Grade %(grade)s", grade=self.value)
        )


class BookingStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"

    @property
    def label(self):
        return BOOKING_STATUS_LABELS[self]


BOOKING_STATUS_LABELS = {
    BookingStatus.PENDING: _l("Awaiting approval"),
    BookingStatus.APPROVED: _l("Approved"),
    BookingStatus.REJECTED: _l("Rejected"),
    BookingStatus.CANCELLED: _l("Cancelled"),
    BookingStatus.COMPLETED: _l("Completed"),
    BookingStatus.NO_SHOW: _l("No-show"),
}

# Pending and approved bookings hold the resource's time (and the project's quota).
HOLDING_STATUSES = (BookingStatus.PENDING, BookingStatus.APPROVED)

NEXT = {
    BookingStatus.PENDING: {
        BookingStatus.APPROVED,
        BookingStatus.REJECTED,
        BookingStatus.CANCELLED,
    },
    BookingStatus.APPROVED: {
        BookingStatus.CANCELLED,
        BookingStatus.COMPLETED,
        BookingStatus.NO_SHOW,
    },
    BookingStatus.REJECTED: set(),
    BookingStatus.CANCELLED: set(),
    BookingStatus.COMPLETED: set(),
    BookingStatus.NO_SHOW: set(),
}

# Lab hours a project may book per lab and quarter unless a manager sets otherwise.
DEFAULT_QUARTER_QUOTA_MINUTES = 40 * 60

# How long a training authorisation lasts unless the lab manager says otherwise.
DEFAULT_AUTHORISATION_MONTHS = 12

# The lab manager's page lists authorisations expiring within this many days.
EXPIRY_WARNING_DAYS = 30
