"""trainings.programs, rule by rule: which program takes applications until when, what a review,
a draft and a sent decision store, the cohort's places, the commitment counts and who is in the
directory. Exact values, so `make mutate` can tell a changed rule from the real one."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import OutgoingMessage
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
from trainings.models import Application, Commitment, DirectoryEntry
from trainings.programs import ProgramError

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
HOUR = datetime.timedelta(hours=1)


# --- which program, until when -------------------------------------------------------------------


def test_program_for_applicant_is_the_published_open_cohort_program_only():
    program = CohortProgramFactory(slug="strategists")
    CohortProgramFactory(slug="hidden", published=False)
    CohortProgramFactory(slug="called-off", cancelled_at=NOW)
    TrainingFactory(slug="workshop")

    assert programs.program_for_applicant("strategists") == program
    for slug in ("hidden", "called-off", "workshop", "nothing"):
        assert programs.program_for_applicant(slug) is None


def test_application_deadline_is_the_programs_own_else_registrations_close():
    deadline = NOW + datetime.timedelta(days=3)
    closes = NOW + datetime.timedelta(days=5)
    own = CohortProgramFactory(application_deadline=deadline)
    by_registration = CohortProgramFactory(application_deadline=None, registration_closes_at=closes)

    assert programs.application_deadline(own) == deadline
    assert programs.application_deadline(by_registration) == closes


def test_accepts_applications_until_the_deadline_exactly():
    program = CohortProgramFactory(application_deadline=NOW)

    assert programs.accepts_applications(program, NOW - datetime.timedelta(seconds=1)) is True
    assert programs.accepts_applications(program, NOW) is False


def test_accepts_applications_without_now_uses_the_clock():
    assert programs.accepts_applications(CohortProgramFactory(application_deadline=NOW + HOUR))
    assert not programs.accepts_applications(CohortProgramFactory(application_deadline=NOW - HOUR))


@pytest.mark.parametrize(
    "changes",
    [{"kind": "workshop"}, {"published": False}, {"cancelled_at": NOW - HOUR}],
)
def test_accepts_applications_only_for_a_published_live_cohort_program(changes):
    program = CohortProgramFactory(**changes)

    assert programs.accepts_applications(program, NOW) is False


def test_application_of_is_the_persons_own_and_none_for_visitors():
    program = CohortProgramFactory()
    mine = ApplicationFactory(training=program)
    ApplicationFactory(training=program)

    assert programs.application_of(mine.user, program) == mine
    assert programs.application_of(UserFactory(), program) is None
    assert programs.application_of(AnonymousUser(), program) is None


# --- applying ------------------------------------------------------------------------------------


def test_apply_stores_the_answers_as_submitted():
    program = CohortProgramFactory()
    user = UserFactory()

    application = programs.apply(
        program, user, now=NOW, statement="Why", background="Who", organization="Local 9"
    )

    stored = Application.objects.get()
    assert stored == application
    assert (stored.training, stored.user, stored.status) == (program, user, "submitted")
    assert (stored.statement, stored.background, stored.organization) == ("Why", "Who", "Local 9")


def test_apply_messages_say_why():
    workshop = TrainingFactory()
    closed = CohortProgramFactory(application_deadline=NOW)

    with pytest.raises(ProgramError, match=r"^Only cohort programs take applications\.$"):
        programs.apply(workshop, UserFactory(), now=NOW, statement="s", background="b")
    with pytest.raises(ProgramError, match=r"^Applications for this program are closed\.$"):
        programs.apply(closed, UserFactory(), now=NOW, statement="s", background="b")
    assert not Application.objects.exists()


def test_apply_twice_says_already_applied():
    program = CohortProgramFactory()
    user = UserFactory()
    programs.apply(program, user, now=NOW, statement="s", background="b")

    with pytest.raises(ProgramError, match=r"^You have already applied to this program\.$"):
        programs.apply(program, user, now=NOW, statement="again", background="b")
    assert Application.objects.get().statement == "s"


def test_apply_validates_the_answers_before_storing():
    with pytest.raises(ValidationError) as error:
        programs.apply(CohortProgramFactory(), UserFactory(), now=NOW, statement="", background="b")

    assert list(error.value.message_dict) == ["statement"]
    assert not Application.objects.exists()


# --- reviews and decisions -----------------------------------------------------------------------


@pytest.mark.parametrize("score", [1, 5, "4"])
def test_review_scores_from_one_to_five(score):
    found = programs.review(
        ApplicationFactory(), reviewer=StaffFactory(), score=score, notes=" fine "
    )

    found.refresh_from_db()
    assert (found.score, found.notes) == (int(score), "fine")


@pytest.mark.parametrize("score", [0, 6, -1])
def test_review_score_outside_one_to_five_is_refused(score):
    with pytest.raises(ProgramError, match=r"^A score is from 1 to 5\.$"):
        programs.review(ApplicationFactory(), reviewer=StaffFactory(), score=score)


def test_draft_decision_records_who_when_and_the_stripped_message():
    application = ApplicationFactory()
    staff = StaffFactory()

    drafted = programs.draft_decision(
        [application], decision="waitlisted", by=staff, message="  Next round.  ", now=NOW
    )

    application.refresh_from_db()
    assert drafted == 1
    assert (application.decision, application.decision_message) == ("waitlisted", "Next round.")
    assert (application.decision_drafted_at, application.decision_drafted_by) == (NOW, staff)
    assert application.status == "submitted"


def test_draft_decision_without_a_message_keeps_the_one_written():
    application = ApplicationFactory(decision_message="Written before.")

    programs.draft_decision([application], decision="accepted", by=StaffFactory(), now=NOW)

    application.refresh_from_db()
    assert (application.decision, application.decision_message) == ("accepted", "Written before.")


def test_draft_decision_unknown_is_refused():
    application = ApplicationFactory()

    with pytest.raises(ProgramError, match=r"^Unknown decision\.$"):
        programs.draft_decision([application], decision="maybe", by=StaffFactory())
    application.refresh_from_db()
    assert application.decision == ""


def test_draft_decision_skips_what_is_already_so_and_what_cannot_change():
    staff = StaffFactory()
    already = ApplicationFactory(status="accepted", decision="accepted")
    waitlisted = ApplicationFactory(status="waitlisted", decision="waitlisted")
    declined = ApplicationFactory(status="declined", decision="declined")
    submitted = ApplicationFactory()

    drafted = programs.draft_decision(
        [already, waitlisted, declined, submitted], decision="accepted", by=staff, now=NOW
    )

    assert drafted == 2
    decisions = dict(Application.objects.values_list("pk", "decision"))
    assert decisions == {
        already.pk: "accepted",
        waitlisted.pk: "accepted",
        declined.pk: "declined",
        submitted.pk: "accepted",
    }
    assert Application.objects.get(pk=already.pk).decision_drafted_at is None


def test_decision_context_names_the_program_and_its_stipend(settings):
    settings.SITE_URL = "https://kd.example.org"
    program = CohortProgramFactory(title="Strategists 2027", slug="s2027", stipend="$500")
    application = ApplicationFactory(
        training=program, decision="accepted", decision_message="Welcome"
    )

    assert programs.decision_context(application) == {
        "application_id": application.pk,
        "title": "Strategists 2027",
        "decision": "accepted",
        "message": "Welcome",
        "program_url": "https://kd.example.org/trainings/s2027/",
        "applications_url": "https://kd.example.org/trainings/applications/",
        "stipend": "$500",
    }


def test_decision_context_without_a_stipend_has_no_stipend():
    application = ApplicationFactory(training__stipend="")

    assert "stipend" not in programs.decision_context(application)


def test_send_decisions_stamps_the_row_and_keys_the_mail_by_status_and_moment():
    staff = StaffFactory()
    application = ApplicationFactory(decision="waitlisted")

    assert programs.send_decisions([application], by=staff, now=NOW) == 1

    application.refresh_from_db()
    assert application.status == "waitlisted"
    assert (application.decision_sent_at, application.decision_sent_by) == (NOW, staff)
    message = OutgoingMessage.objects.get()
    assert (message.to, message.kind, message.user) == (
        application.user.email,
        "trainings.application_decision",
        application.user,
    )
    assert message.key == f"application-decision:{application.pk}:waitlisted:{int(NOW.timestamp())}"
    assert message.context["decision"] == "waitlisted"


def test_send_decisions_sends_nothing_undecided_already_sent_or_confirmed():
    staff = StaffFactory()
    undecided = ApplicationFactory()
    already = ApplicationFactory(status="declined", decision="declined")
    confirmed = ApplicationFactory(status="confirmed", decision="accepted")

    assert programs.send_decisions([undecided, already, confirmed], by=staff, now=NOW) == 0
    assert OutgoingMessage.objects.count() == 0
    assert dict(Application.objects.values_list("pk", "status")) == {
        undecided.pk: "submitted",
        already.pk: "declined",
        confirmed.pk: "confirmed",
    }


def test_send_decisions_without_now_stamps_the_current_time():
    application = ApplicationFactory(decision="declined")
    before = timezone.now()

    programs.send_decisions([application], by=StaffFactory())

    application.refresh_from_db()
    assert before <= application.decision_sent_at <= timezone.now()


# --- places in the cohort ------------------------------------------------------------------------


def test_counts_of_the_cohort():
    program = CohortProgramFactory(cohort_size=3, capacity=12)
    for status in ("confirmed", "confirmed", "accepted", "submitted", "declined"):
        ApplicationFactory(training=program, status=status)
    ApplicationFactory(status="confirmed")  # another program

    assert programs.confirmed_count(program) == 2
    assert programs.cohort_size(program) == 3
    assert programs.places_left(program) == 1
    assert programs.accepted_waiting(program) == 1


def test_places_left_is_never_below_zero():
    program = CohortProgramFactory(cohort_size=1)
    ApplicationFactory.create_batch(2, training=program, status="confirmed")

    assert programs.places_left(program) == 0


def test_confirm_place_takes_the_last_place_and_records_the_moment():
    program = CohortProgramFactory(cohort_size=2)
    ApplicationFactory(training=program, status="confirmed")
    last = ApplicationFactory(training=program, status="accepted", decision="waitlisted")

    confirmed = programs.confirm_place(last, now=NOW)

    last.refresh_from_db()
    assert confirmed.pk == last.pk
    assert (last.status, last.decision, last.confirmed_at) == ("confirmed", "accepted", NOW)


def test_confirm_place_refusals_say_why():
    program = CohortProgramFactory(cohort_size=1)
    member = ApplicationFactory(training=program, status="confirmed")
    waitlisted = ApplicationFactory(training=program, status="waitlisted")
    late = ApplicationFactory(training=program, status="accepted")

    with pytest.raises(ProgramError, match=r"^You have already confirmed your place\.$"):
        programs.confirm_place(member)
    with pytest.raises(ProgramError, match=r"^Only an accepted application can be confirmed\.$"):
        programs.confirm_place(waitlisted)
    with pytest.raises(
        ProgramError,
        match=r"^The cohort is full: every place has been confirmed\. Staff will be in touch\.$",
    ):
        programs.confirm_place(late)


# --- commitments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "actions", "on_track"),
    [(2, 2, True), (3, 3, True), (1, 2, False), (2, 1, False)],
)
def test_on_track_needs_both_the_days_and_the_actions(days, actions, on_track):
    progress = programs.Progress(
        training_days=days, actions=actions, expected_days=2, expected_actions=2
    )

    assert progress.on_track is on_track


@pytest.mark.parametrize(
    ("start", "today", "months"),
    [
        (datetime.date(2026, 1, 31), datetime.date(2026, 3, 30), 1),
        (datetime.date(2026, 1, 31), datetime.date(2026, 3, 31), 2),
        (datetime.date(2025, 11, 10), datetime.date(2026, 2, 10), 3),
        (datetime.date(2025, 11, 10), datetime.date(2026, 2, 9), 2),
        (datetime.date(2026, 3, 10), datetime.date(2026, 1, 20), 0),
    ],
)
def test_completed_months_across_years_and_month_ends(start, today, months):
    assert programs.completed_months(start, today) == months


def test_progress_caps_days_at_five_and_actions_at_twelve():
    start = datetime.date(2026, 1, 1)

    seven = programs.progress(4, 7, starts_on=start, today=datetime.date(2026, 8, 1))
    twenty = programs.progress(5, 12, starts_on=start, today=datetime.date(2027, 9, 1))

    assert seven == programs.Progress(
        training_days=4, actions=7, expected_days=5, expected_actions=7
    )
    assert twenty == programs.Progress(
        training_days=5, actions=12, expected_days=5, expected_actions=12
    )


def test_progress_of_counts_each_kind_of_commitment_from_the_programs_local_start():
    start = datetime.datetime(2026, 1, 1, 3, 0, tzinfo=datetime.UTC)  # Dec 31 in Chicago
    program = CohortProgramFactory(
        starts_at=start, ends_at=start + HOUR, time_zone="America/Chicago"
    )
    member = ApplicationFactory(training=program, status="confirmed")
    for kind, count in (("training_day", 2), ("action", 3)):
        for _ in range(count):
            Commitment.objects.create(application=member, kind=kind, date=datetime.date(2026, 2, 1))

    annotated = programs.with_commitment_counts(Application.objects.filter(pk=member.pk)).get()

    assert (annotated.training_days, annotated.actions) == (2, 3)
    # Local start Dec 31: on Mar 31 three whole months are over (on Mar 30 two).
    assert programs.progress_of(annotated, today=datetime.date(2026, 3, 31)) == programs.Progress(
        training_days=2, actions=3, expected_days=3, expected_actions=3
    )
    assert programs.progress_of(annotated, today=datetime.date(2026, 3, 30)).expected_days == 2


def test_progress_of_without_a_day_is_today():
    program = CohortProgramFactory(starts_at=NOW - datetime.timedelta(days=400), ends_at=NOW)
    member = ApplicationFactory(training=program, status="confirmed")
    annotated = programs.with_commitment_counts(Application.objects.filter(pk=member.pk)).get()

    assert programs.progress_of(annotated) == programs.Progress(
        training_days=0, actions=0, expected_days=5, expected_actions=12
    )


def test_set_on_call_counts_people_once_and_can_switch_off():
    donor = DonorFactory(on_call=True)
    twice = [ApplicationFactory(user=donor.user), ApplicationFactory(user=donor.user)]
    nobody = ApplicationFactory()

    assert programs.set_on_call([*twice, nobody], on_call=False) == (1, 1)
    donor.refresh_from_db()
    assert donor.on_call is False


def test_propose_idea_strips_what_was_typed():
    user = UserFactory()
    skill = SkillFactory()

    idea = programs.propose_idea(
        user=user, kind="request", skill=skill, title="  Picket streams ", description=" How? "
    )

    idea.refresh_from_db()
    assert (idea.user, idea.kind, idea.skill, idea.title, idea.description) == (
        user,
        "request",
        skill,
        "Picket streams",
        "How?",
    )


# --- the directory -------------------------------------------------------------------------------


def test_can_see_directory_staff_and_verified_organizations_only():
    verified_member = MembershipFactory(organization=OrganizationFactory()).user
    unverified_member = MembershipFactory(organization=OrganizationFactory(verified_at=None)).user

    assert programs.can_see_directory(StaffFactory()) is True
    assert programs.can_see_directory(verified_member) is True
    assert programs.can_see_directory(unverified_member) is False
    assert programs.can_see_directory(UserFactory()) is False
    assert programs.can_see_directory(StaffFactory(is_active=False)) is False
    assert programs.can_see_directory(AnonymousUser()) is False


def trained(name, *, region="US-CA", skills=(), listed=True, untrained=()):
    donor = DonorFactory(user__display_name=name, region=region)
    for skill in skills:
        DonorSkillFactory(donor=donor, skill=skill, trained_at=NOW)
    for skill in untrained:
        DonorSkillFactory(donor=donor, skill=skill)
    if listed:
        programs.opt_in(donor.user, headline=f" {name} here ")
    return donor.user


def test_directory_lists_trained_opted_in_people_by_name_with_trained_skills_only():
    video, design, writing = (SkillFactory(name=n) for n in ("Video", "Design", "Writing"))
    zoe = trained("Zoe", skills=[video], untrained=[writing])
    ada = trained("Ada", region="US-NY", skills=[design, video])
    trained("Untrained", untrained=[video])
    trained("Unlisted", skills=[video], listed=False)

    entries = list(programs.directory())

    assert [e.user for e in entries] == [ada, zoe]
    assert [e.headline for e in entries] == ["Ada here", "Zoe here"]
    assert {ds.skill.name for ds in entries[1].user.donor.trained} == {"Video"}
    assert [e.user for e in programs.directory(region="US-NY")] == [ada]
    assert [e.user for e in programs.directory(skill=design)] == [ada]
    assert [e.user for e in programs.directory(skill=writing)] == []
    assert [e.user for e in programs.directory(region="US-CA", skill=video)] == [zoe]


def test_directory_filters_list_what_the_listed_were_trained_in():
    video, design, writing, sound = (
        SkillFactory(name=n) for n in ("Video", "Design", "Writing", "Sound")
    )
    trained("Zoe", region="US-NY", skills=[video], untrained=[writing])
    trained("Ada", region="US-CA", skills=[design, video])
    trained("Bea", region="", skills=[design])
    trained("Unlisted", region="US-TX", skills=[sound], listed=False)

    assert programs.directory_regions() == ["US-CA", "US-NY"]
    assert [s.name for s in programs.directory_skills()] == ["Design", "Video"]


def test_opt_in_updates_the_one_entry_and_opt_out_removes_it():
    user = UserFactory()

    programs.opt_in(user, headline="First")
    entry = programs.opt_in(user, headline="  Second  ")

    assert DirectoryEntry.objects.get() == entry
    assert programs.directory_entry_of(user).headline == "Second"
    programs.opt_out(user)
    assert programs.directory_entry_of(user) is None
    assert not DirectoryEntry.objects.exists()


def test_trained_skills_of_lists_the_persons_trained_skills_by_name():
    video, design, writing = (SkillFactory(name=n) for n in ("Video", "Design", "Writing"))
    user = trained("Ada", skills=[video, design], untrained=[writing])
    trained("Other", skills=[writing])

    assert [ds.skill.name for ds in programs.trained_skills_of(user)] == ["Design", "Video"]
