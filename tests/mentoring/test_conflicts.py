"""Conflicts of interest in mentoring (point 12e and 12h): a conflict a mentor's user declared on
the project's application counts, and email domains compare by their registrable part."""

from accelerator.accounts.enums import Role
from accelerator.accounts.organisation_changes import decide_organisation_change
from accelerator.accounts.organisations import update_organisation
from accelerator.core.clock import utcnow
from accelerator.mentoring import services
from accelerator.mentoring.matching import conflicts_with_project
from accelerator.reviews.conflicts import declare_conflict
from accelerator.reviews.enums import ConflictSource
from tests.cohorts.conftest import make_project, member_of
from tests.conftest import sign_in
from tests.factories import make_organisation, make_user
from tests.mentoring.conftest import NOW, add_rule, make_mentor


def mentor_at(email: str):
    user = make_user(Role.MENTOR, email=email)
    return services.save_mentor_profile(
        user,
        bio="Regulatory adviser.",
        organisation="Independent",
        languages=["en"],
        tags=["topic:regulatory"],
        monthly_hour_limit=10,
        minimum_notice_hours=48,
        buffer_minutes=0,
        by=user,
        now=NOW,
    )


def test_mentor_conflict_12h_subdomain_of_the_project_domain_conflicts(app):
    organisation = make_organisation(email_domain="ub.edu")
    project = make_project(member=member_of(organisation))
    hospital = mentor_at("adviser@clinic.ub.edu")
    sibling = mentor_at("officer@b.gob.es")

    assert conflicts_with_project(project, mentors_of_ids=[hospital.id, sibling.id]) == {
        hospital.id: {ConflictSource.SAME_EMAIL_DOMAIN}
    }


def test_mentor_conflict_12h_siblings_under_a_public_suffix_do_not_conflict(app):
    organisation = make_organisation(email_domain="a.gob.es")
    project = make_project(member=make_user(organisation=organisation, email="boss@a.gob.es"))
    sibling = mentor_at("officer@b.gob.es")

    assert conflicts_with_project(project, mentors_of_ids=[sibling.id]) == {}


def test_mentor_conflict_12e_declared_on_the_application_counts_for_its_project(app):
    project = make_project()
    mentor = make_mentor(name="Marta Regulatory")
    other_project = make_project()  # a declaration on this one must not leak onto it
    declare_conflict(
        mentor.user,
        reason="I reviewed this application as an external expert.",
        by=mentor.user,
        now=utcnow(),
        application_id=project.application_id,
    )

    assert conflicts_with_project(project, mentors_of_ids=[mentor.id]) == {
        mentor.id: {ConflictSource.DECLARED}
    }
    assert conflicts_with_project(other_project, mentors_of_ids=[mentor.id]) == {}


def test_mentor_conflict_12e_declared_on_the_application_is_not_suggested_nor_bookable(app, client):
    member = member_of()
    project = make_project(member=member)
    mentor = make_mentor(name="Marta Regulatory", tags=("topic:regulatory",), buffer_minutes=0)
    for weekday in range(7):
        add_rule(mentor, weekday=weekday)
    declare_conflict(
        mentor.user,
        reason="Co-author of their grant.",
        by=make_user(Role.PROGRAMME_MANAGER),
        now=utcnow(),
        application_id=project.application_id,
    )
    sign_in(client, member)

    page = client.get(f"/mentoring/projects/{project.id}").get_data(as_text=True)

    assert f"suggestion-{mentor.id}" not in page
    assert client.get(f"/mentoring/projects/{project.id}/mentors/{mentor.id}/book").status_code == (
        404
    )


def test_mentor_conflict_12c_a_confirmed_legal_name_change_is_what_detection_reads(app):
    organisation = make_organisation(legal_name="Cellgenix Therapeutics SL")
    member = member_of(organisation)
    project = make_project(member=member)  # its application is submitted
    mentor = make_mentor(name="Marta Regulatory")
    mentor.organisation = "Cellgenix Bio SL"  # the mentor works at the renamed company
    manager = make_user(Role.PROGRAMME_MANAGER)
    with app.test_request_context():  # the managers' notice builds a link
        [change] = update_organisation(
            organisation, by=member, now=utcnow(), legal_name="Cellgenix Bio SL"
        )
    waiting = conflicts_with_project(project, mentors_of_ids=[mentor.id])

    with app.test_request_context():
        decide_organisation_change(change, accepted=True, by=manager, now=utcnow())

    assert waiting == {}
    assert conflicts_with_project(project, mentors_of_ids=[mentor.id]) == {
        mentor.id: {ConflictSource.SAME_ORGANISATION}
    }
