"""What the applicants should do next, in a sentence for their dashboard."""

from datetime import datetime

from flask_babel import gettext as _

from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application


def next_step(application: Application, now: datetime) -> str:
    """What the applicants should do next, in a sentence for their dashboard."""
    accepting = application.call.is_accepting_applications(now)
    status = application.status_for_applicants
    if status == ApplicationStatus.DRAFT:
        if accepting:
            return _("Complete the checklist and submit before the deadline.")
        return _("The call closed before this application was submitted.")
    if status == ApplicationStatus.SUBMITTED:
        if accepting:
            return _("Submitted. You may still edit and submit again until the deadline.")
        return _("Submitted. The programme office is checking eligibility.")
    if status == ApplicationStatus.WITHDRAWN:
        return _("Withdrawn. Reopen it to apply again.") if accepting else _("Withdrawn.")
    if status == ApplicationStatus.ELIGIBLE:
        return _("Eligible. Expert review comes next.")
    if status == ApplicationStatus.INELIGIBLE:
        return _("Not eligible: %(reason)s", reason=application.eligibility_reason or "—")
    if status == ApplicationStatus.UNDER_REVIEW:
        return _("Under review. The results are announced to every applicant at once.")
    return _("%(outcome)s: read the result and the reviewers' comments.", outcome=status.label)
