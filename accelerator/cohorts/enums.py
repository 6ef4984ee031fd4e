"""Vocabularies of projects."""

import enum

from flask_babel import lazy_gettext as _l


class ProjectStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return {ProjectStatus.ACTIVE: _l("Active"), ProjectStatus.WITHDRAWN: _l("Withdrawn")}[self]


class MilestoneStatus(enum.StrEnum):
    PLANNED = "planned"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    DONE = "done"

    @property
    def label(self):
        return MILESTONE_STATUS_LABELS[self]


MILESTONE_STATUS_LABELS = {
    MilestoneStatus.PLANNED: _l("Planned"),
    MilestoneStatus.ON_TRACK: _l("On track"),
    MilestoneStatus.AT_RISK: _l("At risk"),
    MilestoneStatus.DONE: _l("Done"),
}


class ClinicalTrialStatus(enum.StrEnum):
    NONE = "none"
    PLANNING = "planning"
    CTA_SUBMITTED = "cta_submitted"
    RECRUITING = "recruiting"
    COMPLETED = "completed"

    @property
    def label(self):
        return CLINICAL_TRIAL_LABELS[self]


CLINICAL_TRIAL_LABELS = {
    ClinicalTrialStatus.NONE: _l("No trial yet"),
    ClinicalTrialStatus.PLANNING: _l("Trial in planning"),
    ClinicalTrialStatus.CTA_SUBMITTED: _l("CTA submitted"),
    ClinicalTrialStatus.RECRUITING: _l("Recruiting"),
    ClinicalTrialStatus.COMPLETED: _l("Completed"),
}


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
