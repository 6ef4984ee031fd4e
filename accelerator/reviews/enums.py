"""Vocabularies of the review area."""

import enum

from flask_babel import lazy_gettext as _l


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self):
        return REVIEW_STATUS_LABELS[self]


REVIEW_STATUS_LABELS = {ReviewStatus.DRAFT: _l("Draft"), ReviewStatus.SUBMITTED: _l("Submitted")}


class Recommendation(enum.StrEnum):
    SELECT = "select"
    SELECT_WITH_CHANGES = "select_with_changes"
    DO_NOT_SELECT = "do_not_select"

    @property
    def label(self):
        return RECOMMENDATION_LABELS[self]


RECOMMENDATION_LABELS = {
    Recommendation.SELECT: _l("Select"),
    Recommendation.SELECT_WITH_CHANGES: _l("Select, with the changes I describe"),
    Recommendation.DO_NOT_SELECT: _l("Do not select"),
}


class ConflictSource(enum.StrEnum):
    DECLARED = "declared"
    # Declared, awaiting a manager's confirmation: it keeps the reviewer away, nothing more.
    DECLARED_PENDING = "declared_pending"
    SAME_ORGANISATION = "same_organisation"
    SAME_EMAIL_DOMAIN = "same_email_domain"

    @property
    def label(self):
        return CONFLICT_SOURCE_LABELS[self]

    @property
    def abbreviation(self) -> str:
        """The conflict matrix's one-letter mark."""
        return CONFLICT_SOURCE_ABBREVIATIONS[self]

    @property
    def is_confirmed(self) -> bool:
        return self != ConflictSource.DECLARED_PENDING


CONFLICT_SOURCE_LABELS = {
    ConflictSource.DECLARED: _l("Declared"),
    ConflictSource.DECLARED_PENDING: _l("Declared, awaiting confirmation"),
    ConflictSource.SAME_ORGANISATION: _l("Same organisation"),
    ConflictSource.SAME_EMAIL_DOMAIN: _l("Same email domain"),
}
CONFLICT_SOURCE_ABBREVIATIONS = {
    ConflictSource.DECLARED: "D",
    ConflictSource.DECLARED_PENDING: "P",
    ConflictSource.SAME_ORGANISATION: "O",
    ConflictSource.SAME_EMAIL_DOMAIN: "E",
}

# Days before the review deadline on which reviewers with unsubmitted reviews are reminded.
REMINDER_THRESHOLDS = (7, 3, 1)
