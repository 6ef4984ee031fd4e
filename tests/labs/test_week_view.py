"""The finding pages: the resource list with its filters, and a resource's week view (states,
what each person may read of others' bookings, navigation, and bounded queries).

Pages run on the real clock, so the weeks looked at are next week's (Madrid dates).
"""

import re
from datetime import datetime, time, timedelta

import pytest
from babel.dates import format_datetime

from accelerator.accounts.enums import Role
from accelerator.core.clock import MADRID, as_madrid, madrid_to_utc, utcnow
from accelerator.extensions import db
from accelerator.labs.enums import CleanroomGrade, ResourceKind
from accelerator.labs.models import Blackout, LabClosure
from tests.cohorts.conftest import field_errors, make_project, member_of
from tests.conftest import sign_in
from tests.factories import make_user
from tests.labs.conftest import (
    authorise,
    book,
    make_lab,
    make_lab_manager,
    make_resource,
    make_training,
)

# The signed-in user; their roles; the organisation's projects; the resource (lab joined); its
# lab's opening hours; its trainings; the week's closures, blackouts and bookings.
WEEK_VIEW_QUERIES = 9
# The signed-in user; their roles; the organisation's projects; the labs to filter by; the
# resources (labs joined); their labs' opening hours; their trainings; for the free-time filter,
# the closures, blackouts and bookings of every listed resource.
RESOURCE_LIST_QUERIES = 10


def next_monday():
    today = as_madrid(utcnow()).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=7)


def at(day, hour: int, minute: int = 0) -> datetime:
    return madrid_to_utc(datetime.combine(day, time(hour, minute)))


def week_grid(page: str) -> dict[str, list[str]]:
    """Row time → the state of each day's cell, Monday to Sunday."""
    body = page[page.index('<table class="table table-bordered') :]
    body = body[: body.index("</table>")]
    grid = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        label = re.search(r'<th scope="row">([^<]+)</th>', row)
        if label:
            grid[label[1]] = re.findall(r'data-state="(\w+)"', row)
    return grid


@pytest.fixture
def week(app):
    """A lab open on weekdays 08:00–20:00, closed next Tuesday; a clean room blacked out next
    Thursday 10:00–12:00, booked by the member's project on Wednesday 10:00–11:00 and by
    another project on Wednesday 14:00–15:00."""
    lab = make_lab(name="Parc Científic")
    resource = make_resource(lab, name="Clean room B1", minimum_notice_hours=0)
    monday = next_monday()
    db.session.add(
        LabClosure(
            lab_id=lab.id,
            first_day=monday + timedelta(days=1),
            last_day=monday + timedelta(days=1),
            reason="Local holiday",
        )
    )
    thursday = monday + timedelta(days=3)
    db.session.add(
        Blackout(
            lab_id=lab.id,
            resource_id=resource.id,
            starts_at=at(thursday, 10),
            ends_at=at(thursday, 12),
            reason="Requalification",
            created_at=utcnow(),
        )
    )
    db.session.commit()
    member = member_of()
    project = make_project(member=member, title="Retinal gene therapy", acronym="RETIGENE")
    rival = member_of()
    rival_project = make_project(member=rival, title="Secret CAR-T", acronym="SECRETCAR")
    wednesday = monday + timedelta(days=2)
    own = book(resource, project, member, at(wednesday, 10), at(wednesday, 11), now=utcnow())
    book(resource, rival_project, rival, at(wednesday, 14), at(wednesday, 15), now=utcnow())
    return {
        "lab": lab,
        "resource": resource,
        "monday": monday,
        "member": member,
        "project": project,
        "own": own,
        "rival": rival,
    }


def week_url(resource, monday) -> str:
    return f"/labs/resources/{resource.id}?week={monday.isoformat()}"


def test_week_view_shows_closed_blackout_booked_and_free_steps(client, week):
    sign_in(client, week["member"])

    page = client.get(week_url(week["resource"], week["monday"])).text

    grid = week_grid(page)
    assert list(grid)[:3] == ["08:00", "08:30", "09:00"]
    assert list(grid)[-1] == "19:30"
    assert grid["10:00"] == ["free", "closed", "own", "blackout", "free", "closed", "closed"]
    assert grid["10:30"] == ["free", "closed", "own", "blackout", "free", "closed", "closed"]
    assert grid["11:00"] == ["free", "closed", "free", "blackout", "free", "closed", "closed"]
    assert grid["14:00"] == ["free", "closed", "booked", "free", "free", "closed", "closed"]
    assert f'href="/labs/bookings/{week["own"].id}">Your project</a>' in page
    assert "Local holiday" in page
    assert "Requalification" in page


def test_free_step_links_to_the_prefilled_form_with_an_accessible_name(client, week):
    resource, monday = week["resource"], week["monday"]
    sign_in(client, week["member"])

    page = client.get(week_url(resource, monday)).text

    name = format_datetime(at(monday, 10), "EEEE d MMMM HH:mm", tzinfo=MADRID, locale="en")
    assert (
        f'<a href="/labs/resources/{resource.id}/book?start={monday.isoformat()}T10:00"'
        f' aria-label="Book {name}">Book</a>'
    ) in page
    assert name.startswith("Monday ")


def test_week_view_is_a_table_with_caption_headers_and_week_links(client, week):
    resource, monday = week["resource"], week["monday"]
    sign_in(client, week["member"])

    page = client.get(week_url(resource, monday)).text

    assert re.search(r"<caption>Clean room B1, week of Monday", page)
    assert page.count('<th scope="col"') == 8  # the time, then Monday to Sunday
    assert page.count('<th scope="row">') == 24
    previous = (monday - timedelta(days=7)).isoformat()
    following = (monday + timedelta(days=7)).isoformat()
    assert f'id="previous-week" href="/labs/resources/{resource.id}?week={previous}"' in page
    assert f'id="next-week" href="/labs/resources/{resource.id}?week={following}"' in page


def test_other_projects_bookings_show_only_as_booked_to_applicants(client, week):
    sign_in(client, week["rival"])

    page = client.get(week_url(week["resource"], week["monday"])).text

    assert "RETIGENE" not in page
    assert "Retinal gene therapy" not in page
    assert f"/labs/bookings/{week['own'].id}" not in page
    assert week_grid(page)["10:00"][2] == "booked"
    assert week_grid(page)["14:00"][2] == "own"


def test_lab_manager_sees_which_project_holds_each_step(client, week):
    sign_in(client, make_lab_manager(week["lab"]))

    page = client.get(week_url(week["resource"], week["monday"])).text

    assert f'href="/labs/bookings/{week["own"].id}">{week["project"].label}</a>' in page
    assert "SECRETCAR" in page
    assert 'aria-label="Book ' not in page  # managers do not book: free steps are text


def test_any_day_of_a_week_shows_that_week_and_bad_weeks_show_this_one(client, week):
    resource, monday = week["resource"], week["monday"]
    sign_in(client, week["member"])

    wednesday = client.get(week_url(resource, monday + timedelta(days=2))).text

    assert week_grid(wednesday)["10:00"][2] == "own"
    for junk in ("garbage", "9999-12-31", "2026-02-30"):
        page = client.get(f"/labs/resources/{resource.id}?week={junk}")
        assert page.status_code == 200
        assert f'id="next-week" href="{week_url(resource, monday)}"' in page.text


def test_steps_within_the_notice_are_not_links(client, week):
    resource = make_resource(week["lab"], name="Cryostore", minimum_notice_hours=720)
    sign_in(client, week["member"])

    page = client.get(week_url(resource, week["monday"])).text

    assert week_grid(page)["10:00"] == ["too_late", "closed", "too_late", "too_late"] + [
        "too_late",
        "closed",
        "closed",
    ]
    assert 'aria-label="Book ' not in page


@pytest.mark.parametrize("count", [1, 20])
def test_week_view_query_count_does_not_grow_with_bookings(client, count_queries, count):
    lab = make_lab()
    training = make_training(lab)
    # No notice: next Monday 08:00 may be less than a day away (on Sunday evenings).
    resource = make_resource(lab, trainings=[training], minimum_notice_hours=0)
    member = member_of()
    project = make_project(member=member)
    monday = next_monday()
    authorise(member, training, granted_on=monday, expires_on=monday + timedelta(days=7))
    for index in range(count):
        day = monday + timedelta(days=index % 5)
        starts_at = at(day, 8) + timedelta(minutes=30 * (index // 5))
        book(resource, project, member, starts_at, starts_at + timedelta(minutes=30), now=utcnow())
    sign_in(client, member)
    url = week_url(resource, monday)
    client.get(url)

    with count_queries() as statements:
        response = client.get(url)

    assert response.text.count('data-state="own"') == count
    assert len(statements) == WEEK_VIEW_QUERIES


# --- the resource list -------------------------------------------------------------------


def listed(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/labs/resources/\d+">([^<]+)</a></th>', page)


@pytest.fixture
def catalogue(app):
    """Resources of two labs: next week, "Clean room B1" is blacked out all week, "Clean room
    B2" needs a month's notice, and "Vector suite" is booked for at most 2 hours."""
    parc, leitat = make_lab(name="Parc Científic"), make_lab(name="Leitat")
    clean = {"kind": ResourceKind.GMP_CLEAN_ROOM, "gmp_certified": True}
    b1 = make_resource(parc, name="Clean room B1", cleanroom_grade=CleanroomGrade.B, **clean)
    make_resource(
        parc,
        name="Clean room B2",
        cleanroom_grade=CleanroomGrade.B,
        containment_level=1,
        minimum_notice_hours=720,
        **clean,
    )
    make_resource(parc, name="Clean room C", cleanroom_grade=CleanroomGrade.C, **clean)
    make_resource(
        parc,
        name="Vector suite",
        kind=ResourceKind.VIRAL_VECTOR_SUITE,
        cleanroom_grade=CleanroomGrade.NONE,
        containment_level=3,
        maximum_minutes=120,
    )
    make_resource(
        parc,
        name="Cytometer",
        kind=ResourceKind.FLOW_CYTOMETER,
        cleanroom_grade=CleanroomGrade.NONE,
        containment_level=None,
        gmp_certified=False,
        minimum_notice_hours=0,
    )
    make_resource(parc, name="Retired room", cleanroom_grade=CleanroomGrade.B, active=False)
    make_resource(leitat, name="Leitat B", cleanroom_grade=CleanroomGrade.B, **clean)
    monday = next_monday()
    db.session.add(
        Blackout(
            lab_id=parc.id,
            resource_id=b1.id,
            starts_at=at(monday, 0),
            ends_at=at(monday + timedelta(days=7), 0),
            created_at=utcnow(),
        )
    )
    db.session.commit()
    member = member_of()
    make_project(member=member)
    return {"parc": parc, "leitat": leitat, "member": member, "monday": monday}


def free_next_week(monday, hours="4") -> str:
    return (
        f"free_from={monday.isoformat()}&free_until={(monday + timedelta(days=6)).isoformat()}"
        f"&free_hours={hours}"
    )


@pytest.mark.parametrize(
    ("query", "names"),
    [
        (
            "",
            ["Leitat B", "Clean room B1", "Clean room B2", "Clean room C", "Cytometer"]
            + ["Vector suite"],
        ),
        ("kind=gmp_clean_room&grade=B", ["Leitat B", "Clean room B1", "Clean room B2"]),
        ("containment=2", ["Leitat B", "Clean room B1", "Clean room C", "Vector suite"]),
        ("grade=B&containment=2", ["Leitat B", "Clean room B1"]),
        ("grade=none", ["Cytometer", "Vector suite"]),
        ("gmp=y&kind=gmp_clean_room&containment=3", []),
        ("gmp=y&grade=none", ["Vector suite"]),
        ("{free}", ["Leitat B", "Clean room C", "Cytometer"]),
        ("{free_short}", ["Leitat B", "Clean room C", "Cytometer", "Vector suite"]),
        ("grade=B&containment=2&{free}", ["Leitat B"]),
        ("lab={parc}&grade=B", ["Clean room B1", "Clean room B2"]),
    ],
)
def test_filters_return_exactly_the_matching_resources(client, catalogue, query, names):
    monday = catalogue["monday"]
    query = query.format(
        free=free_next_week(monday),
        free_short=free_next_week(monday, hours="1.5"),
        parc=catalogue["parc"].id,
    )
    sign_in(client, catalogue["member"])

    response = client.get(f"/labs/resources?{query}")

    assert response.status_code == 200
    assert listed(response.text) == names


@pytest.mark.parametrize(
    ("query", "field_id", "message"),
    [
        ("free_hours=4", "free_from", "Enter the first day to search."),
        ("free_from={monday}", "free_hours", "Enter how many hours you need."),
        ("free_from={monday}&free_hours=0.1", "free_hours", "Between 0.25 and 24 hours."),
        ("free_from={monday}&free_hours=lots", "free_hours", "Not a valid decimal value."),
        (
            "free_from={monday}&free_until=2000-01-01&free_hours=2",
            "free_until",
            "The last day cannot be before the first.",
        ),
        (
            "free_from={monday}&free_until=2099-01-01&free_hours=2",
            "free_until",
            "Search at most 62 days at once.",
        ),
        ("grade=Z", "grade", "Not a valid choice."),
    ],
)
def test_bad_filters_get_a_message_next_to_the_field(client, catalogue, query, field_id, message):
    sign_in(client, catalogue["member"])

    response = client.get(f"/labs/resources?{query.format(monday=catalogue['monday'])}")

    assert response.status_code == 200
    assert field_errors(response.text, field_id) == [message]
    assert listed(response.text) == []


def test_free_filter_links_the_first_free_time_to_the_booking_form(client, catalogue):
    monday = catalogue["monday"]
    sign_in(client, catalogue["member"])

    page = client.get(f"/labs/resources?kind=flow_cytometer&{free_next_week(monday)}").text

    assert f"/book?start={monday.isoformat()}T08:00&amp;end={monday.isoformat()}T12:00" in page


def test_resource_list_shows_attributes_rate_and_trainings(client, catalogue):
    resource = make_resource(
        catalogue["leitat"],
        name="Isolator",
        hourly_rate_cents=15_050,
        trainings=[make_training(catalogue["leitat"], "Grade A gowning")],
    )
    sign_in(client, catalogue["member"])

    page = client.get("/labs/resources?lab={}".format(catalogue["leitat"].id)).text

    row = page[page.index(f'id="resource-{resource.id}">') + len(f'id="resource-{resource.id}">') :]
    row = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row[: row.index("</tr>")])).strip()
    assert row == "Isolator Leitat GMP clean room Grade B 2 Yes €150.50 Grade A gowning"


def test_resource_pages_refuse_people_without_a_project(client, catalogue):
    for person in (make_user(), member_of(), make_user(Role.REVIEWER)):
        sign_in(client, person)

        assert client.get("/labs/resources").status_code == 403


@pytest.mark.parametrize("count", [1, 5])
def test_resource_list_query_count_does_not_grow_with_resources(client, count_queries, count):
    member = member_of()
    project = make_project(member=member)
    monday = next_monday()
    for _number in range(count):
        lab = make_lab()
        db.session.add(LabClosure(lab_id=lab.id, first_day=monday, last_day=monday))
        training = make_training(lab)
        authorise(member, training, granted_on=monday, expires_on=monday + timedelta(days=7))
        resource = make_resource(lab, trainings=[training])
        db.session.add(
            Blackout(
                lab_id=lab.id,
                starts_at=at(monday, 8),
                ends_at=at(monday, 9),
                created_at=utcnow(),
            )
        )
        db.session.commit()
        tuesday = monday + timedelta(days=1)
        book(resource, project, member, at(tuesday, 8), at(tuesday, 10), now=utcnow())
    sign_in(client, member)
    url = f"/labs/resources?{free_next_week(monday, hours='2')}"
    client.get(url)

    with count_queries() as statements:
        response = client.get(url)

    assert len(listed(response.text)) == count
    assert len(statements) == RESOURCE_LIST_QUERIES
