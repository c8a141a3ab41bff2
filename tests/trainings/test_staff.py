"""The staff side: check-in at the door, walk-ins, the CSV export, the email list, query counts."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType

from donors.models import DonorSkill
from tests.factories import (
    DonorFactory,
    RegistrationFactory,
    TrainingFactory,
    TrainingSkillFactory,
    UserFactory,
)
from trainings.export import safe_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def training():
    return TrainingFactory(title="Digital Skills for Labor", slug="dsl")


def test_check_in_marks_attended_and_grants_skills(staff_client, training, staff):
    TrainingSkillFactory(training=training, level=2)
    registration = RegistrationFactory(training=training, user=DonorFactory().user)

    response = staff_client.post(
        "/trainings/dsl/check-in/", {"registration": registration.pk, "action": "attended"}
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.status, registration.status_changed_by) == ("attended", staff)
    skill = DonorSkill.objects.get(donor__user=registration.user)
    assert (skill.level, skill.trained_in) == (2, "Digital Skills for Labor")
    page = staff_client.get("/trainings/dsl/check-in/")
    assert "1 checked in of 1 registered." in page.text


def test_check_in_no_show(staff_client, training):
    registration = RegistrationFactory(training=training)

    staff_client.post(
        "/trainings/dsl/check-in/", {"registration": registration.pk, "action": "no_show"}
    )

    registration.refresh_from_db()
    assert registration.status == "no_show"


@pytest.mark.parametrize(
    "data",
    [
        {"registration": "999999", "action": "attended"},
        {"registration": "abc", "action": "attended"},
        {"registration": "", "action": "delete"},
        {},
    ],
)
def test_check_in_forged_or_missing_ids_are_a_400(staff_client, training, data):
    RegistrationFactory(training=training)

    response = staff_client.post("/trainings/dsl/check-in/", data)

    assert response.status_code == 400
    assert "That person is not registered for this training." in response.text


def test_check_in_registration_of_another_training_is_refused(staff_client, training):
    elsewhere = RegistrationFactory()

    response = staff_client.post(
        "/trainings/dsl/check-in/", {"registration": elsewhere.pk, "action": "attended"}
    )

    assert response.status_code == 400
    elsewhere.refresh_from_db()
    assert elsewhere.status == "confirmed"


def test_check_in_cancelled_is_a_409_with_the_reason(staff_client, training):
    registration = RegistrationFactory(training=training, status="cancelled")

    response = staff_client.post(
        "/trainings/dsl/check-in/", {"registration": registration.pk, "action": "attended"}
    )

    assert response.status_code == 409
    assert "cancelled; it cannot become attended" in response.text


def test_walk_in_by_email(staff_client, training):
    walker = UserFactory(email="walker@example.org")

    response = staff_client.post(
        "/trainings/dsl/check-in/", {"action": "walk_in", "email": "Walker@Example.org"}
    )

    assert response.status_code == 302
    registration = training.registrations.get(user=walker)
    assert (registration.status, registration.walk_in) == ("attended", True)


def test_walk_in_unknown_address_is_an_error_at_the_field(staff_client, training):
    response = staff_client.post(
        "/trainings/dsl/check-in/", {"action": "walk_in", "email": "nobody@example.org"}
    )

    assert response.status_code == 400
    assert "No account uses this address." in response.text
    assert 'value="nobody@example.org"' in response.text


def test_check_in_get_changes_nothing(staff_client, training):
    registration = RegistrationFactory(training=training)

    staff_client.get(
        "/trainings/dsl/check-in/", {"registration": registration.pk, "action": "attended"}
    )

    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_csv_export_neutralises_formulas(staff_client, training):
    RegistrationFactory(
        training=training,
        user=UserFactory(display_name='=HYPERLINK("http://evil")', email="a@example.org"),
        organization="+1 Local",
        accessibility_needs="@SUM(A1)",
        dietary_needs="-2+3",
    )

    response = staff_client.get("/trainings/dsl/registrants.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dsl-registrants.csv"'
    header, row = list(csv.reader(io.StringIO(response.content.decode())))
    assert header[:6] == [
        "name",
        "email",
        "status",
        "organization",
        "accessibility needs",
        "dietary needs",
    ]
    assert row[:6] == [
        '\'=HYPERLINK("http://evil")',
        "a@example.org",
        "Confirmed",
        "'+1 Local",
        "'@SUM(A1)",
        "'-2+3",
    ]


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("plain", "plain"), (None, "")],
)
def test_safe_cell(value, safe):
    assert safe_cell(value) == safe


def test_email_list_has_confirmed_and_attended_only(staff_client, training):
    RegistrationFactory(training=training, user=UserFactory(email="a@example.org"))
    RegistrationFactory(
        training=training, status="attended", user=UserFactory(email="b@example.org")
    )
    RegistrationFactory(
        training=training, status="waitlisted", user=UserFactory(email="w@example.org")
    )

    response = staff_client.get("/trainings/dsl/emails/")

    assert response.status_code == 200
    assert ">a@example.org, b@example.org</textarea>" in response.text
    assert "w@example.org" not in response.text


# --- query counts: the same at 1 and 3 rows ------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_constant(client, django_assert_num_queries, count):
    for _ in range(count):
        training = TrainingFactory()
        TrainingSkillFactory.create_batch(2, training=training)
        training.trainers.create(name="Rosa")

    with django_assert_num_queries(6):
        response = client.get("/trainings/")

    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_detail_query_count_constant(client, django_assert_num_queries, count, training):
    for number in range(count):
        track = training.tracks.create(name=f"Track {number}")
        session = training.sessions.create(
            title=f"Session {number}",
            track=track,
            starts_at=training.starts_at,
            ends_at=training.ends_at,
        )
        session.trainers.create(name=f"Trainer {number}")
        training.trainers.add(session.trainers.get())
        TrainingSkillFactory(training=training)

    with django_assert_num_queries(7):
        response = client.get("/trainings/dsl/")

    assert response.status_code == 200
    assert len(response.context["sessions"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_check_in_query_count_constant(staff_client, django_assert_num_queries, count, training):
    RegistrationFactory.create_batch(count, training=training)
    ContentType.objects.clear_cache()

    # 6; the header's "is this person a volunteer?" comes with the user (accounts.queries)
    with django_assert_num_queries(5):
        response = staff_client.get("/trainings/dsl/check-in/")

    assert len(response.context["registrants"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_export_query_count_constant(staff_client, django_assert_num_queries, count, training):
    RegistrationFactory.create_batch(count, training=training, registered_by=UserFactory())

    with django_assert_num_queries(5):
        response = staff_client.get("/trainings/dsl/registrants.csv")

    assert response.content.decode().count("\n") == count + 1


@pytest.mark.parametrize("count", [1, 3])
def test_admin_changelists_query_count_constant(staff_client, django_assert_num_queries, count):
    for _ in range(count):
        training = TrainingFactory()
        RegistrationFactory.create_batch(2, training=training)
    ContentType.objects.clear_cache()

    # One fewer each since a staff member's permissions come in one query (accounts.queries).
    with django_assert_num_queries(7):
        response = staff_client.get("/admin/trainings/training/")
    assert response.context["cl"].result_count == count
    with django_assert_num_queries(5):
        response = staff_client.get(
            "/admin/trainings/registration/", {"status__exact": "confirmed"}
        )
    assert response.context["cl"].result_count == 2 * count


@pytest.mark.parametrize("count", [1, 3])
def test_profile_history_query_count_constant(client, django_assert_num_queries, count):
    donor = DonorFactory()
    for _ in range(count):
        registration = RegistrationFactory(user=donor.user, status="attended")
        TrainingSkillFactory.create_batch(2, training=registration.training)
    client.force_login(donor.user)
    client.get("/profile/")  # one-time work out of the count (SQLite's JSON support check)

    # the session with its user, the donor with its rows and history (trainings.queries)
    with django_assert_num_queries(2):
        response = client.get("/profile/")

    assert response.text.count("trained in") == count


def test_admin_actions_mark_attended_and_decide_scholarships(staff_client, training, staff):
    TrainingSkillFactory(training=training, level=3)
    attendee = RegistrationFactory(training=training, user=DonorFactory().user)
    asking = RegistrationFactory(training=training, scholarship="requested", payment="pay_at_door")
    url = "/admin/trainings/registration/"

    staff_client.post(url, {"action": "mark_attended", "_selected_action": [attendee.pk]})
    staff_client.post(url, {"action": "approve_scholarships", "_selected_action": [asking.pk]})
    response = staff_client.post(
        url, {"action": "approve_scholarships", "_selected_action": [attendee.pk]}, follow=True
    )

    attendee.refresh_from_db()
    asking.refresh_from_db()
    assert (attendee.status, attendee.status_changed_by) == ("attended", staff)
    assert DonorSkill.objects.get(donor__user=attendee.user).level == 3
    assert (asking.scholarship, asking.payment, asking.scholarship_decided_by) == (
        "approved",
        "waived",
        staff,
    )
    assert "There is no scholarship request waiting for a decision." in response.text


def test_admin_cancel_training_action(staff_client, training):
    RegistrationFactory(training=training)

    staff_client.post(
        "/admin/trainings/training/",
        {"action": "cancel_trainings", "_selected_action": [training.pk]},
    )

    training.refresh_from_db()
    assert training.cancelled_at is not None
