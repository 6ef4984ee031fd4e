"""The current TRL changes with a recorded history; the entry TRL stays as it was."""

import re

import pytest
from sqlalchemy import select

from accelerator.cohorts import services
from accelerator.cohorts.models import TRLChange
from accelerator.core.models import AuditEntry
from accelerator.extensions import db
from tests.cohorts.conftest import NOW, make_project, member_of
from tests.conftest import post_form, sign_in


def test_trl_change_is_recorded_with_its_history(app):
    member = member_of()
    project = make_project(member=member, trl=3)

    services.update_trl(project, trl=4, note="In vitro potency assay validated", by=member, now=NOW)
    services.update_trl(project, trl=5, note="GLP toxicology in mice", by=member, now=NOW)

    history = db.session.scalars(select(TRLChange).order_by(TRLChange.id)).all()
    assert [(c.trl, c.note, c.changed_by_id, c.changed_at) for c in history] == [
        (4, "In vitro potency assay validated", member.id, NOW),
        (5, "GLP toxicology in mice", member.id, NOW),
    ]
    assert (project.entry_trl, project.current_trl) == (3, 5)
    audit = db.session.execute(
        select(AuditEntry.action, AuditEntry.details)
        .where(AuditEntry.action == "project.trl_changed")
        .order_by(AuditEntry.id)
    ).all()
    assert audit == [
        ("project.trl_changed", {"from": 3, "to": 4}),
        ("project.trl_changed", {"from": 4, "to": 5}),
    ]


def test_trl_unchanged_is_refused(app):
    member = member_of()
    project = make_project(member=member, trl=3)

    with pytest.raises(services.TRLUnchanged, match="^The project is at TRL 3 already.$"):
        services.update_trl(project, trl=3, by=member, now=NOW)


@pytest.mark.parametrize("trl", [0, 10, 12])
def test_trl_out_of_range_is_refused_by_the_service(app, trl):
    member = member_of()
    project = make_project(member=member, trl=3)

    with pytest.raises(services.TRLOutOfRange):
        services.update_trl(project, trl=trl, by=member, now=NOW)

    assert db.session.scalars(select(TRLChange)).all() == []


def test_trl_change_from_the_page_shows_in_the_history(client):
    member = member_of()
    project = make_project(member=member, trl=3)
    sign_in(client, member)

    response = post_form(
        client, f"/projects/{project.id}/trl", {"trl": "6", "note": "First-in-human CTA filed"}
    )

    assert response.status_code == 302
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Entry TRL 3 · current TRL 6" in page
    history = re.search(r"<caption>TRL history</caption>(.*?)</table>", page, re.S)[1]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", history, re.S)
    assert [cells[1], cells[2]] == ["3", "At entry into the programme"]
    assert [cells[5], cells[6], cells[7]] == ["6", "First-in-human CTA filed", member.name]
