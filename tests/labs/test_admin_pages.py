"""The labs' management pages: who reaches them, bad input next to its field, the blackout's
confirmation, the expiring authorisations, and a query count that does not grow with data.

Pages run on the real clock, so times here are built from today in Madrid.
"""

import html
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from accelerator.accounts.enums import Role
from accelerator.core.clock import as_madrid, madrid_to_utc, utcnow
from accelerator.extensions import db
from accelerator.labs.enums import BookingStatus
from accelerator.labs.models import (
    Authorisation,
    Blackout,
    Lab,
    LabBooking,
    LabClosure,
    LabStaff,
    OpeningHours,
    Resource,
)
from tests.cohorts.conftest import field_errors, make_project, member_of, text_of
from tests.conftest import post_form, sign_in
from tests.factories import make_user
from tests.labs.conftest import (
    NOW,
    authorise,
    book,
    make_lab,
    make_lab_manager,
    make_resource,
    make_training,
)

RESOURCE = {
    "name": "Clean room B2",
    "kind": "gmp_clean_room",
    "description": "Grade B suite",
    "cleanroom_grade": "B",
    "containment_level": "2",
    "gmp_certified": "y",
    "booking_step_minutes": "30",
    "minimum_hours": "1.5",
    "maximum_hours": "8",
    "minimum_notice_hours": "48",
    "needs_approval": "y",
    "hourly_rate": "12.30",
    "active": "y",
}


def today():
    return as_madrid(utcnow()).date()


def wednesday_after_next():
    """A working day at least a week ahead, so bookings clear their notice."""
    day = today() + timedelta(days=8)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def at(day, hour: int) -> datetime:
    return madrid_to_utc(datetime.combine(day, time(hour)))


def local(day, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00"


def value_of(page: str, input_id: str) -> str:
    match = re.search(rf'<input[^>]*\bid="{input_id}"[^>]*\bvalue="([^"]*)"', page)
    assert match, f"the page has no input {input_id!r} with a value"
    return match[1]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def lab(app):
    return make_lab(name="Leitat")


@pytest.fixture
def manager(lab):
    return make_lab_manager(lab)


@pytest.fixture
def signed_in_manager(client, manager):
    sign_in(client, manager)
    return manager


# --- who reaches the pages ---------------------------------------------------------------


def test_lab_manager_home_lists_only_their_labs(client, lab, signed_in_manager):
    make_lab(name="Barcelona Science Park")

    page = client.get("/labs/manage").get_data(as_text=True)

    assert re.findall(r'<tr id="lab-\d+">\s*<th scope="row"><a[^>]*>([^<]+)</a>', page) == [
        "Leitat"
    ]
    assert "New lab" not in page


def test_programme_manager_creates_a_lab_from_the_home_page(client, app):
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    response = post_form(
        client,
        "/labs/manage/labs",
        {"name": "Leitat", "contact_email": "labs@leitat.org", "contact_phone": "+34 937 882 300"},
        page="/labs/manage",
    )

    lab = db.session.scalar(select(Lab))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/labs/manage/labs/{lab.id}"
    assert (lab.name, lab.contact_email) == ("Leitat", "labs@leitat.org")


def test_new_lab_with_a_taken_name_shows_the_message_next_to_the_name(client, lab):
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    response = post_form(client, "/labs/manage/labs", {"name": "Leitat"}, page="/labs/manage")

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "name") == ["Another lab has this name."]
    assert count(Lab) == 1


MANAGER_PAGES = [
    "/labs/manage/labs/{lab}",
    "/labs/manage/labs/{lab}/trainings",
    "/labs/manage/labs/{lab}/resources/new",
    "/labs/manage/resources/{resource}/edit",
]


@pytest.mark.parametrize("url", ["/labs/manage", *MANAGER_PAGES, "/labs/manage/labs/{lab}/staff"])
def test_applicant_is_forbidden_the_management_pages(client, lab, url):
    resource = make_resource(lab)
    sign_in(client, member_of())

    response = client.get(url.format(lab=lab.id, resource=resource.id))

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "url"),
    [
        *(("get", url) for url in MANAGER_PAGES),
        ("post", "/labs/manage/labs/{lab}/hours"),
        ("post", "/labs/manage/hours/{hours}/remove"),
        ("post", "/labs/manage/labs/{lab}/closures"),
        ("post", "/labs/manage/closures/{closure}/remove"),
        ("post", "/labs/manage/labs/{lab}/blackouts"),
        ("post", "/labs/manage/blackouts/{blackout}/remove"),
        ("post", "/labs/manage/labs/{lab}/authorisations"),
        ("post", "/labs/manage/authorisations/{authorisation}/remove"),
    ],
)
def test_lab_manager_of_another_lab_gets_not_found(client, lab, method, url):
    resource = make_resource(lab)
    closure = LabClosure(lab_id=lab.id, first_day=today(), last_day=today())
    blackout = Blackout(
        lab_id=lab.id,
        starts_at=utcnow() + timedelta(days=1),
        ends_at=utcnow() + timedelta(days=2),
        created_at=utcnow(),
    )
    db.session.add_all([closure, blackout])
    db.session.commit()
    authorisation = authorise(member_of(), make_training(lab))
    sign_in(client, make_lab_manager(make_lab(name="Barcelona Science Park")))
    target = url.format(
        lab=lab.id,
        resource=resource.id,
        hours=lab.opening_hours[0].id,
        closure=closure.id,
        blackout=blackout.id,
        authorisation=authorisation.id,
    )

    if method == "get":
        response = client.get(target)
    else:
        response = post_form(client, target, {}, page="/labs/manage")

    assert response.status_code == 404
    assert (count(OpeningHours), count(LabClosure), count(Blackout), count(Authorisation)) == (
        10,
        1,
        1,
        1,
    )


def test_lab_manager_is_forbidden_the_staff_page_even_of_their_lab(client, lab, signed_in_manager):
    response = client.get(f"/labs/manage/labs/{lab.id}/staff")

    assert response.status_code == 403
    assert f"/labs/manage/labs/{lab.id}/staff" not in client.get(
        f"/labs/manage/labs/{lab.id}"
    ).get_data(as_text=True)


def test_programme_manager_attaches_a_lab_manager(client, lab):
    person = make_user(Role.LAB_MANAGER, name="Laia Puig")
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    response = post_form(client, f"/labs/manage/labs/{lab.id}/staff", {"user": str(person.id)})

    assert response.status_code == 302
    assert db.session.scalar(select(LabStaff.user_id).where(LabStaff.lab_id == lab.id)) == (
        person.id
    )
    page = client.get(f"/labs/manage/labs/{lab.id}").get_data(as_text=True)
    assert text_of(page, "staff") == "Managed by: Laia Puig"


# --- bad input next to its field ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"weekday": "5", "opens_at": "14:00", "closes_at": "09:00"},
            "closes_at",
            "The lab must close after it opens.",
        ),
        (
            {"weekday": "0", "opens_at": "19:00", "closes_at": "21:00"},
            "closes_at",
            "This overlaps the opening hours 08:00–20:00 of the same day.",
        ),
        (
            {"weekday": "9", "opens_at": "09:00", "closes_at": "10:00"},
            "weekday",
            "Not a valid choice.",
        ),
        (
            {"weekday": "5", "opens_at": "9am", "closes_at": "13:00"},
            "opens_at",
            "Not a valid time value.",
        ),
    ],
)
def test_bad_opening_hours_get_a_message_next_to_the_field(
    client, lab, signed_in_manager, data, field, message
):
    url = f"/labs/manage/labs/{lab.id}/hours"

    response = post_form(client, url, data, page=f"/labs/manage/labs/{lab.id}")

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert count(OpeningHours) == 5


def test_closure_ending_before_it_starts_gets_a_message_next_to_the_last_day(
    client, lab, signed_in_manager
):
    response = post_form(
        client,
        f"/labs/manage/labs/{lab.id}/closures",
        {"first_day": "2026-04-06", "last_day": "2026-04-03"},
        page=f"/labs/manage/labs/{lab.id}",
    )

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "last_day") == [
        "The last day cannot be before the first."
    ]
    assert count(LabClosure) == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"starts_at": "{day}T13:00", "ends_at": "{day}T09:00"},
            "ends_at",
            "The end must be after the start.",
        ),
        (
            {"starts_at": "0001-01-01T00:30", "ends_at": "{day}T09:00"},
            "starts_at",
            "Enter a date between 2000 and 2100.",
        ),
        (
            {"starts_at": "{day}T09:00", "ends_at": "{day}T13:00", "reason": " "},
            "blackout_reason",
            "Give the reason: the bookers affected will read it.",
        ),
        (
            {"starts_at": "2020-01-01T09:00", "ends_at": "2020-01-01T13:00"},
            "ends_at",
            "This time has passed: a blackout must end in the future.",
        ),
    ],
)
def test_bad_blackout_gets_a_message_next_to_the_field(
    client, lab, signed_in_manager, data, field, message
):
    day = wednesday_after_next().isoformat()
    posted = {"resource": "0", "reason": "Maintenance"} | {
        name: value.format(day=day) for name, value in data.items()
    }

    response = post_form(
        client, f"/labs/manage/labs/{lab.id}/blackouts", posted, page=f"/labs/manage/labs/{lab.id}"
    )

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert count(Blackout) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"minimum_hours": "4", "maximum_hours": "2"},
            "maximum_hours",
            "The maximum cannot be shorter than the minimum.",
        ),
        ({"hourly_rate": "-5"}, "hourly_rate", "Between 0 and 100000 euros."),
        ({"hourly_rate": "12.345"}, "hourly_rate", "At most two decimals (cents)."),
        ({"hourly_rate": "NaN"}, "hourly_rate", "Not a valid decimal value."),
        ({"hourly_rate": "twelve"}, "hourly_rate", "Not a valid decimal value."),
        ({"minimum_hours": "0.75"}, "minimum_hours", "Use steps of half an hour, such as 1.5."),
        ({"maximum_hours": "500"}, "maximum_hours", "Between 0.5 and 24 hours."),
        ({"minimum_notice_hours": "-1"}, "minimum_notice_hours", "Between 0 and 720 hours."),
        ({"booking_step_minutes": "20"}, "booking_step_minutes", "Not a valid choice."),
        ({"containment_level": "7"}, "containment_level", "Not a valid choice."),
        ({"name": "  "}, "name", "Enter the resource's name."),
    ],
)
def test_bad_resource_gets_a_message_next_to_the_field(
    client, lab, signed_in_manager, changes, field, message
):
    response = post_form(client, f"/labs/manage/labs/{lab.id}/resources/new", RESOURCE | changes)

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert count(Resource) == 0


def test_resource_with_a_taken_name_gets_the_message_next_to_the_name(
    client, lab, signed_in_manager
):
    make_resource(lab, name="Clean room B2")

    response = post_form(client, f"/labs/manage/labs/{lab.id}/resources/new", RESOURCE)

    assert field_errors(response.get_data(as_text=True), "name") == [
        "This lab already has a resource with this name."
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"expires_on": "2026-02-01"},
            "expires_on",
            "The expiry cannot be before the date of the training.",
        ),
        ({"email": "nobody@example.org"}, "email", "No one with this email is registered."),
        ({"granted_on": "1st March"}, "granted_on", "Not a valid date value."),
    ],
)
def test_bad_authorisation_gets_a_message_next_to_the_field(
    client, lab, signed_in_manager, changes, field, message
):
    training = make_training(lab, "Grade B gowning")
    data = {"email": member_of().email, "training": str(training.id), "granted_on": "2026-03-02"}

    response = post_form(
        client,
        f"/labs/manage/labs/{lab.id}/authorisations",
        data | changes,
        page=f"/labs/manage/labs/{lab.id}/trainings",
    )

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert count(Authorisation) == 0


# --- what the pages do -------------------------------------------------------------------


def test_resource_created_on_the_page_keeps_minutes_and_cents_exactly(
    client, lab, signed_in_manager
):
    gowning = make_training(lab, "Grade B gowning")

    response = post_form(
        client,
        f"/labs/manage/labs/{lab.id}/resources/new",
        RESOURCE | {"required_trainings": [str(gowning.id)]},
    )

    assert response.status_code == 302
    resource = db.session.scalar(select(Resource))
    assert (
        resource.minimum_minutes,
        resource.maximum_minutes,
        resource.hourly_rate_cents,
        resource.containment_level,
        [training.id for training in resource.required_trainings],
    ) == (90, 480, 1230, 2, [gowning.id])


def test_resource_edit_page_shows_hours_and_euros(client, lab, signed_in_manager):
    resource = make_resource(
        lab, minimum_minutes=90, hourly_rate_cents=12_050, containment_level=None
    )

    page = client.get(f"/labs/manage/resources/{resource.id}/edit").get_data(as_text=True)

    assert (value_of(page, "minimum_hours"), value_of(page, "hourly_rate")) == ("1.5", "120.50")
    assert '<option selected value="None">None</option>' in page


def test_resource_edited_without_checkboxes_is_no_longer_bookable(client, lab, signed_in_manager):
    resource = make_resource(lab, name="Cytometer")
    data = RESOURCE | {"name": "Cytometer"}
    del data["active"]

    response = post_form(client, f"/labs/manage/resources/{resource.id}/edit", data)

    assert response.status_code == 302
    assert db.session.get(Resource, resource.id).active is False


def test_authorisation_without_an_expiry_lasts_twelve_months(client, lab, signed_in_manager):
    training = make_training(lab, "Grade B gowning")
    operator = member_of()

    response = post_form(
        client,
        f"/labs/manage/labs/{lab.id}/authorisations",
        {"email": operator.email, "training": str(training.id), "granted_on": "2026-03-02"},
        page=f"/labs/manage/labs/{lab.id}/trainings",
    )

    assert response.status_code == 302
    authorisation = db.session.scalar(select(Authorisation))
    assert (authorisation.user_id, authorisation.expires_on.isoformat()) == (
        operator.id,
        "2027-03-02",
    )


def test_trainings_page_offers_today_as_the_training_date(client, lab, signed_in_manager):
    make_training(lab)

    page = client.get(f"/labs/manage/labs/{lab.id}/trainings").get_data(as_text=True)

    assert value_of(page, "granted_on") == today().isoformat()


def test_blackout_over_bookings_is_confirmed_then_cancels_them(client, lab, signed_in_manager):
    resource = make_resource(lab, name="Clean room B1")
    member = member_of()
    day = wednesday_after_next()
    booking = book(
        resource, make_project(member=member), member, at(day, 10), at(day, 12), now=utcnow()
    )
    data = {
        "resource": "0",
        "starts_at": local(day, 9),
        "ends_at": local(day, 13),
        "reason": "Air handling repair",
    }
    url = f"/labs/manage/labs/{lab.id}/blackouts"

    listing = post_form(client, url, data, page=f"/labs/manage/labs/{lab.id}")

    page = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert re.findall(r'<tr id="affected-(\d+)">', page) == [str(booking.id)]
    assert member.name in page
    assert 'name="confirm" value="yes"' in page
    assert count(Blackout) == 0

    confirmed = post_form(
        client, url, data | {"confirm": "yes"}, page=f"/labs/manage/labs/{lab.id}"
    )

    assert confirmed.status_code == 302
    assert count(Blackout) == 1
    cancelled = db.session.get(LabBooking, booking.id)
    assert (cancelled.status, cancelled.cancellation_reason) == (
        BookingStatus.CANCELLED,
        "Air handling repair",
    )


def test_home_page_lists_authorisations_expiring_within_thirty_days(client, lab, signed_in_manager):
    training = make_training(lab, "Grade B gowning")
    soon, later, lapsed = (
        make_user(name="Soon Expiring"),
        make_user(name="Later Expiring"),
        make_user(name="Lapsed Expiring"),
    )
    authorise(
        soon,
        training,
        granted_on=today() - timedelta(days=300),
        expires_on=today() + timedelta(days=10),
    )
    authorise(
        later,
        training,
        granted_on=today() - timedelta(days=300),
        expires_on=today() + timedelta(days=60),
    )
    authorise(
        lapsed,
        training,
        granted_on=today() - timedelta(days=300),
        expires_on=today() - timedelta(days=5),
    )

    page = client.get("/labs/manage").get_data(as_text=True)

    rows = re.findall(r'<tr id="expiring-\d+">(.*?)</tr>', page, re.S)
    readable = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]
    assert [row.split(" ")[0] for row in readable] == ["Lapsed", "Soon"]
    assert readable[0].endswith("Expired")
    assert not readable[1].endswith("Expired")


# --- query counts ------------------------------------------------------------------------

# The signed-in user (1) and their roles (2); the lab (3) and its opening hours (4); whether
# the manager is on its staff (5); its resources (6) and their trainings (7); its closures (8);
# its blackouts (9); its staff with their names (10).
LAB_PAGE_QUERIES = 10


@pytest.mark.parametrize("volume", [1, 5])
def test_lab_page_query_count_is_constant(client, count_queries, lab, signed_in_manager, volume):
    training = make_training(lab)
    for number in range(volume):
        resource = make_resource(lab, name=f"Resource {number}", trainings=[training])
        db.session.add_all(
            [
                OpeningHours(
                    lab_id=lab.id,
                    weekday=5,
                    opens_at=time(8 + number),
                    closes_at=time(8 + number, 30),
                ),
                LabClosure(
                    lab_id=lab.id,
                    first_day=today() + timedelta(days=number),
                    last_day=today() + timedelta(days=number),
                ),
                Blackout(
                    lab_id=lab.id,
                    resource_id=resource.id,
                    starts_at=utcnow() + timedelta(days=number + 1),
                    ends_at=utcnow() + timedelta(days=number + 2),
                    created_at=NOW,
                ),
            ]
        )
        db.session.add(
            LabStaff(lab_id=lab.id, user_id=make_user(Role.LAB_MANAGER).id, attached_at=NOW)
        )
    db.session.commit()
    url = f"/labs/manage/labs/{lab.id}"
    client.get(url)  # warm-up: the connection pool and the session are ready

    with count_queries() as statements:
        response = client.get(url)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert len(re.findall(r'<tr id="resource-\d+">', page)) == volume
    assert len(re.findall(r'<tr id="blackout-\d+">', page)) == volume
    assert len(statements) == LAB_PAGE_QUERIES, "\n".join(statements)


# The signed-in user (1) and their roles (2); their labs (3); the authorisations expiring in
# them, with the person and the training (4).
HOME_PAGE_QUERIES = 4


@pytest.mark.parametrize("volume", [1, 5])
def test_home_page_query_count_is_constant(client, count_queries, app, volume):
    manager = make_user(Role.LAB_MANAGER)
    for number in range(volume):
        lab = make_lab(name=f"Lab {number}")
        db.session.add(LabStaff(lab_id=lab.id, user_id=manager.id, attached_at=NOW))
        db.session.commit()
        authorise(make_user(), make_training(lab), expires_on=today() + timedelta(days=number))
    sign_in(client, manager)
    client.get("/labs/manage")  # warm-up: the connection pool and the session are ready

    with count_queries() as statements:
        response = client.get("/labs/manage")

    assert response.status_code == 200
    assert len(re.findall(r'<tr id="expiring-\d+">', response.get_data(as_text=True))) == volume
    assert len(statements) == HOME_PAGE_QUERIES, "\n".join(statements)


def test_blackout_typed_in_summer_time_is_stored_in_utc(client, lab, signed_in_manager):
    year = today().year + 1

    response = post_form(
        client,
        f"/labs/manage/labs/{lab.id}/blackouts",
        {
            "resource": "0",
            "starts_at": f"{year}-07-01T09:00",
            "ends_at": f"{year}-07-01T13:30",
            "reason": "Validation of the HVAC",
        },
        page=f"/labs/manage/labs/{lab.id}",
    )

    assert response.status_code == 302
    stored = db.session.scalar(select(Blackout))
    assert (stored.starts_at, stored.ends_at) == (
        datetime(year, 7, 1, 7, 0, tzinfo=UTC),
        datetime(year, 7, 1, 11, 30, tzinfo=UTC),
    )
