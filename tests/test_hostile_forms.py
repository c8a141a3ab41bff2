"""Every form the site and our admin pages accept, fed hostile text by hypothesis: NUL, lone
surrogates, İ, ſ, the Kelvin sign, bidi and zero-width characters, very long and empty values.

Each example is a real POST (the body percent-encoded from UTF-8 with lone surrogates passed
through, as a hostile client can send them). The answer is a validation error or success, never
an exception or a 5xx; and whatever was stored is something the form's own rules accept.
Few examples per form keep the suite fast; CI runs them on PostgreSQL, where NUL and lone
surrogates cannot be stored at all.
"""

from urllib.parse import quote

from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict
from django.test import RequestFactory
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase, from_field

from accounts.models import User
from donors import fields
from donors.forms import DonorAdminForm
from donors.models import Donor, Skill, SkillCategory
from notifications.services import normalize_address
from tests.conftest import make_volunteer
from tests.donors.test_admin import change_data
from tests.factories import (
    PASSWORD,
    ConflictFactory,
    RegistrationFactory,
    SkillFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.forms import RegistrationForm

SPECIAL = ["\x00", "\ud800", "\udfff", "İ", "ſ", "\u212a", "\u202e", "\u2066", "\u200b"]
SPECIAL += ["\u200d", "\ufeff", "\r\n", "\x07", "\t", " ", "@", "example.org", "https://"]

# Values that parse as something else: JSON, scripts, codes of no place, huge numbers.
KNOWN_BAD = ["5", '{"a": 1}', "[null]", '["javascript:alert(1)"]', "javascript:alert(1)"]
KNOWN_BAD += ["ZZ-99", "-1", "99999999999999999999", "1e999", "NaN", "9999-12-31"]

hostile_text = st.one_of(
    st.just(""),
    st.sampled_from(KNOWN_BAD),
    st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=4)), max_size=10).map("".join),
    st.builds(
        lambda unit, count: unit * count,
        st.sampled_from(["a", "İ", "\u200b", "ſ", "x\n"]),
        st.integers(min_value=100, max_value=3000),
    ),
)
hostile_email = st.one_of(
    hostile_text,
    st.builds(lambda local, domain: f"{local}@{domain}", hostile_text, hostile_text),
    st.builds(lambda local: f"{local}@example.org", st.sampled_from(["İnfo", "ſtaff", "\u212aim"])),
)


def hostile_or(*good):
    return st.one_of(st.sampled_from(good), hostile_text)


def a_date():
    return from_field(forms.DateField()).map(str)


EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    database=None,
    # differing_executors: `make mutate` runs a test again in the same process, on a new
    # TestCase instance; with no example database there is nothing to replay wrongly.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.differing_executors,
    ],
)
# Pages that render a large form on every refusal (the admin change pages, the profile).
FEWER = settings(EXAMPLES, max_examples=8)


def encoded(data: dict) -> str:
    """application/x-www-form-urlencoded from UTF-8, lone surrogates kept as their bytes."""
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            key, raw = (text.encode("utf-8", "surrogatepass") for text in (name, str(item)))
            pairs.append(f"{quote(key, safe='')}={quote(raw, safe='')}")
    return "&".join(pairs)


def with_hostile(data, good: dict, *, names=None) -> dict:
    """`good` with a few of its fields (or of `names`) replaced by hostile text, so that both
    refusals and successes are explored."""
    names = sorted(names or good)
    hostile = data.draw(st.sets(st.sampled_from(names), max_size=3), label="hostile fields")
    return good | {name: data.draw(hostile_text, label=name) for name in sorted(hostile)}


class HostileFormsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.donor = make_volunteer(links=["https://example.org/work"])
        ConflictFactory(donor=cls.donor)
        cls.staff = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
        cls.category = SkillFactory().category

    def post(self, url, data, *, as_user=None):
        if as_user is not None:
            self.client.force_login(as_user)
        response = self.client.post(
            url, encoded(data), content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code < 500, (url, data)
        return response

    # --- what stored data must satisfy: the form's own rules, applied again, change nothing ---

    def assert_stored_donor_follows_the_rules(self):
        donor = Donor.objects.get(pk=self.donor.pk)
        assert fields.CollapsedCharField(max_length=80).clean(donor.user.display_name) == (
            donor.user.display_name
        )
        for name, field in [
            ("pronouns", fields.pronouns_field()),
            ("city", fields.city_field()),
            ("bio", fields.bio_field(message="too long")),
        ]:
            assert field.clean(getattr(donor, name)) == getattr(donor, name), name
        assert fields.clean_region(donor.country.code, donor.region) == donor.region
        assert isinstance(donor.links, list) and len(donor.links) <= fields.MAX_LINKS
        link = fields.WebLinkField(required=False)
        assert [link.clean(value) for value in donor.links] == donor.links
        for conflict in donor.conflicts.all():
            assert fields.clean_conflict_name(conflict.name) == conflict.name

    def assert_admin_form_accepts_stored(self, model, obj):
        model_admin = admin.site._registry[model]
        request = RequestFactory().get("/")
        request.user = self.staff
        form_class = model_admin.get_form(request, obj)
        data = model_to_dict(obj, fields=list(form_class.base_fields))
        form = form_class(data=data, instance=obj)
        assert form.is_valid(), form.errors

    def assert_addresses_normalised(self):
        users = User.objects.values_list("email", flat=True)
        for email in [*users, *EmailAddress.objects.values_list("email", flat=True)]:
            assert normalize_address(email) == email

    # --- the site's forms ------------------------------------------------------------------

    @EXAMPLES
    @given(email=hostile_email, password=hostile_text)
    def test_signup(self, email, password):
        self.post(
            "/accounts/signup/", {"email": email, "password1": password, "password2": password}
        )
        self.assert_addresses_normalised()

    @EXAMPLES
    @given(login=hostile_email, password=hostile_text)
    def test_login(self, login, password):
        self.post("/accounts/login/", {"login": login, "password": password})

    @EXAMPLES
    @given(email=hostile_email)
    def test_password_reset(self, email):
        self.post("/accounts/password/reset/", {"email": email})

    @EXAMPLES
    @given(email=hostile_email)
    def test_add_email(self, email):
        self.post("/accounts/email/", {"action_add": "", "email": email}, as_user=self.donor.user)
        self.assert_addresses_normalised()

    @EXAMPLES
    @given(old=hostile_or(PASSWORD), new=hostile_text)
    def test_change_password(self, old, new):
        data = {"oldpassword": old, "password1": new, "password2": new}
        self.post("/accounts/password/change/", data, as_user=self.donor.user)

    @EXAMPLES
    @given(url=st.sampled_from(["/me/data/", "/accounts/reauthenticate/"]), password=hostile_text)
    def test_password_confirmations(self, url, password):
        self.post(url, {"password": password}, as_user=self.donor.user)

    @EXAMPLES
    @given(password=hostile_text)
    def test_delete_account(self, password):
        self.post("/me/delete/", {"password": password}, as_user=self.donor.user)

    @EXAMPLES
    @given(
        action=hostile_or("until", "indefinitely", "resume"),
        until=st.one_of(a_date(), hostile_text),
    )
    def test_pause(self, action, until):
        self.post("/profile/pause/", {"action": action, "until": until}, as_user=self.donor.user)

    @EXAMPLES
    @given(values=st.dictionaries(hostile_text, hostile_text, max_size=4))
    def test_preferences(self, values):
        self.post("/notifications/preferences/", values, as_user=self.donor.user)

    @FEWER
    @given(st.data())
    def test_profile_edit(self, data):
        donor = Donor.objects.get(pk=self.donor.pk)
        skill = donor.donor_skills.first().skill_id
        good = {"display_name": "Rosa", "pronouns": "she/her", "bio": "I edit\r\nvideos."}
        good |= {"region": "california", "city": "Oakland", "conflicts": "Acme\r\nBeta"}
        good |= {"version": donor.updated_at.isoformat(), "country": "US", "time_zone": "UTC"}
        good |= {"work_mode": "remote", "languages": ["en"], f"skill-{skill}": "3"}
        good |= {"weekly_hours": "5", "capacity": "2", "available_from": "2026-01-01"}
        good |= {"available_until": "2026-02-01", "link_1": "example.org:8080/x", "link_2": ""}
        response = self.post("/profile/edit/", with_hostile(data, good), as_user=donor.user)
        event(f"status {response.status_code}")
        self.assert_stored_donor_follows_the_rules()

    # --- our admin pages -------------------------------------------------------------------

    @FEWER
    @given(st.data())
    def test_admin_donor_change(self, data):
        donor = Donor.objects.get(pk=self.donor.pk)
        good = change_data(donor) | {"paused_until": "", "links": "https://a.org\nb.org:81/"}
        names = ("pronouns", "region", "city", "bio", "links", "conflicts-0-name")
        names += ("languages-0-code", "country", "paused_until", "weekly_hours")
        post = with_hostile(data, good, names=names)
        response = self.post(f"/admin/donors/donor/{donor.pk}/change/", post, as_user=self.staff)
        event(f"status {response.status_code}")
        self.assert_stored_donor_follows_the_rules()
        form = DonorAdminForm(
            data=model_to_dict(donor := Donor.objects.get(pk=donor.pk))
            | {"links": "\n".join(donor.links), "country": donor.country.code},
            instance=donor,
        )
        assert form.is_valid(), form.errors

    @EXAMPLES
    @given(name=hostile_text, slug=hostile_text, synonyms=hostile_text, position=hostile_text)
    def test_admin_skill_add(self, name, slug, synonyms, position):
        post = {"category": str(self.category.pk), "name": name, "slug": slug}
        post |= {"description": name, "synonyms": synonyms, "position": position}
        self.post("/admin/donors/skill/add/", post, as_user=self.staff)
        for skill in Skill.objects.filter(category=self.category):
            self.assert_admin_form_accepts_stored(Skill, skill)

    @EXAMPLES
    @given(name=hostile_text, slug=hostile_text, position=hostile_text)
    def test_admin_skill_category_add(self, name, slug, position):
        post = {"name": name, "slug": slug, "position": position}
        self.post("/admin/donors/skillcategory/add/", post, as_user=self.staff)
        for category in SkillCategory.objects.all():
            self.assert_admin_form_accepts_stored(SkillCategory, category)

    @EXAMPLES
    @given(email=hostile_email, password=hostile_text)
    def test_admin_user_add(self, email, password):
        post = {"email": email, "password1": password, "password2": password}
        self.post("/admin/accounts/user/add/", post, as_user=self.staff)
        self.assert_addresses_normalised()

    @FEWER
    @given(email=hostile_email, display_name=hostile_text, time_zone=hostile_or("UTC"))
    def test_admin_user_change(self, email, display_name, time_zone):
        person = self.donor.user
        post = {"email": email, "display_name": display_name, "time_zone": time_zone}
        self.post(f"/admin/accounts/user/{person.pk}/change/", post, as_user=self.staff)
        person = User.objects.get(pk=person.pk)
        self.assert_admin_form_accepts_stored(User, person)
        self.assert_addresses_normalised()

    @EXAMPLES
    @given(name=hostile_text)
    def test_admin_group_add(self, name):
        self.post("/admin/auth/group/add/", {"name": name}, as_user=self.staff)
        for group in Group.objects.all():
            self.assert_admin_form_accepts_stored(Group, group)

    # --- trainings -------------------------------------------------------------------------

    @EXAMPLES
    @given(st.data())
    def test_training_register(self, data):
        training = TrainingFactory(price=100, scholarships_available=True)
        good = {"organization": "Local 9", "accessibility_needs": "Captions"}
        good |= {"dietary_needs": "Vegan", "scholarship_reason": "No budget"}
        post = with_hostile(data, good)
        self.post(f"/trainings/{training.slug}/register/", post, as_user=self.donor.user)
        for registration in training.registrations.all():
            stored = {name: getattr(registration, name) for name in good}
            form = RegistrationForm(data=stored, training=training)
            assert form.is_valid(), form.errors
            assert form.cleaned_data == stored

    @EXAMPLES
    @given(email=hostile_email, action=hostile_or("walk_in", "attended", "no_show"))
    def test_training_check_in(self, email, action):
        registration = RegistrationFactory()
        post = {"email": email, "action": action, "registration": str(registration.pk)}
        self.post(f"/trainings/{registration.training.slug}/check-in/", post, as_user=self.staff)

    @EXAMPLES
    @given(organization=hostile_text, members=st.lists(hostile_text, max_size=3))
    def test_training_group(self, organization, members):
        training = TrainingFactory()
        post = {"organization": organization, "members": members}
        self.post(f"/trainings/{training.slug}/group/", post, as_user=self.donor.user)
