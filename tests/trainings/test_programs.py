"""trainings.programs and its pages: cohort applications, decisions, confirming a place,
commitments, ideas for sessions and the directory of trained digital strategists."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from donors.models import Donor
from notifications.models import OutgoingMessage
from tests.conftest import require
from tests.factories import (
    ApplicationFactory,
    CohortProgramFactory,
    DonorFactory,
    DonorSkillFactory,
    MembershipFactory,
    OrganizationFactory,
    SkillFactory,
    StaffFactory,
    TrainingFactory,
    UserFactory,
)
from trainings import programs
from trainings.models import Application, ApplicationReview, DirectoryEntry, SessionIdea, Training
from trainings.programs import ProgramError

pytestmark = pytest.mark.django_db

ANSWERS = {
    "statement": "I want to run our strike's social media.",
    "background": "Steward at Local 9; I film our rallies.",
    "organization": "Local 9",
    "commits_training_days": "on",
    "commits_actions": "on",
    "availability_notes": "Not in August.",
}


def signed_in(client, user=None):
    user = user or UserFactory()
    client.force_login(user)
    return user


# --- applying ------------------------------------------------------------------------------------


def test_apply_page_marks_the_demographic_questions_optional(client):
    program = CohortProgramFactory(slug="strategists")
    signed_in(client)

    body = client.get("/trainings/strategists/apply/").content.decode()

    assert "Gender (optional)" in body
    assert "Prefer not to say" in body
    assert "Optional questions" in body
    assert 'name="gender" value="" required' not in body
    assert program.title in body


def test_apply_stores_the_answers_without_the_optional_ones(client):
    program = CohortProgramFactory(slug="strategists")
    user = signed_in(client)

    response = client.post("/trainings/strategists/apply/", ANSWERS)

    assert response.status_code == 302
    assert response["Location"] == "/trainings/applications/"
    application = Application.objects.get()
    assert (application.training, application.user) == (program, user)
    assert application.statement == ANSWERS["statement"]
    assert application.commits_training_days is True
    assert (application.gender, application.age_range, application.lgbtq) == ("", "", "")
    assert application.status == "submitted"


def test_apply_keeps_prefer_not_to_say_as_an_answer(client):
    CohortProgramFactory(slug="strategists")
    signed_in(client)

    client.post(
        "/trainings/strategists/apply/", {**ANSWERS, "gender": "prefer_not", "lgbtq": "yes"}
    )

    application = Application.objects.get()
    assert (application.gender, application.lgbtq) == ("prefer_not", "yes")


def test_apply_after_the_deadline_is_refused_and_keeps_what_was_typed(client):
    CohortProgramFactory(
        slug="strategists", application_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    signed_in(client)

    response = client.post("/trainings/strategists/apply/", ANSWERS)

    assert response.status_code == 400
    body = response.content.decode()
    assert "Applications for this program are closed." in body
    assert ANSWERS["statement"].replace("'", "&#x27;") in body
    assert "Not in August." in body
    assert Application.objects.count() == 0


def test_apply_page_after_the_deadline_says_closed_without_a_form(client):
    CohortProgramFactory(
        slug="strategists", application_deadline=timezone.now() - datetime.timedelta(days=1)
    )
    signed_in(client)

    response = client.get("/trainings/strategists/apply/")

    assert response.status_code == 200
    assert "Applications for this program are closed." in response.content.decode()
    assert 'name="statement"' not in response.content.decode()


@pytest.mark.parametrize("slug", ["no-such-program", "workshop", "draft-cohort"])
def test_apply_to_what_is_not_an_open_cohort_program_is_404(client, slug):
    TrainingFactory(slug="workshop")
    CohortProgramFactory(slug="draft-cohort", published=False)
    signed_in(client)

    assert client.get(f"/trainings/{slug}/apply/").status_code == 404
    assert client.post(f"/trainings/{slug}/apply/", ANSWERS).status_code == 404
    assert Application.objects.count() == 0


def test_apply_service_refuses_a_training_that_is_not_a_cohort_program():
    with pytest.raises(ProgramError, match=r"Only cohort programs take applications\."):
        programs.apply(TrainingFactory(), UserFactory(), statement="s", background="b")


def test_apply_twice_is_refused_and_the_first_application_stays(client):
    program = CohortProgramFactory(slug="strategists")
    user = signed_in(client)
    ApplicationFactory(training=program, user=user, statement="First one")

    response = client.post("/trainings/strategists/apply/", ANSWERS)

    assert response.status_code == 400
    assert "You have already applied to this program." in response.content.decode()
    assert list(Application.objects.values_list("statement", flat=True)) == ["First one"]


def test_apply_without_a_statement_says_so_at_the_field(client):
    CohortProgramFactory(slug="strategists")
    signed_in(client)

    response = client.post("/trainings/strategists/apply/", {**ANSWERS, "statement": ""})

    assert response.status_code == 400
    assert response.context["form"].errors["statement"] == ["This field is required."]
    assert Application.objects.count() == 0


def test_apply_with_a_forged_optional_answer_is_a_field_error(client):
    CohortProgramFactory(slug="strategists")
    signed_in(client)

    response = client.post("/trainings/strategists/apply/", {**ANSWERS, "gender": "<script>"})

    assert response.status_code == 400
    assert "gender" in response.context["form"].errors


# --- reviewing and deciding ----------------------------------------------------------------------


def test_review_is_one_per_reviewer_and_a_second_replaces_it():
    application = ApplicationFactory()
    first, second = StaffFactory(), StaffFactory()

    programs.review(application, reviewer=first, score=3, notes="ok")
    programs.review(application, reviewer=first, score=5, notes="  strong  ")
    programs.review(application, reviewer=second, score=2)

    reviews = ApplicationReview.objects.order_by("reviewer_id")
    assert [(r.reviewer, r.score, r.notes) for r in reviews] == [
        (first, 5, "strong"),
        (second, 2, ""),
    ]


def test_review_score_out_of_range_is_refused():
    with pytest.raises(ProgramError, match=r"A score is from 1 to 5\."):
        programs.review(ApplicationFactory(), reviewer=StaffFactory(), score=6)


def test_draft_decision_sends_nothing_and_keeps_the_status():
    application = ApplicationFactory()
    staff = StaffFactory()

    drafted = programs.draft_decision([application], decision="accepted", by=staff)

    application.refresh_from_db()
    assert drafted == 1
    assert (application.status, application.decision) == ("submitted", "accepted")
    assert application.decision_drafted_by == staff
    assert application.decision_pending is True
    assert OutgoingMessage.objects.count() == 0


def test_send_decisions_moves_the_status_and_mails_once(django_capture_on_commit_callbacks):
    accepted, declined, undecided = ApplicationFactory.create_batch(3)
    staff = StaffFactory()
    programs.draft_decision([accepted], decision="accepted", by=staff)
    programs.draft_decision([declined], decision="declined", by=staff)

    with django_capture_on_commit_callbacks(execute=True):
        sent = programs.send_decisions([accepted, declined, undecided], by=staff)
        again = programs.send_decisions([accepted, declined], by=staff)

    assert (sent, again) == (2, 0)
    statuses = {a.pk: a.status for a in Application.objects.all()}
    assert statuses == {accepted.pk: "accepted", declined.pk: "declined", undecided.pk: "submitted"}
    mails = OutgoingMessage.objects.order_by("to")
    assert sorted(m.to for m in mails) == sorted([accepted.user.email, declined.user.email])
    assert {m.kind for m in mails} == {"trainings.application_decision"}


def test_decision_mail_says_accepted_and_links_to_confirm(
    mailoutbox, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(training__title="Strategists 2027")
    programs.draft_decision(
        [application], decision="accepted", by=StaffFactory(), message="See you in March!"
    )

    with django_capture_on_commit_callbacks(execute=True):
        programs.send_decisions([application], by=StaffFactory())

    [mail] = mailoutbox
    assert mail.subject == "You are accepted: Strategists 2027"
    assert "/trainings/applications/" in mail.body
    assert "See you in March!" in mail.body


def test_a_confirmed_member_gets_no_new_draft():
    member = ApplicationFactory(status="confirmed", decision="accepted")

    assert programs.draft_decision([member], decision="declined", by=StaffFactory()) == 0
    member.refresh_from_db()
    assert (member.status, member.decision) == ("confirmed", "accepted")


# --- confirming a place --------------------------------------------------------------------------


def test_confirm_place_takes_a_place(client):
    application = ApplicationFactory(status="accepted", decision="accepted")
    signed_in(client, application.user)

    response = client.post(f"/trainings/applications/{application.pk}/confirm/")

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "confirmed"
    assert application.confirmed_at is not None


def test_confirm_twice_is_a_clear_refusal(client):
    application = ApplicationFactory(status="confirmed", decision="accepted")
    signed_in(client, application.user)

    response = client.post(f"/trainings/applications/{application.pk}/confirm/")

    assert response.status_code == 409
    assert "You have already confirmed your place." in response.content.decode()


def test_confirm_over_the_cap_is_refused():
    program = CohortProgramFactory(cohort_size=1)
    ApplicationFactory(training=program, status="confirmed")
    late = ApplicationFactory(training=program, status="accepted", decision="accepted")

    with pytest.raises(ProgramError, match="The cohort is full"):
        programs.confirm_place(late)
    late.refresh_from_db()
    assert late.status == "accepted"


def test_confirm_a_submitted_application_is_refused(client):
    application = ApplicationFactory()
    signed_in(client, application.user)

    response = client.post(f"/trainings/applications/{application.pk}/confirm/")

    assert response.status_code == 409
    assert "Only an accepted application can be confirmed." in response.content.decode()


def test_confirm_someone_elses_application_is_404(client):
    application = ApplicationFactory(status="accepted", decision="accepted")
    signed_in(client)

    assert client.post(f"/trainings/applications/{application.pk}/confirm/").status_code == 404
    application.refresh_from_db()
    assert application.status == "accepted"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_confirm_concurrently_never_exceeds_the_cohort_size():
    require(connection.vendor == "postgresql", "row locks need PostgreSQL")
    program = CohortProgramFactory(cohort_size=3)
    ApplicationFactory(training=program, status="confirmed")
    accepted = ApplicationFactory.create_batch(
        8, training=program, status="accepted", decision="accepted"
    )
    barrier = threading.Barrier(len(accepted))
    outcomes, errors = [], []

    def attempt(application):
        try:
            barrier.wait()
            outcomes.append(programs.confirm_place(application).status)
        except ProgramError:
            outcomes.append("full")
        except Exception as error:  # any other error is a failure of the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(a,)) for a in accepted]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcomes) == ["confirmed"] * 2 + ["full"] * 6
    assert Application.objects.filter(training=program, status="confirmed").count() == 3


def test_my_applications_lists_only_mine_with_a_confirm_link(client):
    mine = ApplicationFactory(status="accepted", training__title="Mine cohort")
    ApplicationFactory(training__title="Someone else's cohort")
    signed_in(client, mine.user)

    body = client.get("/trainings/applications/").content.decode()

    assert "Mine cohort" in body
    assert "Someone else" not in body
    assert f"/trainings/applications/{mine.pk}/confirm/" in body


@pytest.mark.parametrize("count", [1, 3])
def test_my_applications_query_count_is_constant(client, django_assert_num_queries, count):
    user = UserFactory()
    for _ in range(count):
        ApplicationFactory(user=user, status="accepted")
    client.force_login(user)

    # the session with its user (and whether a volunteer), applications with their trainings
    with django_assert_num_queries(2):
        response = client.get("/trainings/applications/")

    assert len(response.context["applications"]) == count


# --- commitments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "today", "months"),
    [
        (datetime.date(2026, 1, 15), datetime.date(2026, 1, 20), 0),
        (datetime.date(2026, 1, 15), datetime.date(2026, 2, 14), 0),
        (datetime.date(2026, 1, 15), datetime.date(2026, 2, 15), 1),
        (datetime.date(2026, 1, 15), datetime.date(2026, 7, 1), 5),
        (datetime.date(2026, 1, 15), datetime.date(2025, 12, 1), 0),
    ],
)
def test_completed_months(start, today, months):
    assert programs.completed_months(start, today) == months


def test_progress_expects_one_day_and_one_action_a_month_capped():
    start = datetime.date(2026, 1, 1)

    early = programs.progress(1, 1, starts_on=start, today=datetime.date(2026, 2, 1))
    behind = programs.progress(1, 3, starts_on=start, today=datetime.date(2026, 3, 1))
    late = programs.progress(5, 12, starts_on=start, today=datetime.date(2027, 6, 1))

    assert (early.expected_days, early.expected_actions, early.on_track) == (1, 1, True)
    assert (behind.expected_days, behind.expected_actions, behind.on_track) == (2, 2, False)
    assert (late.expected_days, late.expected_actions, late.on_track) == (5, 12, True)


def test_set_on_call_uses_the_volunteer_profile():
    with_profile = ApplicationFactory(user=DonorFactory(on_call=False).user, status="confirmed")
    without = ApplicationFactory(status="confirmed")

    changed, missing = programs.set_on_call([with_profile, without], on_call=True)

    assert (changed, missing) == (1, 1)
    assert Donor.objects.get(user=with_profile.user).on_call is True


# --- ideas for sessions --------------------------------------------------------------------------


def test_propose_idea_stores_it(client):
    user = signed_in(client)
    skill = SkillFactory(name="Picket livestreams")

    response = client.post(
        "/trainings/ideas/",
        {"kind": "offer", "skill": skill.pk, "title": "  Livestream a picket  ", "description": ""},
    )

    assert response.status_code == 302
    idea = SessionIdea.objects.get()
    assert (idea.user, idea.kind, idea.skill, idea.title) == (
        user,
        "offer",
        skill,
        "Livestream a picket",
    )


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "offer", "skill": "999999", "title": "x"},
        {"kind": "bribe", "title": "x"},
        {"kind": "request", "title": ""},
    ],
)
def test_propose_idea_bad_input_is_a_field_error(client, data):
    signed_in(client)
    skill = SkillFactory()
    data = {"skill": skill.pk, **data}

    response = client.post("/trainings/ideas/", data)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert SessionIdea.objects.count() == 0


# --- the directory -------------------------------------------------------------------------------


def strategist(name, *, region="US-CA", skill=None, listed=True, trained=True):
    donor = DonorFactory(user__display_name=name, region=region)
    DonorSkillFactory(
        donor=donor,
        skill=skill or SkillFactory(),
        trained_at=timezone.now() if trained else None,
        trained_in="Digital Skills for Labor" if trained else "",
    )
    if listed:
        DirectoryEntry.objects.create(user=donor.user, headline=f"{name} headline")
    return donor


def verified_member():
    return MembershipFactory(organization=OrganizationFactory()).user


def test_directory_lists_opted_in_trained_people_only(client):
    strategist("Listed Lena")
    strategist("Unlisted Uli", listed=False)
    strategist("Untrained Ute", trained=False)
    client.force_login(verified_member())

    body = client.get("/trainings/directory/").content.decode()

    assert "Listed Lena" in body
    assert "Digital Skills for Labor" in body
    assert "Unlisted Uli" not in body
    assert "Untrained Ute" not in body


def test_directory_filters_by_region_and_skill(client):
    video = SkillFactory(name="Picket video cuts", slug="picket-video-cuts")
    strategist("California Carla", region="US-CA", skill=video)
    strategist("New York Nora", region="US-NY", skill=video)
    strategist("Other Skill Olga", region="US-CA")
    client.force_login(verified_member())

    body = client.get("/trainings/directory/?region=US-CA&skill=picket-video-cuts").content.decode()

    assert "California Carla" in body
    assert "New York Nora" not in body
    assert "Other Skill Olga" not in body


def test_directory_with_a_forged_filter_is_400(client):
    strategist("Listed Lena")
    client.force_login(verified_member())

    response = client.get("/trainings/directory/?region=XX-NOPE&skill=nope")

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"region", "skill"}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("volunteer", 403),
        ("unverified_org_member", 403),
        ("verified_org_member", 200),
        ("staff", 200),
    ],
)
def test_directory_access_by_role(client, who, status):
    strategist("Listed Lena")
    users = {
        "volunteer": lambda: DonorFactory().user,
        "unverified_org_member": lambda: (
            MembershipFactory(organization=OrganizationFactory(verified_at=None)).user
        ),
        "verified_org_member": verified_member,
        "staff": StaffFactory,
    }
    client.force_login(users[who]())

    response = client.get("/trainings/directory/")

    assert response.status_code == status
    assert ("Listed Lena" in response.content.decode()) is (status == 200)


def test_directory_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/trainings/directory/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("count", [1, 3])
def test_directory_query_count_is_constant(client, django_assert_num_queries, count):
    for n in range(count):
        strategist(f"Strategist {n}")
    client.force_login(verified_member())

    # the session with its user (and whether a volunteer), membership check, filter regions,
    # filter skills, count, entries, skills
    with django_assert_num_queries(7):
        response = client.get("/trainings/directory/")

    assert len(response.context["entries"]) == count


def test_directory_pages_its_results(client, monkeypatch):
    monkeypatch.setattr("trainings.program_views.DIRECTORY_PER_PAGE", 2)
    for name in ("Ada", "Ben", "Cy"):
        strategist(f"Strategist {name}")
    client.force_login(verified_member())

    first = client.get("/trainings/directory/").content.decode()
    second = client.get("/trainings/directory/?page=2").content.decode()

    assert "Strategist Ada" in first and "Strategist Cy" not in first
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert "Strategist Cy" in second and "Strategist Ada" not in second


def test_directory_entry_opt_in_needs_consent_and_opt_out_removes_it(client):
    user = signed_in(client)

    refused = client.post("/trainings/directory/me/", {"action": "join", "headline": "Video"})
    assert refused.status_code == 400
    assert "consent" in refused.context["form"].errors
    assert DirectoryEntry.objects.count() == 0

    client.post(
        "/trainings/directory/me/", {"action": "join", "headline": "Video", "consent": "on"}
    )
    assert DirectoryEntry.objects.get().user == user

    client.post("/trainings/directory/me/", {"action": "leave"})
    assert DirectoryEntry.objects.count() == 0


# --- seed_demo -----------------------------------------------------------------------------------


def test_seed_demo_adds_a_cohort_program_taking_applications(settings):
    import io

    from django.core.management import call_command

    settings.DEBUG = True
    for _ in range(2):  # idempotent
        call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())

    program = Training.objects.get(slug="digital-strategists-cohort")
    assert programs.accepts_applications(program)
    statuses = sorted(program.applications.values_list("status", flat=True))
    assert statuses == [
        "accepted",
        "confirmed",
        "declined",
        "submitted",
        "submitted",
        "submitted",
        "waitlisted",
    ]
    assert program.applications.filter(status="submitted", decision="accepted").count() == 1
    assert SessionIdea.objects.count() == 2
    assert [e.user.email for e in programs.directory()] == ["volunteer1@example.org"]


def test_apply_racing_a_duplicate_is_the_same_clear_refusal(monkeypatch):
    """The existence check passed for both requests; the unique constraint decides."""
    program = CohortProgramFactory()
    user = UserFactory()
    ApplicationFactory(training=program, user=user)
    real_filter = Application.objects.filter

    def blind_filter(**kwargs):  # the check sees nothing, as in a race
        return real_filter(pk=-1) if "user" in kwargs else real_filter(**kwargs)

    monkeypatch.setattr(Application.objects, "filter", blind_filter)

    with pytest.raises(ProgramError, match="already applied"):
        programs.apply(program, user, statement="s", background="b")
    assert Application.objects.count() == 1


def test_cohort_program_page_links_to_the_application_form(client):
    CohortProgramFactory(slug="strategists")

    body = client.get("/trainings/strategists/").content.decode()

    assert 'href="/trainings/strategists/apply/"' in body


def test_without_a_deadline_applications_close_when_registration_would():
    program = CohortProgramFactory(application_deadline=None)
    started = CohortProgramFactory(
        application_deadline=None,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        ends_at=timezone.now() + datetime.timedelta(days=100),
    )

    assert programs.accepts_applications(program) is True
    assert programs.accepts_applications(started) is False


def test_without_a_cohort_size_the_seats_cap_the_cohort():
    program = CohortProgramFactory(cohort_size=None, capacity=2)
    ApplicationFactory(training=program, status="confirmed")

    assert programs.places_left(program) == 1
