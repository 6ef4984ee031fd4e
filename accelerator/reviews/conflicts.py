"""Conflicts of interest: declared ones, and those detected from organisations and email domains.

A conflicted reviewer is never assigned and never sees the application. A conflict found on a
standing assignment (declared, or detected when an organisation or its members change) removes
it and tells the programme managers; submitted reviews stay on the record, and the ranking
leaves them out.
"""

from collections import defaultdict
from datetime import datetime

from flask_babel import gettext as _
from publicsuffixlist import PublicSuffixList
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.enums import Role
from accelerator.accounts.models import Organisation, RoleGrant, User
from accelerator.applications.models import Application
from accelerator.core import events
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.core.transactions import take_sqlite_write_lock, update_while
from accelerator.extensions import db
from accelerator.reviews import blind_declarations, policies
from accelerator.reviews.conflict_notices import (
    RemovedAssignment,
    tell_managers_of_removed_assignments,
)
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

# The list bundled with the package, never fetched at run time: it knows that gob.es and
# co.uk are public suffixes, so a.gob.es and b.gob.es are two different registrants.
PUBLIC_SUFFIXES = PublicSuffixList()

Pair = tuple[int, int]  # (reviewer_id, application_id)


class ConflictAlreadyDeclared(DomainError):
    pass


class UnknownOrganisation(DomainError):
    pass


class DeclarationAlreadyDecided(DomainError):
    pass


def email_domain(email: str) -> str | None:
    """The registrable domain of an address (clinic.ub.edu gives ub.edu), or None for webmail."""
    return registrable_domain(email.rpartition("@")[2])


def registrable_domain(domain: str | None) -> str | None:
    """The part of a domain its owner registered; None for a bare public suffix or webmail."""
    registered = PUBLIC_SUFFIXES.privatesuffix(domain.strip().lower()) if domain else None
    return None if registered is None or registered in PUBLIC_EMAIL_DOMAINS else registered


def conflicts_in_call(call_id: int, reviewer_ids: list[int] | None = None) -> dict[Pair, set]:
    """Every conflicted (reviewer, application) pair of a call, with why, in four queries; the
    work grows with the conflicts found, not with reviewers × applications."""
    applications = db.session.execute(
        select(Application.id, Application.organisation_id, Organisation.email_domain)
        .join(Application.organisation)
        .where(Application.call_id == call_id)
    ).all()
    of_organisation = defaultdict(list)  # organisation id: its applications in the call
    with_domain = defaultdict(set)  # registrable domain: the organisations that use it
    for row in applications:
        of_organisation[row.organisation_id].append(row.id)
        if registered := registrable_domain(row.email_domain):
            with_domain[registered].add(row.organisation_id)
    for organisation_id, email in db.session.execute(
        select(User.organisation_id, User.email).where(User.organisation_id.in_(of_organisation))
    ):
        if domain := email_domain(email):
            with_domain[domain].add(organisation_id)
    reviewers = _reviewers(reviewer_ids)
    found: dict[Pair, set] = defaultdict(set)

    def mark(reviewer_id: int, organisation_ids, source: ConflictSource) -> None:
        for organisation_id in organisation_ids:
            for application_id in of_organisation.get(organisation_id, ()):
                found[(reviewer_id, application_id)].add(source)

    for reviewer in reviewers:
        mark(reviewer.id, [reviewer.organisation_id], ConflictSource.SAME_ORGANISATION)
        if domain := email_domain(reviewer.email):
            mark(reviewer.id, with_domain.get(domain, ()), ConflictSource.SAME_EMAIL_DOMAIN)
    wanted = {reviewer.id for reviewer in reviewers}
    in_call = {row.id for row in applications}
    for reviewer_id, application_id, organisation_id, source in _declarations(call_id):
        if reviewer_id not in wanted:
            continue
        if organisation_id is not None:
            mark(reviewer_id, [organisation_id], source)
        elif application_id in in_call:
            found[(reviewer_id, application_id)].add(source)
    return dict(found)


def confirmed_conflicts(call_id: int, reviewer_ids: list[int]) -> set[Pair]:
    """The pairs in conflict for a reason that stands: not only a declaration awaiting a
    manager's confirmation (which keeps the reviewer away but takes nothing off the record)."""
    return {
        pair
        for pair, sources in conflicts_in_call(call_id, reviewer_ids=reviewer_ids).items()
        if any(source.is_confirmed for source in sources)
    }


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


def _declarations(call_id: int) -> list[tuple]:
    """(reviewer, application, organisation, source) of the declarations that may concern the
    call: on its applications, or on any organisation."""
    rows = db.session.execute(
        select(
            ConflictDeclaration.reviewer_id,
            ConflictDeclaration.application_id,
            ConflictDeclaration.organisation_id,
            ConflictDeclaration.awaiting_confirmation,
        )
        .outerjoin(Application, Application.id == ConflictDeclaration.application_id)
        .where((Application.call_id == call_id) | ConflictDeclaration.organisation_id.is_not(None))
    ).all()
    return [
        (
            reviewer_id,
            application_id,
            organisation_id,
            ConflictSource.DECLARED_PENDING if awaiting else ConflictSource.DECLARED,
        )
        for reviewer_id, application_id, organisation_id, awaiting in rows
    ]


def declare_conflict(
    reviewer: User,
    *,
    reason: str,
    by: User,
    now: datetime,
    organisation_id: int | None = None,
    application_id: int | None = None,
) -> ConflictDeclaration:
    """Recorded by the reviewer themself or by a manager; removes the standing assignments it
    covers. A reviewer declaring organisations during a blind call's review phase is reported
    to the managers, and from their fourth such declaration on it waits for a manager."""
    allowed = (by.id == reviewer.id and policies.can_declare_conflicts(by)) or (
        policies.can_manage_reviews(by)
    )
    require(allowed)
    if (organisation_id is None) == (application_id is None):
        raise DomainError(_("Choose an organisation or an application."))
    if not reason.strip():
        raise DomainError(_("Give the reason for the conflict."))
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise UnknownOrganisation(_("Choose an organisation from the search results."))
    watched = []
    if organisation_id is not None and by.id == reviewer.id:
        watched = blind_declarations.watched_calls(reviewer.id, now=now)
    numbers = blind_declarations.numbers_in(watched, reviewer_id=reviewer.id)
    declaration = ConflictDeclaration(
        created_at=now,
        reviewer_id=reviewer.id,
        organisation_id=organisation_id,
        application_id=application_id,
        reason=reason.strip(),
        declared_by_id=by.id,
        awaiting_confirmation=blind_declarations.needs_confirmation(numbers),
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
            "awaiting_confirmation": declaration.awaiting_confirmation,
        },
    )
    for call in watched:
        blind_declarations.report(declaration, call, number=numbers[call.id], by=by, now=now)
    if not declaration.awaiting_confirmation:
        _remove_standing_conflicts(reviewer_ids=[reviewer.id], by=by, now=now)
    db.session.commit()
    return declaration


def confirm_declaration(declaration: ConflictDeclaration, *, by: User, now: datetime) -> None:
    """A manager confirms a declaration that waited: it now removes the standing assignments
    it covers. Confirming and refusing at once: one wins, the other is told."""
    require(policies.can_manage_reviews(by))
    declaration_id, reviewer_id = declaration.id, declaration.reviewer_id
    take_sqlite_write_lock()
    confirmed = update_while(
        ConflictDeclaration,
        declaration_id,
        ConflictDeclaration.awaiting_confirmation.is_(True),
        values={"awaiting_confirmation": False},
    )
    _require_undecided(int(confirmed))
    record_audit(
        "conflict.confirmed",
        by=by,
        object_type="user",
        object_id=reviewer_id,
        now=now,
        details={"declaration_id": declaration_id},
    )
    _remove_standing_conflicts(reviewer_ids=[reviewer_id], by=by, now=now)
    db.session.commit()


def refuse_declaration(declaration: ConflictDeclaration, *, by: User, now: datetime) -> None:
    """A manager refuses a declaration that waited: it is deleted, and the audit keeps it."""
    require(policies.can_manage_reviews(by))
    details = {
        "declaration_id": declaration.id,
        "organisation_id": declaration.organisation_id,
        "reason": declaration.reason,
    }
    reviewer_id = declaration.reviewer_id
    take_sqlite_write_lock()
    refused = db.session.execute(
        delete(ConflictDeclaration).where(
            ConflictDeclaration.id == details["declaration_id"],
            ConflictDeclaration.awaiting_confirmation.is_(True),
        )
    ).rowcount
    _require_undecided(refused)
    record_audit(
        "conflict.refused",
        by=by,
        object_type="user",
        object_id=reviewer_id,
        now=now,
        details=details,
    )
    db.session.commit()


def _require_undecided(changed_rows: int) -> None:
    if changed_rows != 1:
        db.session.rollback()
        raise DeclarationAlreadyDecided(
            _("This declaration has already been confirmed or refused.")
        )


def _remove_standing_conflicts(
    *,
    by: User | None,
    now: datetime,
    reviewer_ids: list[int] | None = None,
    organisation_id: int | None = None,
) -> None:
    """Removes the standing assignments of these reviewers, or on this organisation's
    applications, that a confirmed conflict now covers, and tells the managers. A submitted
    review stays on the record (the ranking leaves it out)."""
    scope = []
    if reviewer_ids:
        scope.append(Assignment.reviewer_id.in_(reviewer_ids))
    if organisation_id is not None:
        scope.append(Application.organisation_id == organisation_id)
    standing = db.session.scalars(
        select(Assignment)
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(
            or_(*scope),
            Assignment.declined_at.is_(None),
            Review.id.is_(None) | (Review.status != ReviewStatus.SUBMITTED),
        )
        .order_by(Assignment.id)
    ).unique()
    by_call = defaultdict(list)
    for assignment in standing:
        by_call[assignment.application.call_id].append(assignment)
    removed = []
    for call_id, assignments in by_call.items():
        found = conflicts_in_call(
            call_id, reviewer_ids=sorted({a.reviewer_id for a in assignments})
        )
        for assignment in assignments:
            sources = tuple(sorted(s for s in found.get(_pair(assignment), ()) if s.is_confirmed))
            if sources:
                removed.append(
                    RemovedAssignment(assignment.application, assignment.reviewer, sources)
                )
                _remove_assignment(assignment, sources, by=by, now=now)
    if removed:
        tell_managers_of_removed_assignments(removed, now=now)


def _pair(assignment: Assignment) -> Pair:
    return (assignment.reviewer_id, assignment.application_id)


def _remove_assignment(assignment: Assignment, sources, *, by: User | None, now) -> None:
    record_audit(
        "assignment.removed",
        by=by,
        object_type="application",
        object_id=assignment.application_id,
        now=now,
        details={
            "reviewer_id": assignment.reviewer_id,
            "because": "conflict of interest",
            "sources": [source.value for source in sources],
        },
    )
    if assignment.review is not None:  # a draft: its foreign key cannot be emptied
        db.session.delete(assignment.review)
    db.session.delete(assignment)


def _on_member_joined(*, user: User, by: User, now: datetime) -> None:
    # A reviewer who joins, or a member whose address shares a reviewer's domain.
    _remove_standing_conflicts(
        reviewer_ids=[user.id], organisation_id=user.organisation_id, by=by, now=now
    )


def _on_organisation_details_changed(*, organisation: Organisation, by: User, now) -> None:
    _remove_standing_conflicts(organisation_id=organisation.id, by=by, now=now)


events.subscribe(events.MEMBER_JOINED, _on_member_joined)
events.subscribe(events.ORGANISATION_DETAILS_CHANGED, _on_organisation_details_changed)


def declarations_of(reviewer: User) -> list[ConflictDeclaration]:
    return list(
        db.session.scalars(
            select(ConflictDeclaration)
            .where(ConflictDeclaration.reviewer_id == reviewer.id)
            .order_by(ConflictDeclaration.created_at.desc())
        ).unique()
    )
