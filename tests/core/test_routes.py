"""Every registered route, for every role and anonymous, answers as this table says.

A new route without a row here fails `test_route_table_covers_every_registered_rule`.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.accounts.organisations import update_organisation
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Attachment
from accelerator.cohorts.enums import MilestoneStatus
from accelerator.cohorts.services import (
    EvidencePdf,
    add_milestone,
    create_project,
    save_kpi_report,
)
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.labs.models import Blackout, LabBooking, LabClosure, LabStaff
from accelerator.mentoring.models import MentoringSession
from accelerator.mentoring.services import (
    add_availability_exception,
    add_availability_rule,
    save_mentor_profile,
)
from accelerator.reviews.assignment import assign_reviewer
from accelerator.reviews.models import ConflictDeclaration
from tests.conftest import post_form, sign_in
from tests.factories import PDF_BYTES, make_application, make_call, make_organisation, make_user
from tests.labs.conftest import authorise, make_lab, make_resource, make_training

ROLES = (
    "anonymous",
    "applicant",  # a member of the organisation in the URL, whose application is in the URL
    "other_applicant",  # an applicant of no organisation
    "rival_applicant",  # an applicant of another organisation
    "reviewer",
    "mentor",
    "lab_manager",
    "programme_manager",
)
ROLE_OF = {
    "applicant": Role.APPLICANT,
    "other_applicant": Role.APPLICANT,
    "rival_applicant": Role.APPLICANT,
    "reviewer": Role.REVIEWER,
    "mentor": Role.MENTOR,
    "lab_manager": Role.LAB_MANAGER,
    "programme_manager": Role.PROGRAMME_MANAGER,
}

# rule: status for (anonymous, applicant, other_applicant, rival_applicant, reviewer, mentor,
# lab_manager, programme_manager). URLs use an existing organisation and user, an open call, a
# submitted application of the organisation (submission 1) with its pitch deck, its assignment
# to a reviewer (the signed-in user in the "reviewer" column, someone else in the others), the
# organisation's project (selected in another call) with a milestone, its evidence PDF and a
# draft KPI report, and a junk token.
EXPECTED = {
    "/": (200, 200, 200, 200, 200, 200, 200, 200),
    "/healthz": (200, 200, 200, 200, 200, 200, 200, 200),
    "/dashboard": (302, 200, 200, 200, 200, 200, 200, 200),
    "/audit": (302, 403, 403, 403, 403, 403, 403, 200),
    "/register": (200, 302, 302, 302, 302, 302, 302, 302),
    "/confirm": (200, 200, 200, 200, 200, 200, 200, 200),
    "/confirm/<token>": (302, 302, 302, 302, 302, 302, 302, 302),
    "/login": (200, 302, 302, 302, 302, 302, 302, 302),
    "/logout": (302, 302, 302, 302, 302, 302, 302, 302),
    "/password/forgot": (200, 200, 200, 200, 200, 200, 200, 200),
    "/password/reset/<token>": (302, 302, 302, 302, 302, 302, 302, 302),
    "/profile": (302, 200, 200, 200, 200, 200, 200, 200),
    "/users": (302, 403, 403, 403, 403, 403, 403, 200),
    "/users/<int:user_id>": (302, 403, 403, 403, 403, 403, 403, 200),
    # Only people without an organisation may create one.
    "/organisations/new": (302, 403, 200, 403, 200, 200, 200, 200),
    "/organisations/<int:organisation_id>": (302, 200, 403, 403, 403, 403, 403, 200),
    "/organisations/<int:organisation_id>/edit": (302, 200, 403, 403, 403, 403, 403, 200),
    # Only members invite; the table posts a valid invitation.
    "/organisations/<int:organisation_id>/invitations": (302, 302, 403, 403, 403, 403, 403, 403),
    "/organisations/join/<token>": (302, 302, 302, 302, 302, 302, 302, 302),
    # A member's waiting change of the organisation's email domain: managers decide it (the
    # refusal after the confirmation is told the change is decided, and redirected).
    "/organisations/<int:organisation_id>/changes/<int:change_id>/confirm": (
        (302, 403, 403, 403, 403, 403, 403, 302)
    ),
    "/organisations/<int:organisation_id>/changes/<int:change_id>/refuse": (
        (302, 403, 403, 403, 403, 403, 403, 302)
    ),
    # Calls: public pages for everyone; the rest for programme managers.
    "/calls": (200, 200, 200, 200, 200, 200, 200, 200),
    "/calls/<int:call_id>": (200, 200, 200, 200, 200, 200, 200, 200),
    "/manage/calls": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/calls/new": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/calls/<int:call_id>": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/calls/<int:call_id>/edit": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/calls/<int:call_id>/rubric": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/calls/<int:call_id>/eligibility": (302, 403, 403, 403, 403, 403, 403, 200),
    # The manager's request is refused (the call has not closed) and redirected with a message.
    "/manage/calls/<int:call_id>/status": (302, 403, 403, 403, 403, 403, 403, 302),
    "/manage/calls/<int:call_id>/close-review": (302, 403, 403, 403, 403, 403, 403, 302),
    # Applications: anyone signed in may try to apply (refused with a message without an
    # organisation); only members see and change theirs, and managers read them. Everyone else
    # gets 404, so that a guessed id does not reveal that the application exists.
    "/applications": (302, 200, 200, 200, 200, 200, 200, 200),
    "/calls/<int:call_id>/apply": (302, 302, 302, 302, 302, 302, 302, 302),
    "/applications/<int:application_id>": (302, 200, 404, 404, 404, 404, 404, 200),
    "/applications/<int:application_id>/edit": (302, 200, 404, 404, 404, 404, 404, 403),
    "/applications/<int:application_id>/submit": (302, 302, 404, 404, 404, 404, 404, 403),
    "/applications/<int:application_id>/submissions/<int:number>": (
        (302, 200, 404, 404, 404, 404, 404, 200)
    ),
    "/applications/<int:application_id>/withdraw": (302, 302, 404, 404, 404, 404, 404, 403),
    "/applications/<int:application_id>/reopen": (302, 302, 404, 404, 404, 404, 404, 403),
    # The member's upload comes after withdraw and reopen, so the draft accepts it.
    # The application is under review, so even its members' upload is refused (the 400 page).
    "/applications/<int:application_id>/attachments": (302, 400, 404, 404, 404, 404, 404, 403),
    "/attachments/<int:attachment_id>": (302, 200, 404, 404, 404, 404, 404, 200),
    "/attachments/<int:attachment_id>/delete": (302, 302, 404, 404, 404, 404, 404, 403),
    "/manage/calls/<int:call_id>/applications": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/calls/<int:call_id>/applications.<any(csv, xlsx):file_format>": (
        (302, 403, 403, 403, 403, 403, 403, 200)
    ),
    "/manage/applications/<int:application_id>": (302, 403, 403, 403, 403, 403, 403, 200),
    # Reviews, the managers' side. Assigning without choosing a reviewer is refused with a
    # message; the manager's unassign removes the assignment (later rows do not need it).
    "/manage/reviewers": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/calls/<int:call_id>/assignments": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/calls/<int:call_id>/assignments/automatic": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/applications/<int:application_id>/assign": (302, 403, 403, 403, 403, 403, 403, 302),
    "/manage/assignments/<int:assignment_id>/remove": (302, 403, 403, 403, 403, 403, 403, 302),
    "/manage/calls/<int:call_id>/conflicts": (302, 403, 403, 403, 403, 403, 403, 200),
    # A declaration awaiting confirmation: managers confirm or refuse it (the second is told).
    "/manage/calls/<int:call_id>/conflicts/<int:declaration_id>/confirm": (
        (302, 403, 403, 403, 403, 403, 403, 302)
    ),
    "/manage/calls/<int:call_id>/conflicts/<int:declaration_id>/refuse": (
        (302, 403, 403, 403, 403, 403, 403, 302)
    ),
    "/manage/calls/<int:call_id>/ranking": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/calls/<int:call_id>/ranking.<any(csv, xlsx):file_format>": (
        (302, 403, 403, 403, 403, 403, 403, 200)
    ),
    "/manage/calls/<int:call_id>/review-progress": (302, 403, 403, 403, 403, 403, 403, 200),
    # Reviews, the reviewers' side: only the assigned reviewer reaches an assignment; anyone
    # else, managers included, gets 404. Declining and declaring a conflict without a reason are
    # refused with a message, so the assignment stands for the rows after them.
    "/reviews": (302, 403, 403, 403, 200, 403, 403, 403),
    "/reviews/<int:assignment_id>": (302, 404, 404, 404, 200, 404, 404, 404),
    "/reviews/<int:assignment_id>/attachments/<int:attachment_id>": (
        (302, 404, 404, 404, 200, 404, 404, 404)
    ),
    "/reviews/<int:assignment_id>/decline": (302, 404, 404, 404, 302, 404, 404, 404),
    "/reviews/<int:assignment_id>/conflict": (302, 404, 404, 404, 302, 404, 404, 404),
    "/reviews/conflicts": (302, 403, 403, 403, 200, 200, 403, 403),
    "/reviewers/join/<token>": (302, 302, 302, 302, 302, 302, 302, 302),
    # Cohorts: a project's space is its organisation's members' (who change it) and managers'
    # (who read it); everyone else gets 404. The dashboard and its exports are managers'.
    "/projects": (302, 200, 200, 200, 200, 200, 200, 200),
    "/projects/<int:project_id>": (302, 200, 404, 404, 404, 404, 404, 200),
    "/projects/<int:project_id>/trl": (302, 200, 404, 404, 404, 404, 404, 403),
    "/projects/<int:project_id>/milestones/new": (302, 200, 404, 404, 404, 404, 404, 403),
    "/projects/<int:project_id>/milestones/<int:milestone_id>/edit": (
        (302, 200, 404, 404, 404, 404, 404, 403)
    ),
    "/projects/<int:project_id>/milestones/<int:milestone_id>/evidence": (
        (302, 200, 404, 404, 404, 404, 404, 200)
    ),
    "/projects/<int:project_id>/reports/new": (302, 200, 404, 404, 404, 404, 404, 403),
    "/projects/<int:project_id>/reports/<int:report_id>/edit": (
        (302, 200, 404, 404, 404, 404, 404, 403)
    ),
    "/manage/cohorts": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/cohorts/<int:cohort_year>.<any(csv, xlsx):file_format>": (
        (302, 403, 403, 403, 403, 403, 403, 200)
    ),
    # Selection: managers decide and publish; the applicant's result exists only once decided.
    "/manage/calls/<int:call_id>/decisions": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/calls/<int:call_id>/results": (302, 403, 403, 403, 403, 403, 403, 200),
    "/manage/applications/<int:application_id>/decision": (302, 403, 403, 403, 403, 403, 403, 302),
    "/manage/applications/<int:application_id>/promote": (302, 403, 403, 403, 403, 403, 403, 302),
    "/manage/projects/<int:project_id>/withdraw": (302, 403, 403, 403, 403, 403, 403, 302),
    "/manage/calls/<int:call_id>/carry-forward": (302, 403, 403, 403, 403, 403, 403, 302),
    "/manage/calls/<int:call_id>/publish": (302, 403, 403, 403, 403, 403, 403, 200),
    "/applications/<int:application_id>/result": (302, 404, 404, 404, 404, 404, 404, 404),
    # Mentoring: a mentor keeps their own profile and availability (the "mentor" column owns
    # the rule and exception in the URL); adding with nothing filled in shows the form's
    # messages. The directory is for members of an organisation with a project, and managers.
    "/mentoring/profile": (302, 403, 403, 403, 403, 200, 403, 403),
    "/mentoring/availability": (302, 403, 403, 403, 403, 200, 403, 403),
    "/mentoring/availability/rules": (302, 403, 403, 403, 403, 200, 403, 403),
    "/mentoring/availability/rules/<int:rule_id>/delete": (302, 403, 403, 403, 403, 302, 403, 403),
    "/mentoring/availability/exceptions": (302, 403, 403, 403, 403, 200, 403, 403),
    "/mentoring/availability/exceptions/<int:exception_id>/delete": (
        (302, 403, 403, 403, 403, 302, 403, 403)
    ),
    "/mentoring/mentors": (302, 200, 403, 403, 403, 403, 403, 200),
    # Sessions: the project's members book (managers watch); the session in the URL is the
    # project's pending request to the "mentor" column's mentor. Outsiders get 404 everywhere.
    # A post with nothing filled in shows the form's messages; the project cannot confirm or
    # write notes (403); with no proposal, accepting or dismissing one says so and redirects.
    "/mentoring/projects/<int:project_id>": (302, 200, 404, 404, 404, 404, 404, 200),
    "/mentoring/projects/<int:project_id>/mentors/<int:mentor_id>/book": (
        (302, 200, 404, 404, 404, 404, 404, 403)
    ),
    "/mentoring/sessions": (302, 403, 403, 403, 403, 200, 403, 403),
    "/mentoring/sessions/<int:session_id>": (302, 200, 404, 404, 404, 200, 404, 200),
    "/mentoring/sessions/<int:session_id>/confirm": (302, 403, 404, 404, 404, 302, 404, 403),
    "/mentoring/sessions/<int:session_id>/decline": (302, 200, 404, 404, 404, 200, 404, 200),
    "/mentoring/sessions/<int:session_id>/propose": (302, 200, 404, 404, 404, 200, 404, 200),
    "/mentoring/sessions/<int:session_id>/proposal/accept": (
        (302, 302, 404, 404, 404, 302, 404, 302)
    ),
    "/mentoring/sessions/<int:session_id>/proposal/dismiss": (
        (302, 302, 404, 404, 404, 302, 404, 302)
    ),
    "/mentoring/sessions/<int:session_id>/cancel": (302, 302, 404, 404, 404, 302, 404, 302),
    "/mentoring/sessions/<int:session_id>/outcome": (302, 200, 404, 404, 404, 200, 404, 200),
    "/mentoring/sessions/<int:session_id>/notes": (302, 403, 404, 404, 404, 200, 404, 403),
    "/mentoring/sessions/<int:session_id>/feedback": (302, 200, 404, 404, 404, 200, 404, 200),
    # Calendar feeds: the .ics address is public (calendar apps cannot sign in) and a junk
    # token is not found; the mentor creates or resets their own feed, members and managers the
    # project's (the answer shows the new address).
    "/mentoring/calendar/<token>.ics": (404, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/calendar/mentor/reset": (302, 403, 403, 403, 403, 200, 403, 403),
    "/mentoring/projects/<int:project_id>/calendar/reset": (
        (302, 200, 404, 404, 404, 404, 404, 200)
    ),
    # Managers: the mentor pool, the report and its exports, budgets (a valid one is posted).
    "/mentoring/pool": (302, 403, 403, 403, 403, 403, 403, 200),
    "/mentoring/report": (302, 403, 403, 403, 403, 403, 403, 200),
    "/mentoring/report.<any(csv, xlsx):file_format>": (302, 403, 403, 403, 403, 403, 403, 200),
    "/mentoring/projects/<int:project_id>/budget": (302, 403, 403, 403, 403, 403, 403, 302),
    # Labs. The lab in the URL has the "lab_manager" column's user on its staff (and a second
    # lab manager, whom the programme manager removes); the booking is the project's pending
    # request for a resource that needs approval. Browsing and booking are for members of an
    # organisation with a project (the rival's has none here); managing is for the lab's
    # managers and programme managers; staff and quotas are the programme managers'.
    "/labs/resources": (302, 200, 403, 403, 403, 403, 200, 200),
    "/labs/resources/<int:resource_id>": (302, 200, 403, 403, 403, 403, 200, 200),
    "/labs/resources/<int:resource_id>/book": (302, 200, 403, 403, 403, 403, 403, 403),
    "/labs/resources/<int:resource_id>/waitlist": (302, 302, 403, 403, 403, 403, 403, 403),
    "/labs/resources/<int:resource_id>/calendar/reset": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/bookings": (302, 200, 403, 200, 403, 403, 403, 403),
    "/labs/bookings/<int:booking_id>": (302, 200, 404, 404, 404, 404, 200, 200),
    "/labs/bookings/<int:booking_id>/cancel": (302, 302, 404, 404, 404, 404, 302, 302),
    "/labs/bookings/<int:booking_id>/approve": (302, 403, 404, 404, 404, 404, 302, 302),
    "/labs/bookings/<int:booking_id>/reject": (302, 403, 404, 404, 404, 404, 200, 200),
    "/labs/bookings/<int:booking_id>/outcome": (302, 403, 404, 404, 404, 404, 200, 200),
    "/labs/manage/queue": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/manage": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/manage/labs": (302, 403, 403, 403, 403, 403, 403, 200),
    "/labs/manage/labs/<int:lab_id>": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/manage/labs/<int:lab_id>/hours": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/manage/hours/<int:hours_id>/remove": (302, 403, 403, 403, 403, 403, 302, 302),
    "/labs/manage/labs/<int:lab_id>/closures": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/manage/closures/<int:closure_id>/remove": (302, 403, 403, 403, 403, 403, 302, 302),
    "/labs/manage/labs/<int:lab_id>/blackouts": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/manage/blackouts/<int:blackout_id>/remove": (302, 403, 403, 403, 403, 403, 302, 302),
    "/labs/manage/labs/<int:lab_id>/staff": (302, 403, 403, 403, 403, 403, 403, 200),
    "/labs/manage/staff/<int:staff_id>/remove": (302, 403, 403, 403, 403, 403, 403, 302),
    "/labs/manage/labs/<int:lab_id>/resources/new": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/manage/resources/<int:resource_id>/edit": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/manage/labs/<int:lab_id>/trainings": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/manage/labs/<int:lab_id>/authorisations": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/manage/authorisations/<int:authorisation_id>/remove": (
        (302, 403, 403, 403, 403, 403, 302, 302)
    ),
    "/labs/report": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/report.<any(csv, xlsx):file_format>": (302, 403, 403, 403, 403, 403, 200, 200),
    "/labs/quotas": (302, 403, 403, 403, 403, 403, 403, 200),
}

# The same rules with ids that do not exist: a 404 only once the policy would allow it.
EXPECTED_FOR_MISSING_OBJECT = {
    "/users/<int:user_id>": (302, 403, 403, 403, 403, 403, 403, 404),
    "/organisations/<int:organisation_id>": (302, 404, 404, 404, 404, 404, 404, 404),
    "/organisations/<int:organisation_id>/edit": (302, 404, 404, 404, 404, 404, 404, 404),
    "/organisations/<int:organisation_id>/invitations": (302, 404, 404, 404, 404, 404, 404, 404),
    "/organisations/<int:organisation_id>/changes/<int:change_id>/confirm": (
        (302, 403, 403, 403, 403, 403, 403, 404)
    ),
    "/organisations/<int:organisation_id>/changes/<int:change_id>/refuse": (
        (302, 403, 403, 403, 403, 403, 403, 404)
    ),
    "/calls/<int:call_id>": (404, 404, 404, 404, 404, 404, 404, 404),
    "/manage/calls/<int:call_id>": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/edit": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/rubric": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/eligibility": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/status": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/close-review": (302, 403, 403, 403, 403, 403, 403, 404),
    "/calls/<int:call_id>/apply": (302, 404, 404, 404, 404, 404, 404, 404),
    "/applications/<int:application_id>": (302, 404, 404, 404, 404, 404, 404, 404),
    "/applications/<int:application_id>/edit": (302, 404, 404, 404, 404, 404, 404, 404),
    "/applications/<int:application_id>/submit": (302, 404, 404, 404, 404, 404, 404, 404),
    "/applications/<int:application_id>/submissions/<int:number>": (
        (302, 404, 404, 404, 404, 404, 404, 404)
    ),
    "/applications/<int:application_id>/withdraw": (302, 404, 404, 404, 404, 404, 404, 404),
    "/applications/<int:application_id>/reopen": (302, 404, 404, 404, 404, 404, 404, 404),
    "/applications/<int:application_id>/attachments": (302, 404, 404, 404, 404, 404, 404, 404),
    "/attachments/<int:attachment_id>": (302, 404, 404, 404, 404, 404, 404, 404),
    "/attachments/<int:attachment_id>/delete": (302, 404, 404, 404, 404, 404, 404, 404),
    "/manage/calls/<int:call_id>/applications": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/applications.<any(csv, xlsx):file_format>": (
        (302, 403, 403, 403, 403, 403, 403, 404)
    ),
    "/manage/applications/<int:application_id>": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/assignments": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/assignments/automatic": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/applications/<int:application_id>/assign": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/assignments/<int:assignment_id>/remove": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/conflicts": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/conflicts/<int:declaration_id>/confirm": (
        (302, 403, 403, 403, 403, 403, 403, 404)
    ),
    "/manage/calls/<int:call_id>/conflicts/<int:declaration_id>/refuse": (
        (302, 403, 403, 403, 403, 403, 403, 404)
    ),
    "/manage/calls/<int:call_id>/ranking": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/ranking.<any(csv, xlsx):file_format>": (
        (302, 403, 403, 403, 403, 403, 403, 404)
    ),
    "/manage/calls/<int:call_id>/review-progress": (302, 403, 403, 403, 403, 403, 403, 404),
    "/reviews/<int:assignment_id>": (302, 404, 404, 404, 404, 404, 404, 404),
    "/reviews/<int:assignment_id>/attachments/<int:attachment_id>": (
        (302, 404, 404, 404, 404, 404, 404, 404)
    ),
    "/reviews/<int:assignment_id>/decline": (302, 404, 404, 404, 404, 404, 404, 404),
    "/reviews/<int:assignment_id>/conflict": (302, 404, 404, 404, 404, 404, 404, 404),
    "/projects/<int:project_id>": (302, 404, 404, 404, 404, 404, 404, 404),
    "/projects/<int:project_id>/trl": (302, 404, 404, 404, 404, 404, 404, 404),
    "/projects/<int:project_id>/milestones/new": (302, 404, 404, 404, 404, 404, 404, 404),
    "/projects/<int:project_id>/milestones/<int:milestone_id>/edit": (
        (302, 404, 404, 404, 404, 404, 404, 404)
    ),
    "/projects/<int:project_id>/milestones/<int:milestone_id>/evidence": (
        (302, 404, 404, 404, 404, 404, 404, 404)
    ),
    "/projects/<int:project_id>/reports/new": (302, 404, 404, 404, 404, 404, 404, 404),
    "/projects/<int:project_id>/reports/<int:report_id>/edit": (
        (302, 404, 404, 404, 404, 404, 404, 404)
    ),
    "/manage/cohorts/<int:cohort_year>.<any(csv, xlsx):file_format>": (
        (302, 403, 403, 403, 403, 403, 403, 404)
    ),
    "/manage/calls/<int:call_id>/decisions": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/results": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/applications/<int:application_id>/decision": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/applications/<int:application_id>/promote": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/projects/<int:project_id>/withdraw": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/carry-forward": (302, 403, 403, 403, 403, 403, 403, 404),
    "/manage/calls/<int:call_id>/publish": (302, 403, 403, 403, 403, 403, 403, 404),
    "/applications/<int:application_id>/result": (302, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/availability/rules/<int:rule_id>/delete": (302, 403, 403, 403, 403, 404, 403, 403),
    "/mentoring/availability/exceptions/<int:exception_id>/delete": (
        (302, 403, 403, 403, 403, 404, 403, 403)
    ),
    "/mentoring/projects/<int:project_id>": (302, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/projects/<int:project_id>/mentors/<int:mentor_id>/book": (
        (302, 404, 404, 404, 404, 404, 404, 404)
    ),
    "/mentoring/sessions/<int:session_id>": (302, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/sessions/<int:session_id>/confirm": (302, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/sessions/<int:session_id>/decline": (302, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/sessions/<int:session_id>/propose": (302, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/sessions/<int:session_id>/proposal/accept": (
        (302, 404, 404, 404, 404, 404, 404, 404)
    ),
    "/mentoring/sessions/<int:session_id>/proposal/dismiss": (
        (302, 404, 404, 404, 404, 404, 404, 404)
    ),
    "/mentoring/sessions/<int:session_id>/cancel": (302, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/sessions/<int:session_id>/outcome": (302, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/sessions/<int:session_id>/notes": (302, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/sessions/<int:session_id>/feedback": (302, 404, 404, 404, 404, 404, 404, 404),
    "/mentoring/projects/<int:project_id>/calendar/reset": (
        (302, 404, 404, 404, 404, 404, 404, 404)
    ),
    "/mentoring/projects/<int:project_id>/budget": (302, 403, 403, 403, 403, 403, 403, 404),
    "/labs/resources/<int:resource_id>": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/resources/<int:resource_id>/book": (302, 403, 403, 403, 403, 403, 403, 403),
    "/labs/resources/<int:resource_id>/waitlist": (302, 403, 403, 403, 403, 403, 403, 403),
    "/labs/resources/<int:resource_id>/calendar/reset": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/bookings/<int:booking_id>": (302, 404, 404, 404, 404, 404, 404, 404),
    "/labs/bookings/<int:booking_id>/cancel": (302, 404, 404, 404, 404, 404, 404, 404),
    "/labs/bookings/<int:booking_id>/approve": (302, 404, 404, 404, 404, 404, 404, 404),
    "/labs/bookings/<int:booking_id>/reject": (302, 404, 404, 404, 404, 404, 404, 404),
    "/labs/bookings/<int:booking_id>/outcome": (302, 404, 404, 404, 404, 404, 404, 404),
    "/labs/manage/labs/<int:lab_id>": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/labs/<int:lab_id>/hours": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/hours/<int:hours_id>/remove": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/labs/<int:lab_id>/closures": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/closures/<int:closure_id>/remove": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/labs/<int:lab_id>/blackouts": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/blackouts/<int:blackout_id>/remove": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/labs/<int:lab_id>/staff": (302, 403, 403, 403, 403, 403, 403, 404),
    "/labs/manage/staff/<int:staff_id>/remove": (302, 403, 403, 403, 403, 403, 403, 404),
    "/labs/manage/labs/<int:lab_id>/resources/new": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/resources/<int:resource_id>/edit": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/labs/<int:lab_id>/trainings": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/labs/<int:lab_id>/authorisations": (302, 403, 403, 403, 403, 403, 404, 404),
    "/labs/manage/authorisations/<int:authorisation_id>/remove": (
        (302, 403, 403, 403, 403, 403, 404, 404)
    ),
}

# What a POST-only route receives (a function when each post needs a fresh file); GET-able
# routes are fetched with GET.
POSTED = {
    "/logout": {},
    "/organisations/<int:organisation_id>/invitations": {"email": "colleague@example.org"},
    "/manage/calls/<int:call_id>/status": {"target": "in_review"},
    "/manage/calls/<int:call_id>/close-review": {},
    "/calls/<int:call_id>/apply": {},
    "/applications/<int:application_id>/submit": {},
    "/applications/<int:application_id>/withdraw": {},
    "/applications/<int:application_id>/reopen": {},
    "/applications/<int:application_id>/attachments": lambda: {
        "kind": "letter",
        "file": (BytesIO(PDF_BYTES), "letter.pdf"),
    },
    "/attachments/<int:attachment_id>/delete": {},
    "/manage/applications/<int:application_id>/assign": {},
    "/manage/assignments/<int:assignment_id>/remove": {},
    "/reviews/<int:assignment_id>/decline": {},
    "/reviews/<int:assignment_id>/conflict": {},
    "/organisations/<int:organisation_id>/changes/<int:change_id>/confirm": {},
    "/organisations/<int:organisation_id>/changes/<int:change_id>/refuse": {},
    "/manage/calls/<int:call_id>/conflicts/<int:declaration_id>/confirm": {},
    "/manage/calls/<int:call_id>/conflicts/<int:declaration_id>/refuse": {},
    "/manage/applications/<int:application_id>/decision": {},
    "/manage/applications/<int:application_id>/promote": {},
    "/manage/projects/<int:project_id>/withdraw": {},
    "/manage/calls/<int:call_id>/carry-forward": {},
    "/mentoring/availability/rules": {},
    "/mentoring/availability/rules/<int:rule_id>/delete": {},
    "/mentoring/availability/exceptions": {},
    "/mentoring/availability/exceptions/<int:exception_id>/delete": {},
    "/mentoring/sessions/<int:session_id>/confirm": {},
    "/mentoring/sessions/<int:session_id>/decline": {},
    "/mentoring/sessions/<int:session_id>/propose": {},
    "/mentoring/sessions/<int:session_id>/proposal/accept": {},
    "/mentoring/sessions/<int:session_id>/proposal/dismiss": {},
    "/mentoring/sessions/<int:session_id>/cancel": {},
    "/mentoring/sessions/<int:session_id>/outcome": {},
    "/mentoring/sessions/<int:session_id>/notes": {},
    "/mentoring/sessions/<int:session_id>/feedback": {},
    "/mentoring/calendar/mentor/reset": {},
    "/mentoring/projects/<int:project_id>/calendar/reset": {},
    "/mentoring/projects/<int:project_id>/budget": {"year": "2026", "hours": "12.5"},
    "/labs/resources/<int:resource_id>/waitlist": {},
    "/labs/resources/<int:resource_id>/calendar/reset": {},
    "/labs/bookings/<int:booking_id>/cancel": {},
    "/labs/bookings/<int:booking_id>/approve": {},
    "/labs/bookings/<int:booking_id>/reject": {},
    "/labs/bookings/<int:booking_id>/outcome": {},
    "/labs/manage/labs": {},
    "/labs/manage/labs/<int:lab_id>/hours": {},
    "/labs/manage/hours/<int:hours_id>/remove": {},
    "/labs/manage/labs/<int:lab_id>/closures": {},
    "/labs/manage/closures/<int:closure_id>/remove": {},
    "/labs/manage/labs/<int:lab_id>/blackouts": {},
    "/labs/manage/blackouts/<int:blackout_id>/remove": {},
    "/labs/manage/staff/<int:staff_id>/remove": {},
    "/labs/manage/labs/<int:lab_id>/authorisations": {},
    "/labs/manage/authorisations/<int:authorisation_id>/remove": {},
}

MISSING_ID = 999_999
JUNK_TOKEN = "not-a-real-token"
PLACEHOLDER = re.compile(r"<(?:([^:>]+):)?(\w+)>")


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _url(rule: str, ids: dict[str, int]) -> str:
    def value(match: re.Match) -> str:
        converter, name = match.groups()
        if converter == "int":
            return str(ids[name])
        if converter and converter.startswith("any("):  # the first of the values it allows
            return re.match(r"any\((\w+)", converter)[1]
        return JUNK_TOKEN

    return PLACEHOLDER.sub(value, rule)


def _status(app, rule, url: str, user) -> int:
    client = app.test_client()
    if user is not None:
        sign_in(client, user)
    if "GET" in rule.methods:
        response = client.get(url)
    else:
        # /confirm has a form for everyone, so its page gives the CSRF token.
        data = POSTED[rule.rule]
        response = post_form(client, url, data() if callable(data) else data, page="/confirm")
    response.close()  # a downloaded file stays open until its response is closed
    return response.status_code


def _statuses(app, ids: dict[str, int], user, only=None) -> dict[str, int]:
    return {
        rule.rule: _status(app, rule, _url(rule.rule, ids), user)
        for rule in _rules(app)
        if only is None or rule.rule in only
    }


def _user_for(role: str, organisation):
    if role == "anonymous":
        return None
    if role == "applicant":
        return make_user(ROLE_OF[role], organisation=organisation)
    if role == "rival_applicant":
        return make_user(ROLE_OF[role], organisation=make_organisation())
    if role in ("reviewer", "mentor"):
        # Factory users share example.org: a reviewer or mentor there would be conflicted with
        # every application and project (same email domain as a member).
        return make_user(ROLE_OF[role], email=f"{role}@{role}s.example.net")
    return make_user(ROLE_OF[role])


def _submitted_application(app, member, reviewer):
    """An open call and the organisation's submitted application, with its pitch deck, screened
    eligible and assigned to the reviewer."""
    call = make_call()
    with app.test_request_context():  # the receipt email needs a request for its links
        application = make_application(call, member=member, submitted=True)
    attachment_id = db.session.scalar(
        select(Attachment.id).where(Attachment.application_id == application.id)
    )
    application.status = ApplicationStatus.ELIGIBLE
    db.session.commit()
    assignment = assign_reviewer(
        application, reviewer, by=make_user(Role.PROGRAMME_MANAGER), now=utcnow()
    )
    return {
        "call_id": call.id,
        "application_id": application.id,
        "attachment_id": attachment_id,
        "assignment_id": assignment.id,
    }


def _waiting_decisions(organisation, member, reviewer):
    """A member's change of the organisation's email domain (it has a submitted application),
    and a reviewer's conflict declaration, both waiting for a manager."""
    [change] = update_organisation(
        organisation, by=member, now=utcnow(), email_domain="renamed.example.com"
    )
    declaration = ConflictDeclaration(
        created_at=utcnow(),
        reviewer_id=reviewer.id,
        organisation_id=make_organisation().id,
        reason="Route table",
        declared_by_id=reviewer.id,
        awaiting_confirmation=True,
    )
    db.session.add(declaration)
    db.session.commit()
    return {"change_id": change.id, "declaration_id": declaration.id}


def _project_space(app, member):
    """The organisation's application to another call, selected and turned into a project, with
    a milestone (and its evidence PDF) and a draft KPI report."""
    call = make_call()
    with app.test_request_context():
        application = make_application(call, member=member, submitted=True)
    application.status = ApplicationStatus.SELECTED
    project = create_project(application, now=utcnow())
    db.session.commit()
    milestone = add_milestone(
        project,
        title="GLP toxicology study",
        due_date=date(2099, 1, 31),
        status=MilestoneStatus.PLANNED,
        evidence=EvidencePdf("protocol.pdf", PDF_BYTES),
        by=member,
        now=utcnow(),
    )
    report = save_kpi_report(
        project,
        year=2025,
        quarter=1,
        fields={
            "funding_raised_cents": 0,
            "headcount": 4,
            "patents_filed": 0,
            "regulatory_milestones": "",
            "clinical_trial_status": "none",
        },
        by=member,
        now=utcnow(),
    )
    return {
        "project_id": project.id,
        "milestone_id": milestone.id,
        "report_id": report.id,
        "cohort_year": call.year,
    }


def _mentor_space(mentor, project_id):
    """The mentor's profile with a weekly rule and days away, and the project's pending request
    for a session with them."""
    profile = save_mentor_profile(
        mentor,
        bio="",
        organisation="",
        languages=["en"],
        tags=["topic:regulatory"],
        monthly_hour_limit=10,
        minimum_notice_hours=48,
        buffer_minutes=15,
        by=mentor,
        now=utcnow(),
    )
    rule = add_availability_rule(
        profile, weekday=1, starts_at=time(10), ends_at=time(13), by=mentor, now=utcnow()
    )
    exception = add_availability_exception(
        profile, first_day=date(2099, 8, 1), last_day=date(2099, 8, 31), by=mentor, now=utcnow()
    )
    starts_at = utcnow() + timedelta(days=10)
    session = MentoringSession(
        mentor_id=profile.id,
        project_id=project_id,
        programme_year=starts_at.year,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        agenda="Scientific advice",
        created_at=utcnow(),
    )
    db.session.add(session)
    db.session.commit()
    return {
        "rule_id": rule.id,
        "exception_id": exception.id,
        "mentor_id": profile.id,
        "session_id": session.id,
    }


def _lab_space(project_id, lab_manager):
    """A lab (open on weekdays, with a closure and a future blackout) with the lab manager and
    a second one on its staff, a resource needing approval with a required training and an
    authorisation, and the project's pending booking of it in two weeks."""
    lab = make_lab(name="Route table lab")
    if lab_manager is not None:
        db.session.add(LabStaff(lab_id=lab.id, user_id=lab_manager.id, attached_at=utcnow()))
    second = make_user(Role.LAB_MANAGER, email="second@labs.example.net")
    staff = LabStaff(lab_id=lab.id, user_id=second.id, attached_at=utcnow())
    closure = LabClosure(lab_id=lab.id, first_day=date(2099, 12, 24), last_day=date(2099, 12, 26))
    blackout = Blackout(
        lab_id=lab.id,
        starts_at=datetime(2099, 6, 1, 8, tzinfo=UTC),
        ends_at=datetime(2099, 6, 1, 12, tzinfo=UTC),
        reason="Maintenance",
        created_at=utcnow(),
    )
    db.session.add_all([staff, closure, blackout])
    db.session.commit()
    training = make_training(lab, "Grade B gowning")
    resource = make_resource(lab, trainings=[training], needs_approval=True)
    authorisation = authorise(second, training)
    starts_at = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=14)
    booking = LabBooking(
        resource_id=resource.id,
        project_id=project_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        year=starts_at.year,
        quarter=(starts_at.month - 1) // 3 + 1,
        purpose="Route table",
        created_at=utcnow(),
    )
    db.session.add(booking)
    db.session.commit()
    return {
        "lab_id": lab.id,
        "hours_id": lab.opening_hours[0].id,
        "closure_id": closure.id,
        "blackout_id": blackout.id,
        "staff_id": staff.id,
        "resource_id": resource.id,
        "authorisation_id": authorisation.id,
        "booking_id": booking.id,
    }


def test_route_table_covers_every_registered_rule(app):
    rules = {rule.rule for rule in _rules(app)}

    assert set(EXPECTED) == rules
    assert set(POSTED) == {rule.rule for rule in _rules(app) if "GET" not in rule.methods}
    assert set(EXPECTED_FOR_MISSING_OBJECT) == {rule for rule in rules if "<int:" in rule}


@pytest.mark.parametrize("role", ROLES)
def test_route_answers_each_role_as_the_table_says(app, role):
    organisation = make_organisation()
    target = make_user(Role.APPLICANT, organisation=organisation)
    user = _user_for(role, organisation)
    reviewer = user if role == "reviewer" else _user_for("reviewer", organisation)
    mentor = user if role == "mentor" else _user_for("mentor", organisation)
    ids = {
        "organisation_id": organisation.id,
        "user_id": target.id,
        "number": 1,
        **_submitted_application(app, target, reviewer),
        **_project_space(app, target),
    }
    ids |= _waiting_decisions(organisation, target, reviewer)
    ids |= _mentor_space(mentor, ids["project_id"])
    ids |= _lab_space(ids["project_id"], user if role == "lab_manager" else None)

    actual = _statuses(app, ids, user)

    column = ROLES.index(role)
    assert actual == {rule: statuses[column] for rule, statuses in EXPECTED.items()}


@pytest.mark.parametrize("role", ROLES)
def test_route_with_missing_object_answers_each_role_as_the_table_says(app, role):
    organisation = make_organisation()
    user = _user_for(role, organisation)
    ids = dict.fromkeys(
        (
            "organisation_id",
            "user_id",
            "call_id",
            "application_id",
            "attachment_id",
            "assignment_id",
            "change_id",
            "declaration_id",
            "number",
            "project_id",
            "milestone_id",
            "report_id",
            "cohort_year",
            "rule_id",
            "exception_id",
            "mentor_id",
            "session_id",
            "lab_id",
            "hours_id",
            "closure_id",
            "blackout_id",
            "staff_id",
            "resource_id",
            "authorisation_id",
            "booking_id",
        ),
        MISSING_ID,
    )
    actual = _statuses(app, ids, user, only=EXPECTED_FOR_MISSING_OBJECT)

    column = ROLES.index(role)
    assert actual == {
        rule: statuses[column] for rule, statuses in EXPECTED_FOR_MISSING_OBJECT.items()
    }
