"""Volunteers own their data: download it all, or delete it everywhere, behind their password."""

import datetime
import json
from io import StringIO

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone

from accounts import privacy
from accounts.models import Session, User
from donors.models import Conflict, Donor, DonorLanguage, DonorSkill
from tests.conftest import make_volunteer
from tests.factories import PASSWORD, ConflictFactory, StaffFactory, UserFactory

DOWNLOAD = "/me/data/"
DOWNLOAD_FILE = "/me/data/file/"
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


def download(client):
    """Give the password, then fetch the file the page links to."""
    assert client.post(DOWNLOAD, {"password": PASSWORD}).status_code == 302
    return client.get(DOWNLOAD_FILE)


def exported(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    return json.loads(response.content)["records"]


def stored_fields(model) -> list:
    return [*model._meta.concrete_fields, *model._meta.many_to_many]


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
def test_download_after_the_password_shows_the_file_link_without_the_old_error(signed_in):
    signed_in.post(DOWNLOAD, {"password": "not my password"})

    response = signed_in.post(DOWNLOAD, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(DOWNLOAD, 302)]
    assert '<h2 id="ready-heading">Your data is ready</h2>' in response.text
    assert f'<a class="button" href="{DOWNLOAD_FILE}" download>' in response.text
    assert "That is not your current password." not in response.text
    assert "error-summary" not in response.text
    assert 'name="password"' not in response.text


@pytest.mark.django_db
def test_download_file_without_the_password_first_goes_back_to_the_form(signed_in):
    response = signed_in.get(DOWNLOAD_FILE)

    assert response.status_code == 302
    assert response["Location"] == DOWNLOAD


@pytest.mark.django_db
def test_download_file_link_expires_after_five_minutes(signed_in, monkeypatch):
    signed_in.post(DOWNLOAD, {"password": PASSWORD})
    later = timezone.now() + datetime.timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    response = signed_in.get(DOWNLOAD_FILE)

    assert response.status_code == 302
    assert 'name="password"' in signed_in.get(DOWNLOAD).text


@pytest.mark.django_db
def test_download_has_one_section_per_personal_table_under_a_plain_title(signed_in, donor):
    records = exported(download(signed_in))

    assert list(records) == [
        "Your account",
        "Your email addresses",
        "Your sign-in sessions",
        "Your volunteer profile",
        "Your skills",
        "Your languages",
        "Employers you must not be matched against",
    ]


@pytest.mark.django_db
def test_download_holds_every_stored_field_but_credentials_and_internal_ones(signed_in, donor):
    """Nothing about the person is dropped silently: each exported row has every stored field
    except those registered as credentials (exclude) or bookkeeping (internal), by name."""
    records = exported(download(signed_in))

    for model in [User, EmailAddress, Session, Donor, DonorSkill, DonorLanguage, Conflict]:
        entry = privacy._registry[model]
        expected = {f.name for f in stored_fields(model) if not f.primary_key}
        expected -= {*entry.exclude, *entry.internal}
        expected |= set(entry.values)
        rows = records[privacy.section_title(model)]
        assert {frozenset(row) for row in rows} == {frozenset(expected)}, model


@pytest.mark.django_db
def test_download_names_skills_levels_languages_and_places(signed_in, donor):
    donor.country, donor.region, donor.city = "US", "US-CA", "Oakland"
    donor.save()
    skills = sorted((ds.skill.name, ds.get_level_display()) for ds in donor.donor_skills.all())

    records = exported(download(signed_in))

    [profile] = records["Your volunteer profile"]
    assert (profile["country"], profile["region"], profile["city"]) == (
        "United States of America",
        "California",
        "Oakland",
    )
    assert profile["work_mode"] == donor.get_work_mode_display()
    assert sorted((s["skill"], s["level"]) for s in records["Your skills"]) == skills
    assert {level for _, level in skills} == {"Experienced", "Can lead or teach it"}
    assert records["Your languages"] == [{"language": "English"}, {"language": "Spanish"}]


@pytest.mark.django_db
def test_download_has_no_ids_and_no_internal_fields(signed_in, donor):
    text = download(signed_in).text
    records = json.loads(text)["records"]

    for rows in records.values():
        for row in rows:
            assert not {"id", "user", "donor", "normalized_name", "key"} & set(row), row
            assert not [name for name in row if name.endswith("_id")], row
    assert records["Employers you must not be matched against"] == [{"name": "Acme Logistics"}]
    assert "acme logistics" not in text


@pytest.mark.django_db
def test_download_values_are_the_stored_values(signed_in, donor):
    records = exported(download(signed_in))
    user = User.objects.get(pk=donor.user.pk)

    [account] = records["Your account"]
    assert account["email"] == "rosa.alvarez@example.org"
    assert account["display_name"] == "Rosa Alvarez"
    assert account["time_zone"] == "UTC"
    assert account["last_login"] == DjangoJSONEncoder().default(user.last_login)
    [profile] = records["Your volunteer profile"]
    assert profile["bio"] == "Rosa designs strike flyers in Oakland."
    assert profile["pronouns"] == "she/her"
    assert profile["links"] == ["https://rosa.example.org/portfolio"]
    assert profile["on_call"] is True
    assert profile["created_at"] is not None
    assert sorted((a["email"], a["verified"]) for a in records["Your email addresses"]) == [
        ("rosa.alvarez@example.org", True),
        ("rosa.new@example.org", False),
    ]
    [session] = records["Your sign-in sessions"]
    assert session == {
        "expire_date": DjangoJSONEncoder().default(Session.objects.get(user=user).expire_date)
    }


@pytest.mark.django_db
def test_download_leaves_out_credentials(signed_in, donor):
    response = download(signed_in)
    session = Session.objects.get(user=donor.user)

    assert donor.user.password not in response.text
    assert session.session_key not in response.text
    assert session.session_data not in response.text
    assert '"password"' not in response.text


@pytest.mark.django_db
def test_download_leaves_out_email_confirmation_keys(signed_in, donor):
    address = EmailAddress.objects.get(email="rosa.new@example.org")
    confirmation = EmailConfirmation.create(address)
    confirmation.sent = timezone.now()
    confirmation.save()

    response = download(signed_in)

    assert confirmation.key not in response.text
    [row] = exported(response)["Email confirmations"]
    assert row["email_address"] == "rosa.new@example.org"
    assert "key" not in row


@pytest.mark.django_db
def test_download_lists_the_groups_of_the_account_by_name(signed_in, donor):
    group = Group.objects.create(name="Trainers")
    donor.user.groups.add(group)

    [account] = exported(download(signed_in))["Your account"]

    assert account["groups"] == ["Trainers"]


@pytest.mark.django_db
def test_download_is_dated_and_indented_for_a_person_to_read(signed_in, donor):
    response = download(signed_in)

    assert response.text.startswith('{\n  "exported_at": "')
    assert '\n  "records": {\n    "Your account": [\n      {\n' in response.text


@pytest.mark.django_db
def test_export_names_other_people_by_display_name_only_and_the_person_as_you(donor):
    staff = StaffFactory(display_name="")
    donor.vetted_by = staff
    donor.save()
    named = StaffFactory(display_name="Sam Staff")

    [profile] = privacy.export_user_data(donor.user)["records"]["Your volunteer profile"]
    assert profile["vetted_by"] == "another person"
    donor.vetted_by = named
    donor.save()
    [profile] = privacy.export_user_data(donor.user)["records"]["Your volunteer profile"]
    assert profile["vetted_by"] == "Sam Staff"
    assert staff.email not in privacy.export_json(donor.user)
    assert named.email not in privacy.export_json(donor.user)


@pytest.mark.django_db
def test_register_exclude_names_a_foreign_key_by_its_field_name(donor):
    entry = privacy._registry[EmailAddress]
    privacy.register(EmailAddress, rows=entry.rows, erase=entry.erase, exclude=("user",))
    try:
        rows = privacy.export_user_data(donor.user)["records"]["Email addresses"]
    finally:
        privacy._registry[EmailAddress] = entry

    assert [sorted(r) for r in rows] == [["email", "primary", "verified"]] * len(rows)


@pytest.mark.django_db
def test_register_without_a_section_or_internal_fields_still_exports_names(donor):
    entry = privacy._registry[EmailAddress]
    privacy.register(EmailAddress, rows=entry.rows)
    try:
        rows = privacy.export_user_data(donor.user)["records"]["Email addresses"]
    finally:
        privacy._registry[EmailAddress] = entry

    assert {r["user"] for r in rows} == {"you"}
    assert [sorted(r) for r in rows] == [["email", "primary", "user", "verified"]] * len(rows)


@pytest.mark.django_db
def test_erase_hands_each_custom_eraser_the_persons_rows(donor, other_volunteer):
    entry = privacy._registry[EmailAddress]
    received = []
    privacy.register(
        EmailAddress,
        rows=entry.rows,
        erase=lambda rows: received.append(sorted(rows.values_list("email", flat=True))),
    )
    try:
        privacy.erase_user(donor.user)
    finally:
        privacy._registry[EmailAddress] = entry

    assert received == [[donor.user.email, "rosa.new@example.org"]]


@pytest.mark.django_db
def test_export_includes_the_admin_log_entries_the_person_made(donor):
    author = StaffFactory()
    LogEntry.objects.log_actions(
        user_id=author.pk, queryset=[donor], action_flag=CHANGE, change_message="Checked"
    )

    records = privacy.export_user_data(author)["records"]

    [entry] = records["Your changes in the staff admin"]
    assert (entry["object_repr"], entry["action_flag"], entry["change_message"]) == (
        str(donor),
        "Change",
        "Checked",
    )
    assert "Your changes in the staff admin" not in privacy.export_user_data(donor.user)["records"]


@pytest.mark.django_db
def test_download_shows_only_own_data(signed_in, donor, other_volunteer):
    records = exported(download(signed_in))

    assert [u["email"] for u in records["Your account"]] == [donor.user.email]
    assert len(records["Your skills"]) == donor.donor_skills.count()


@pytest.mark.django_db
def test_download_for_person_without_profile_has_account_sections_only(client, user):
    client.force_login(user)

    records = exported(download(client))

    assert set(records) == {"Your account", "Your email addresses", "Your sign-in sessions"}


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
