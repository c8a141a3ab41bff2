"""Volunteers own their data: download it all, or delete it everywhere, behind their password."""

import json
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from accounts import privacy
from accounts.models import Session, User
from donors.models import Conflict, Donor, DonorLanguage, DonorSkill
from tests.conftest import make_volunteer
from tests.factories import PASSWORD, ConflictFactory, StaffFactory, UserFactory

DOWNLOAD = "/me/data/"
DELETE = "/me/delete/"


@pytest.fixture
def donor(db):
    """A volunteer with something in every table that holds personal data."""
    donor = make_volunteer(
        user=UserFactory(email="rosa.alvarez@example.org", display_name="Rosa Alvarez"),
        pronouns="she/her",
        bio="Rosa designs strike flyers in Oakland.",
        links=["https://rosa.example.org/portfolio"],
        on_call=True,
    )
    ConflictFactory(donor=donor, name="Acme Logistics", normalized_name="acme logistics")
    EmailAddress.objects.create(user=donor.user, email="rosa.new@example.org", verified=False)
    return donor


@pytest.fixture
def signed_in(client, donor):
    assert client.login(email=donor.user.email, password=PASSWORD)
    return client


def exported(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    return json.loads(response.content)["records"]


def stored_field_names(model, exclude=()) -> set[str]:
    names = {f.attname for f in model._meta.concrete_fields}
    names |= {f.name for f in model._meta.many_to_many}
    return names - set(exclude) - {f"{name}_id" for name in exclude}


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", [DOWNLOAD, DELETE])
@pytest.mark.parametrize("method", ["get", "post"])
def test_privacy_page_for_visitor_redirects_to_login(client, path, method):
    response = client.get(path) if method == "get" else client.post(path, {"password": "x"})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", [DOWNLOAD, DELETE])
def test_privacy_page_for_signed_in_person_asks_for_password(signed_in, path):
    response = signed_in.get(path)

    assert response.status_code == 200
    assert '<input type="password" name="password" autocomplete="current-password"' in (
        response.text
    )
    assert "no-store" in response["Cache-Control"]


# --- Download ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_download_with_wrong_password_shows_error_at_field_and_no_file(signed_in):
    response = signed_in.post(DOWNLOAD, {"password": "not my password"})

    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert (
        '<ul class="errorlist" id="id_password_error"><li>That is not your current password.'
        in (response.text)
    )
    assert 'aria-describedby="id_password_error"' in response.text


@pytest.mark.django_db
def test_download_with_empty_post_asks_for_password(signed_in):
    response = signed_in.post(DOWNLOAD, {})

    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert "This field is required." in response.text


@pytest.mark.django_db
def test_download_contains_every_stored_field_of_every_personal_table(signed_in, donor):
    records = exported(signed_in.post(DOWNLOAD, {"password": PASSWORD}))

    assert set(records) == {
        "accounts.User",
        "account.EmailAddress",
        "accounts.Session",
        "donors.Donor",
        "donors.DonorSkill",
        "donors.DonorLanguage",
        "donors.Conflict",
    }
    assert set(records["accounts.User"][0]) == stored_field_names(
        User, exclude=("password", "user_permissions")
    )
    assert set(records["accounts.Session"][0]) == stored_field_names(
        Session, exclude=("session_key", "session_data")
    )
    for label, model in [
        ("account.EmailAddress", EmailAddress),
        ("donors.Donor", Donor),
        ("donors.DonorSkill", DonorSkill),
        ("donors.DonorLanguage", DonorLanguage),
        ("donors.Conflict", Conflict),
    ]:
        assert {frozenset(row) for row in records[label]} == {
            frozenset(stored_field_names(model))
        }, label


@pytest.mark.django_db
def test_download_values_are_the_stored_values(signed_in, donor):
    records = exported(signed_in.post(DOWNLOAD, {"password": PASSWORD}))
    user = User.objects.get(pk=donor.user.pk)

    (exported_user,) = records["accounts.User"]
    assert exported_user["email"] == "rosa.alvarez@example.org"
    assert exported_user["display_name"] == "Rosa Alvarez"
    assert exported_user["time_zone"] == "UTC"
    assert exported_user["last_login"] == DjangoJSONEncoder().default(user.last_login)
    (exported_donor,) = records["donors.Donor"]
    assert exported_donor["bio"] == "Rosa designs strike flyers in Oakland."
    assert exported_donor["pronouns"] == "she/her"
    assert exported_donor["country"] == "US"
    assert exported_donor["links"] == ["https://rosa.example.org/portfolio"]
    assert exported_donor["on_call"] is True
    assert exported_donor["created_at"] is not None
    assert sorted((s["skill_id"], s["level"]) for s in records["donors.DonorSkill"]) == sorted(
        donor.donor_skills.values_list("skill_id", "level")
    )
    assert sorted(lang["code"] for lang in records["donors.DonorLanguage"]) == ["en", "es"]
    assert [c["name"] for c in records["donors.Conflict"]] == ["Acme Logistics"]
    assert sorted((a["email"], a["verified"]) for a in records["account.EmailAddress"]) == [
        ("rosa.alvarez@example.org", True),
        ("rosa.new@example.org", False),
    ]
    assert [s["user_id"] for s in records["accounts.Session"]] == [user.pk]


@pytest.mark.django_db
def test_download_leaves_out_credentials(signed_in, donor):
    response = signed_in.post(DOWNLOAD, {"password": PASSWORD})
    session = Session.objects.get(user=donor.user)

    assert donor.user.password not in response.text
    assert session.session_key not in response.text
    assert session.session_data not in response.text
    assert '"password"' not in response.text


@pytest.mark.django_db
def test_download_shows_only_own_data(signed_in, donor, other_volunteer):
    records = exported(signed_in.post(DOWNLOAD, {"password": PASSWORD}))

    assert [u["email"] for u in records["accounts.User"]] == [donor.user.email]
    assert {row["donor_id"] for row in records["donors.DonorSkill"]} == {donor.pk}


@pytest.mark.django_db
def test_download_for_person_without_profile_has_account_tables_only(client, user):
    client.force_login(user)

    records = exported(client.post(DOWNLOAD, {"password": PASSWORD}))

    assert set(records) == {"accounts.User", "account.EmailAddress", "accounts.Session"}


# --- Delete ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delete_with_wrong_password_keeps_everything(signed_in, donor):
    response = signed_in.post(DELETE, {"password": "not my password"})

    assert response.status_code == 200
    assert "That is not your current password." in response.text
    assert User.objects.filter(pk=donor.user.pk).exists()
    assert Donor.objects.filter(pk=donor.pk).exists()
    assert Session.objects.filter(user=donor.user).count() == 1


@pytest.mark.django_db
def test_delete_removes_account_profile_addresses_and_sessions(signed_in, donor):
    user_pk, donor_pk = donor.user.pk, donor.pk

    response = signed_in.post(DELETE, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert "Your account and personal data have been deleted." in response.text
    assert "_auth_user_id" not in signed_in.session
    assert not User.objects.filter(pk=user_pk).exists()
    assert not Donor.objects.filter(pk=donor_pk).exists()
    assert not DonorSkill.objects.filter(donor_id=donor_pk).exists()
    assert not DonorLanguage.objects.filter(donor_id=donor_pk).exists()
    assert not Conflict.objects.filter(donor_id=donor_pk).exists()
    assert not EmailAddress.objects.filter(user_id=user_pk).exists()
    assert not Session.objects.filter(user_id=user_pk).exists()


@pytest.mark.django_db
def test_delete_scrubs_admin_log_entries_about_the_person(signed_in, donor):
    staff = StaffFactory()
    LogEntry.objects.log_actions(
        staff.pk, [donor], CHANGE, change_message="Bio was 'Rosa designs strike flyers'"
    )
    LogEntry.objects.log_actions(
        staff.pk, [donor.user], CHANGE, change_message="Changed rosa.alvarez@example.org"
    )
    LogEntry.objects.log_actions(
        staff.pk, list(donor.donor_skills.all()), CHANGE, change_message="Level for Rosa"
    )
    LogEntry.objects.log_actions(staff.pk, [staff], CHANGE, change_message="Unrelated")
    unrelated = LogEntry.objects.latest("pk")

    signed_in.post(DELETE, {"password": PASSWORD})

    about_rosa = LogEntry.objects.exclude(pk=unrelated.pk)
    assert about_rosa.count() == 4
    assert set(about_rosa.values_list("object_repr", "change_message")) == {(privacy.ERASED, "")}
    unrelated.refresh_from_db()
    assert (unrelated.object_repr, unrelated.change_message) == (str(staff), "Unrelated")


@pytest.mark.django_db
def test_delete_leaves_no_trace_in_full_dumpdata(
    signed_in, donor, other_volunteer, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    LogEntry.objects.log_actions(staff.pk, [donor], CHANGE, change_message="Bio: Rosa designs")
    LogEntry.objects.log_actions(staff.pk, [donor.user], CHANGE, change_message="Rosa Alvarez")
    someone = "someone else's passphrase 99"
    with django_capture_on_commit_callbacks(execute=True):
        # Mail to an address before it belonged to anyone, then Rosa moves to that address.
        Client().post("/accounts/password/reset/", {"email": "rosa.later@example.org"})
        signed_in.post("/accounts/email/", {"action_add": "", "email": "rosa.later@example.org"})
        # She proves it is hers: only a verified address brings its earlier mail along.
        EmailAddress.objects.filter(email="rosa.later@example.org").update(verified=True)
        Client().post("/accounts/password/reset/", {"email": donor.user.email})
        Client().post(
            "/accounts/signup/",
            {"email": donor.user.email, "password1": someone, "password2": someone},
        )
    before = StringIO()
    call_command("dumpdata", stdout=before)
    assert "rosa.alvarez@example.org" in before.getvalue()
    assert "rosa.later@example.org" in before.getvalue()

    signed_in.post(DELETE, {"password": PASSWORD})

    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    text = dump.getvalue().lower()
    for trace in [
        "rosa.alvarez@example.org",
        "rosa.new@example.org",
        "rosa.later@example.org",
        "rosa alvarez",
        "rosa designs strike flyers",
    ]:
        assert trace not in text, trace
    assert other_volunteer.email in dump.getvalue()


@pytest.mark.django_db
def test_delete_for_person_without_profile_works(client, user):
    client.force_login(user)

    response = client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_password_confirmation_is_rate_limited(signed_in, donor):
    for n in range(10):
        signed_in.post(DOWNLOAD, {"password": f"guess {n}"})

    response = signed_in.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 429
    assert "Please wait a few minutes and try again." in response.text
    assert User.objects.filter(pk=donor.user.pk).exists()


# --- Every model that holds personal data is in the registry -----------------------------------


def personal_models(models) -> set:
    """Models with a relation path to the user: a FK/O2O/M2M to it, or a FK/O2O/M2M to a model
    that has one, transitively. Auto-created M2M tables and proxies are covered by their model."""
    candidates = [m for m in models if not m._meta.auto_created and not m._meta.proxy]
    found = {get_user_model()}
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model in found:
                continue
            targets = {
                f.related_model._meta.concrete_model
                for f in model._meta.get_fields()
                if f.is_relation and f.concrete and f.related_model is not None
            }
            if targets & found:
                found.add(model)
                grew = True
    return found


def unregistered(models, registered) -> list[str]:
    return sorted(m._meta.label for m in personal_models(models) - set(registered))


def test_every_model_related_to_the_user_is_in_the_privacy_registry():
    assert unregistered(apps.get_models(), privacy.registered_models()) == []


def test_walker_finds_direct_and_transitive_relations_to_the_user():
    found = {m._meta.label for m in personal_models(apps.get_models())}

    assert {
        "accounts.User",
        "accounts.Session",
        "account.EmailAddress",
        "account.EmailConfirmation",
        "admin.LogEntry",
        "donors.Donor",
        "donors.DonorSkill",
        "donors.DonorLanguage",
        "donors.Conflict",
    } <= found
    assert not {"donors.Skill", "donors.SkillCategory", "auth.Group", "auth.Permission"} & found
    assert not any(label.endswith(("User_groups", "User_user_permissions")) for label in found)


def test_walker_reports_a_model_missing_from_the_registry():
    registry_without_donor_rows = privacy.registered_models() - {Donor, DonorSkill}

    assert unregistered(apps.get_models(), registry_without_donor_rows) == [
        "donors.Donor",
        "donors.DonorSkill",
    ]


def test_walker_catches_a_new_model_automatically():
    from django.db import models
    from django.test.utils import isolate_apps

    with isolate_apps("donors"):

        class Endorsement(models.Model):
            skill = models.ForeignKey(DonorSkill, on_delete=models.CASCADE)
            note = models.TextField()

            class Meta:
                app_label = "donors"

            def __str__(self):
                return self.note

    assert unregistered([*apps.get_models(), Endorsement], privacy.registered_models()) == [
        "donors.Endorsement"
    ]
