"""Calendar feeds keep only a hash of their token, answer while the person they were issued to
may use them, and a reset tells the feed's other users.

NOW is Sunday 1 March 2026.
"""

import re

from sqlalchemy import func, select

from accelerator.accounts.enums import Role
from accelerator.accounts.models import RoleGrant
from accelerator.extensions import db
from accelerator.mentoring import feeds
from accelerator.mentoring.models import CalendarFeed
from tests.cohorts.conftest import member_of
from tests.conftest import csrf_token_from, post_form, sign_in
from tests.factories import make_organisation, make_user
from tests.labs.conftest import make_lab, make_lab_manager, make_resource
from tests.mentoring.conftest import NOW, feed_path, project_feed, resets_told

# --- only the hash is kept -----------------------------------------------------------------


def test_feed_tokens_appear_in_no_database_column(booking):
    project, mentor, member = booking
    resource = make_resource(make_lab(name="Leitat"))
    lab_manager = make_lab_manager(resource.lab)
    member_of(project.organisation)  # told of the project feed's reset
    tokens = [
        feeds.issue_feed(mentor, by=mentor.user, now=NOW),
        feeds.issue_feed(mentor, by=mentor.user, now=NOW),
        feeds.issue_feed(project, by=member, now=NOW),
        feeds.issue_feed(project, by=make_user(Role.PROGRAMME_MANAGER), now=NOW),
        feeds.issue_feed(resource, by=lab_manager, now=NOW),
        feeds.issue_feed(resource, by=make_user(Role.PROGRAMME_MANAGER), now=NOW),
    ]

    stored = [
        str(value)
        for table in db.metadata.sorted_tables
        for row in db.session.execute(table.select())
        for value in row
        if value is not None
    ]
    assert [token for token in tokens if any(token in value for value in stored)] == []
    assert db.session.scalar(select(func.count(CalendarFeed.id))) == 3
    assert len(resets_told()) == 3  # both project members (a manager reset it), the lab manager


# --- a feed answers while its issuer may use it --------------------------------------------


def test_feed_of_a_deactivated_issuer_is_not_found(booking, client):
    project, mentor, member = booking
    mentor_token = feeds.issue_feed(mentor, by=mentor.user, now=NOW)
    project_token = feeds.issue_feed(project, by=member, now=NOW)
    mentor.user.active = False
    member.active = False
    db.session.commit()

    assert client.get(feed_path(mentor_token)).status_code == 404
    assert client.get(feed_path(project_token)).status_code == 404


def test_mentor_feed_of_a_mentor_who_lost_the_role_is_not_found(booking, client):
    _project, mentor, _member = booking
    token = feeds.issue_feed(mentor, by=mentor.user, now=NOW)
    db.session.execute(
        RoleGrant.__table__.delete().where(
            RoleGrant.user_id == mentor.user.id, RoleGrant.role == Role.MENTOR
        )
    )
    db.session.commit()

    assert client.get(feed_path(token)).status_code == 404


def test_project_feed_of_an_issuer_who_left_the_organisation_is_not_found(booking, client):
    project, _mentor, member = booking
    token = feeds.issue_feed(project, by=member, now=NOW)
    member.organisation_id = make_organisation().id
    db.session.commit()

    assert client.get(feed_path(token)).status_code == 404


def test_project_feed_of_a_programme_manager_answers_while_they_are_one(booking, client):
    project, _mentor, _member = booking
    manager = make_user(Role.PROGRAMME_MANAGER)
    token = feeds.issue_feed(project, by=manager, now=NOW)
    answering = client.get(feed_path(token)).status_code
    db.session.execute(RoleGrant.__table__.delete().where(RoleGrant.user_id == manager.id))
    db.session.commit()

    assert (answering, client.get(feed_path(token)).status_code) == (200, 404)


# --- a reset tells the other users -------------------------------------------------------


def test_project_feed_reset_emails_the_projects_other_members(booking, client):
    project, _mentor, member = booking
    colleague = member_of(project.organisation)
    gone = member_of(project.organisation)
    gone.active = False
    db.session.commit()
    member_of()  # of another organisation
    feeds.issue_feed(project, by=colleague, now=NOW)
    sign_in(client, member)

    post_form(client, project_feed(project), {}, page=f"/mentoring/projects/{project.id}")

    [email] = resets_told()
    assert (email.recipient, email.subject) == (
        colleague.email,
        f"The calendar address of {project.label} was reset",
    )
    assert f"{member.name} has reset the calendar address of {project.label}." in email.body_text
    assert f"http://127.0.0.1:5000/mentoring/projects/{project.id}" in email.body_text


def test_creating_a_feed_emails_nobody(booking, client):
    project, _mentor, member = booking
    member_of(project.organisation)
    sign_in(client, member)

    post_form(client, project_feed(project), {}, page=f"/mentoring/projects/{project.id}")

    assert resets_told() == []


def test_feed_box_posts_with_a_csrf_token(booking, client):
    project, _mentor, member = booking
    sign_in(client, member)

    html = client.get(f"/mentoring/projects/{project.id}").get_data(as_text=True)

    box = re.search(
        r'<form method="post" action="([^"]+)" aria-describedby="project-calendar-feed-state">',
        html,
    )
    assert box[1] == project_feed(project)
    assert csrf_token_from(html[box.start() :])
