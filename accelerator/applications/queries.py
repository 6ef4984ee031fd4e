"""Read queries of applications: each returns a Select the caller pages or exports."""

from dataclasses import dataclass

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import contains_eager

from accelerator.accounts.models import Organisation
from accelerator.applications.models import Application
from accelerator.calls.models import Call


@dataclass(frozen=True)
class ApplicationFilters:
    status: str | None = None
    atmp_class: str | None = None
    therapeutic_area: str | None = None
    development_stage: str | None = None
    trl: int | None = None
    search: str | None = None
    matches_nothing: bool = False


def applications_in_call(call: Call, filters: ApplicationFilters) -> Select:
    """A call's applications with their organisation, in one query, newest change first."""
    query = (
        select(Application)
        .join(Application.organisation)
        .options(contains_eager(Application.organisation))
        .where(Application.call_id == call.id)
        .order_by(Application.updated_at.desc(), Application.id.desc())
    )
    exact = {
        Application.status: filters.status,
        Application.atmp_class: filters.atmp_class,
        Application.therapeutic_area: filters.therapeutic_area,
        Application.development_stage: filters.development_stage,
        Application.trl: filters.trl,
    }
    for column, value in exact.items():
        if value not in (None, ""):
            query = query.where(column == value)
    if filters.matches_nothing:
        query = query.where(false())
    if filters.search:
        pattern = f"%{filters.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Application.title).like(pattern),
                func.lower(Application.acronym).like(pattern),
                func.lower(Organisation.legal_name).like(pattern),
            )
        )
    return query


def applications_of_organisation(organisation_id: int) -> Select:
    """An organisation's applications with their calls, latest call first."""
    return (
        select(Application)
        .join(Application.call)
        .options(contains_eager(Application.call))
        .where(Application.organisation_id == organisation_id)
        .order_by(Call.closes_at.desc(), Application.id.desc())
    )
