"""The staff side of cohort programs: reviews per reviewer, decisions drafted, read, then sent;
members' commitments and on-call flags; ideas for sessions; and the privacy registry."""

import datetime
import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.privacy import erase_user, export_json
from donors.models import Donor
from notifications.models import OutgoingMessage
from tests.factories import (
    ApplicationFactory,
    CohortProgramFactory,
    DonorFactory,
    SkillFactory,
    UserFactory,
)
from trainings import programs
from trainings.models import (
    Application,
    ApplicationReview,
    Commitment,
    DirectoryEntry,
    SessionIdea,
)

pytestmark = pytest.mark.django_db

APPLICATIONS = "/admin/trainings/application/"
MEMBERS = "/admin/trainings/cohortmember/"


def staff_member(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="Staff"))
    return user


def action(client, url, name, objects):
    return client.post(
        url, {"action": name, ACTION_CHECKBOX_NAME: [str(o.pk) for o in objects]}, follow=True
    )


def change_post(client, url, data):
    """POST the change page as a browser would: with its inlines' management forms."""
    page = client.get(url)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.total_form_count())
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for number, form in enumerate(formset.initial_forms):
            data[f"{formset.prefix}-{number}-id"] = str(form.instance.pk)
    return client.post(url, data)


def test_each_reviewer_writes_their_own_review_on_the_application_page(client):
    application = ApplicationFactory()
    first, second = staff_member(), staff_member()
    url = f"{APPLICATIONS}{application.pk}/change/"

    client.force_login(first)
    change_post(client, url, {"my_score": "4", "my_notes": "Clear plan", "decision_message": ""})
    client.force_login(second)
    page = client.get(url).content.decode()
    response = change_post(client, url, {"my_score": "2", "my_notes": "", "decision_message": ""})

    assert response.status_code == 302
    assert "Clear plan" in page  # the first review, shown read-only to the second reviewer
    reviews = ApplicationReview.objects.order_by("pk")
    assert [(r.reviewer, r.score, r.notes) for r in reviews] == [
        (first, 4, "Clear plan"),
        (second, 2, ""),
    ]
    listing = client.get(APPLICATIONS).content.decode()
    assert "3.0" in listing


def test_notes_without_a_score_are_an_error_at_the_field(client):
    application = ApplicationFactory()
    client.force_login(staff_member())

    response = change_post(
        client,
        f"{APPLICATIONS}{application.pk}/change/",
        {"my_score": "", "my_notes": "Strong", "decision_message": ""},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["my_score"] == [
        "Give a score with your notes."
    ]
    assert ApplicationReview.objects.count() == 0


def test_staff_draft_read_then_send_a_decision(client, django_capture_on_commit_callbacks):
    application = ApplicationFactory(training__title="Strategists 2027")
    client.force_login(staff_member())

    action(client, APPLICATIONS, "draft_accept", [application])
    page = client.get(f"{APPLICATIONS}{application.pk}/change/").content.decode()
    application.refresh_from_db()
    assert (application.status, application.decision) == ("submitted", "accepted")
    assert "Drafted, not sent yet." in page
    assert "You are accepted: Strategists 2027" in page
    assert OutgoingMessage.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = action(client, APPLICATIONS, "send_decisions", [application])

    assert "1 decision sent." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "accepted"
    assert OutgoingMessage.objects.get().to == application.user.email


def test_accepting_more_than_the_places_left_warns_staff(client):
    program = CohortProgramFactory(title="Small cohort", cohort_size=2)
    ApplicationFactory(training=program, status="confirmed")
    applicants = ApplicationFactory.create_batch(2, training=program)
    client.force_login(staff_member())

    response = action(client, APPLICATIONS, "draft_accept", applicants)

    assert (
        "Small cohort: 2 accepted or drafted to be, for 1 places left. "
        "Only the first 1 to confirm get a place."
    ) in response.content.decode()


def test_cohort_members_show_progress_and_on_call(client):
    program = CohortProgramFactory(
        starts_at=timezone.now() - datetime.timedelta(days=75),
        ends_at=timezone.now() + datetime.timedelta(days=100),
    )
    keen = ApplicationFactory(
        training=program, status="confirmed", user=DonorFactory(user__display_name="Keen").user
    )
    slow = ApplicationFactory(
        training=program, status="confirmed", user=UserFactory(display_name="Slow")
    )
    ApplicationFactory(training=program, status="accepted", user=UserFactory(display_name="Nope"))
    today = timezone.localdate()
    for kind in ("training_day", "training_day", "action", "action"):
        Commitment.objects.create(application=keen, kind=kind, date=today)
    client.force_login(staff_member())

    listing = client.get(MEMBERS).content.decode()
    on_track = client.get(MEMBERS + "?track=on").content.decode()
    behind = client.get(MEMBERS + "?track=behind").content.decode()
    action(client, MEMBERS, "flag_on_call", [keen, slow])

    assert "Keen" in listing and "Slow" in listing and "Nope" not in listing
    assert "2 / 2" in listing and "0 / 2" in listing
    assert "Keen" in on_track and "Slow" not in on_track
    assert "Slow" in behind and "Keen" not in behind
    assert Donor.objects.get(user=keen.user).on_call is True


def test_staff_record_a_commitment_inline(client):
    member = ApplicationFactory(status="confirmed")
    staff = staff_member()
    client.force_login(staff)
    prefix = "commitments"

    response = client.post(
        f"{MEMBERS}{member.pk}/change/",
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-kind": "action",
            f"{prefix}-0-date": "2026-03-01",
            f"{prefix}-0-description": "Picket livestream",
        },
    )

    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert (commitment.kind, commitment.recorded_by, commitment.application_id) == (
        "action",
        staff,
        member.pk,
    )


def test_session_ideas_filter_by_kind_and_skill(client):
    skill = SkillFactory(name="Picket livestreams")
    SessionIdea.objects.create(user=UserFactory(), kind="offer", skill=skill, title="OFFERED one")
    SessionIdea.objects.create(
        user=UserFactory(), kind="request", skill=SkillFactory(), title="REQUESTED one"
    )
    client.force_login(staff_member())

    by_kind = client.get("/admin/trainings/sessionidea/?kind__exact=offer").content.decode()
    by_skill = client.get(f"/admin/trainings/sessionidea/?skill__id__exact={skill.pk}")

    assert "OFFERED one" in by_kind and "REQUESTED one" not in by_kind
    assert "OFFERED one" in by_skill.content.decode()
    assert "REQUESTED one" not in by_skill.content.decode()


# --- privacy -------------------------------------------------------------------------------------


def test_export_shows_reviews_about_the_applicant_without_the_reviewer():
    application = ApplicationFactory(statement="MY-STATEMENT")
    reviewer = staff_member(email="reviewer@example.org")
    programs.review(application, reviewer=reviewer, score=4, notes="REVIEW-NOTES")
    SessionIdea.objects.create(
        user=application.user, kind="offer", skill=SkillFactory(), title="MY-IDEA"
    )
    DirectoryEntry.objects.create(user=application.user, headline="MY-HEADLINE")

    records = json.loads(export_json(application.user))["records"]

    assert records["Cohort program applications"][0]["statement"] == "MY-STATEMENT"
    [review] = records["Reviews of cohort program applications"]
    assert (review["score"], review["notes"]) == ("4", "REVIEW-NOTES")  # the choice label
    assert "reviewer" not in review
    assert records["Ideas for sessions"][0]["title"] == "MY-IDEA"
    assert (
        records["Your listing in the directory of trained digital strategists"][0]["headline"]
        == "MY-HEADLINE"
    )


def test_erasing_an_applicant_removes_their_application_reviews_ideas_and_listing():
    application = ApplicationFactory()
    programs.review(application, reviewer=staff_member(), score=3)
    Commitment.objects.create(application=application, kind="action", date=timezone.localdate())
    user = application.user
    SessionIdea.objects.create(user=user, kind="offer", skill=SkillFactory(), title="x")
    DirectoryEntry.objects.create(user=user)

    erase_user(user)

    assert Application.objects.count() == 0
    assert ApplicationReview.objects.count() == 0
    assert Commitment.objects.count() == 0
    assert SessionIdea.objects.count() == 0
    assert DirectoryEntry.objects.count() == 0


def test_erasing_a_reviewer_keeps_their_review_without_them():
    application = ApplicationFactory()
    reviewer = staff_member()
    programs.review(application, reviewer=reviewer, score=5, notes="Kept")
    programs.draft_decision([application], decision="accepted", by=reviewer)

    erase_user(reviewer)

    review = ApplicationReview.objects.get()
    assert (review.reviewer, review.notes) == (None, "Kept")
    application.refresh_from_db()
    assert (application.decision, application.decision_drafted_by) == ("accepted", None)


# --- query counts of the admin lists -------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("url", [APPLICATIONS, MEMBERS, "/admin/trainings/sessionidea/"])
def test_admin_list_query_count_is_constant(client, django_assert_num_queries, count, url):
    program = CohortProgramFactory()
    reviewer = staff_member()
    for _ in range(count):
        member = ApplicationFactory(training=program, status="confirmed", user=DonorFactory().user)
        programs.review(member, reviewer=reviewer, score=4)
        Commitment.objects.create(application=member, kind="action", date=timezone.localdate())
        SessionIdea.objects.create(
            user=member.user, kind="offer", skill=SkillFactory(), title="An idea"
        )
    client.force_login(staff_member())

    with django_assert_num_queries(QUERIES[url]):
        response = client.get(url)

    assert response.context["cl"].result_count == count


# the session with its user, permissions (user's and group's, one query), the filter's choices
# (programs, or skills for ideas), the filtered and total counts, and the rows with everything
# each row shows. 8 each before the permissions came in one query and the user with the session.
QUERIES = {APPLICATIONS: 6, MEMBERS: 6, "/admin/trainings/sessionidea/": 6}


def test_someone_who_may_only_view_sees_the_application_without_the_review_form(client):
    from django.contrib.auth.models import Permission

    application = ApplicationFactory(statement="VIEW-ONLY statement")
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="trainings",
            codename__in=["view_application", "view_applicationreview"],
        )
    )
    client.force_login(viewer)

    response = client.get(f"{APPLICATIONS}{application.pk}/change/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "VIEW-ONLY statement" in body
    assert "Your score" not in body
