"""Conflicts of interest: declared ones, and those detected from organisations and email domains.

A conflicted reviewer is never assigned and never sees the application.
"""

from collections import defaultdict
from datetime import datetime

from flask_babel import gettext as _
from publicsuffixlist import PublicSuffixList
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.enums import Role
from accelerator.accounts.models import Organisation, RoleGrant, User
from accelerator.applications.models import Application
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.reviews import policies
from accelerator.reviews.enums import ConflictSource, ReviewStatus
from accelerator.reviews.models import Assignment, ConflictDeclaration, Review

# Addresses at these providers say nothing about where a person works.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "yahoo.es",
        "icloud.com",
        "me.com",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "gmx.es",
        "aol.com",
        "hotmail.es",
        "telefonica.net",
    }
)

Pair = tuple[int, int]  # (reviewer_id, application_id)

# The list bundled with the package, never fetched at run time: it knows that gob.es and
# co.uk are public suffixes, so a.gob.es and b.gob.es are two different registrants.
PUBLIC_SUFFIXES = PublicSuffixList()


class ConflictAlreadyDeclared(DomainError):
    pass


def email_domain(email: str) -> str | None:
    """The registrable domain of an address (clinic.ub.edu gives ub.edu), or None for webmail."""
    return registrable_domain(email.rpartition("@")[2])


def registrable_domain(domain: str | None) -> str | None:
    """The part of a domain its owner registered; None for a bare public suffix or webmail."""
    registered = PUBLIC_SUFFIXES.privatesuffix(domain.strip().lower()) if domain else None
    return None if registered is None or registered in PUBLIC_EMAIL_DOMAINS else registered


def conflicts_in_call(call_id: int, reviewer_ids: list[int] | None = None) -> dict[Pair, set]:
    """Every conflicted (reviewer, application) pair of a call, with why, in four queries."""
    applications = db.session.execute(
        select(Application.id, Application.organisation_id, Organisation.email_domain)
        .join(Application.organisation)
        .where(Application.call_id == call_id)
    ).all()
    organisation_ids = {row.organisation_id for row in applications}
    member_domains = defaultdict(set)  # the organisation's own domain and its members'
    for row in applications:
        if registered := registrable_domain(row.email_domain):
            member_domains[row.organisation_id].add(registered)
    for organisation_id, email in db.session.execute(
        select(User.organisation_id, User.email).where(User.organisation_id.in_(organisation_ids))
    ):
        if domain := email_domain(email):
            member_domains[organisation_id].add(domain)
    reviewers = _reviewers(reviewer_ids)
    declared = _declarations(call_id)
    found: dict[Pair, set] = defaultdict(set)
    for reviewer in reviewers:
        reviewer_domain = email_domain(reviewer.email)
        for application in applications:
            pair = (reviewer.id, application.id)
            if reviewer.organisation_id == application.organisation_id:
                found[pair].add(ConflictSource.SAME_ORGANISATION)
            if reviewer_domain and reviewer_domain in member_domains[application.organisation_id]:
                found[pair].add(ConflictSource.SAME_EMAIL_DOMAIN)
            if (reviewer.id, application.id) in declared or (
                reviewer.id,
                ("organisation", application.organisation_id),
            ) in declared:
                found[pair].add(ConflictSource.DECLARED)
    return dict(found)


def is_conflicted(reviewer: User, application: Application) -> bool:
    """One pair, for the pages a reviewer opens."""
    pairs = conflicts_in_call(application.call_id, reviewer_ids=[reviewer.id])
    return (reviewer.id, application.id) in pairs


def _reviewers(reviewer_ids: list[int] | None):
    query = select(User.id, User.email, User.organisation_id)
    if reviewer_ids is None:
        query = query.join(RoleGrant, RoleGrant.user_id == User.id).where(
            RoleGrant.role == Role.REVIEWER
        )
    else:
        query = query.where(User.id.in_(reviewer_ids))
    return db.session.execute(query).all()


def _declarations(call_id: int) -> set:
    rows = db.session.execute(
        select(
            ConflictDeclaration.reviewer_id,
            ConflictDeclaration.application_id,
            ConflictDeclaration.organisation_id,
        )
        .outerjoin(Application, Application.id == ConflictDeclaration.application_id)
        .where((Application.call_id == call_id) | ConflictDeclaration.organisation_id.is_not(None))
    ).all()
    declared = set()
    for reviewer_id, application_id, organisation_id in rows:
        if application_id is not None:
            declared.add((reviewer_id, application_id))
        else:
            declared.add((reviewer_id, ("organisation", organisation_id)))
    return declared


def declare_conflict(
    reviewer: User,
    *,
    reason: str,
    by: User,
    now: datetime,
    organisation_id: int | None = None,
    application_id: int | None = None,
) -> ConflictDeclaration:
    """Recorded by the reviewer themself or by a manager; removes any pending assignment."""
    allowed = (by.id == reviewer.id and policies.can_declare_conflicts(by)) or (
        policies.can_manage_reviews(by)
    )
    require(allowed)
    if (organisation_id is None) == (application_id is None):
        raise DomainError(_("Choose an organisation or an application."))
    if not reason.strip():
        raise DomainError(_("Give the reason for the conflict."))
    declaration = ConflictDeclaration(
        created_at=now,
        reviewer_id=reviewer.id,
        organisation_id=organisation_id,
        application_id=application_id,
        reason=reason.strip(),
        declared_by_id=by.id,
    )
    db.session.add(declaration)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise ConflictAlreadyDeclared(_("This conflict is already recorded.")) from error
    record_audit(
        "conflict.declared",
        by=by,
        object_type="user",
        object_id=reviewer.id,
        now=now,
        details={
            "organisation_id": organisation_id,
            "application_id": application_id,
            "reason": declaration.reason,
        },
    )
    _remove_pending_assignments(
        reviewer, organisation_id=organisation_id, application_id=application_id, by=by, now=now
    )
    db.session.commit()
    return declaration


def _remove_pending_assignments(
    reviewer: User,
    *,
    organisation_id: int | None,
    application_id: int | None,
    by: User,
    now: datetime,
) -> None:
    """Standing assignments the conflict covers go; submitted reviews stay on the record."""
    covered = (
        Application.organisation_id == organisation_id
        if organisation_id is not None
        else Application.id == application_id
    )
    assignments = db.session.scalars(
        select(Assignment)
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.reviewer_id == reviewer.id,
            Assignment.declined_at.is_(None),
            Review.id.is_(None) | (Review.status != ReviewStatus.SUBMITTED),
            covered,
        )
    ).unique()
    for assignment in assignments:
        record_audit(
            "assignment.removed",
            by=by,
            object_type="application",
            object_id=assignment.application_id,
            now=now,
            details={"reviewer_id": reviewer.id, "because": "conflict of interest"},
        )
        if assignment.review is not None:  # a draft: its foreign key cannot be emptied
            db.session.delete(assignment.review)
        db.session.delete(assignment)


def declarations_of(reviewer: User) -> list[ConflictDeclaration]:
    return list(
        db.session.scalars(
            select(ConflictDeclaration)
            .where(ConflictDeclaration.reviewer_id == reviewer.id)
            .order_by(ConflictDeclaration.created_at.desc())
        ).unique()
    )
