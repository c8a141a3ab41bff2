"""Bad input in the fights admin forms: the organizers' field rules, a message at the field,
never a 500, nothing stored changed, what was typed kept."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from donors.models import Skill
from fights.models import Fight, Organization, RequestTemplate, SupportRequest
from tests.factories import (
    FightFactory,
    MembershipFactory,
    OrganizationFactory,
    RequestLanguageFactory,
    RequestSkillFactory,
    SupportRequestFactory,
    UserFactory,
)

TODAY = timezone.localdate


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def days(n):
    return (TODAY() + datetime.timedelta(days=n)).isoformat()


# --- organizations ------------------------------------------------------------------------------


def organization_data(organization, **changes):
    data = {
        "name": organization.name,
        "kind": organization.kind,
        "affiliation": organization.affiliation,
        "description": organization.description,
        "country": organization.country.code,
        "region": organization.region,
        "city": organization.city,
        "website": organization.website,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-2-TOTAL_FORMS": "0",
        "memberships-2-INITIAL_FORMS": "0",
        "invitations-TOTAL_FORMS": "0",
        "invitations-INITIAL_FORMS": "0",
    }
    return data | changes


def change_url(obj):
    return f"/admin/fights/{obj._meta.model_name}/{obj.pk}/change/"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["California", "ca", " us-ca "])
def test_organization_change_as_staff_region_normalized(staff_client, typed):
    organization = OrganizationFactory(region="US-NY")

    response = staff_client.post(
        change_url(organization), organization_data(organization, region=typed)
    )

    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.region == "US-CA"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"region": "Atlantis"}, "“Atlantis” is not a region of United States of America"),
        ({"website": "javascript:alert(1)"}, "Only web addresses starting with http://"),
        ({"country": "XX"}, "Select a valid choice."),
    ],
)
def test_organization_change_as_staff_bad_input_errors_at_field(staff_client, changes, message):
    organization = OrganizationFactory(name="Harbor Local", region="US-CA", city="Oakland")

    response = staff_client.post(
        change_url(organization), organization_data(organization, **changes)
    )

    assert response.status_code == 200
    assert message in response.text
    field = next(iter(changes))
    assert response.context["adminform"].form.errors[field]
    organization.refresh_from_db()
    assert (organization.name, organization.region, organization.city) == (
        "Harbor Local",
        "US-CA",
        "Oakland",
    )


@pytest.mark.django_db
def test_admin_text_fields_drop_invisible_characters_as_the_site_forms_do(staff_client, staff):
    """Control, bidi and zero-width characters (and NUL) are dropped, not stored, in every
    fights admin, by the same rule (accounts.text.visible_text) as the volunteer's forms."""
    organization = OrganizationFactory(name="Harbor Local", city="Oakland")
    fight = FightFactory(organization=organization, title="Strike plan")
    template = RequestTemplate.objects.get(slug="flyers-graphics")

    posts = [
        (
            organization,
            organization_data(
                organization,
                name="Harbor\x07 Local\u202e",
                city="Oak\x00land",
                description="Line\x1b one\nTwo",
            ),
        ),
        (fight, fight_data(fight, title="Strike\u200b plan\x0b")),
        (template, template_data(template, need="We need\x1b flyers and graphics")),
    ]
    for obj, data in posts:
        assert staff_client.post(change_url(obj), data).status_code == 302, obj

    organization.refresh_from_db()
    fight.refresh_from_db()
    template.refresh_from_db()
    assert (organization.name, organization.city, organization.description) == (
        "Harbor Local",
        "Oakland",
        "Line one\nTwo",
    )
    assert fight.title == "Strike plan"
    assert template.need == "We need flyers and graphics"


@pytest.mark.django_db
def test_organization_change_as_staff_extra_keys_change_no_verification(staff_client):
    organization = OrganizationFactory(verified_at=None)
    forged = {"verified_at": "2026-01-01 00:00", "verified_by": "1", "rejection_reason": "x"}

    response = staff_client.post(
        change_url(organization), organization_data(organization, **forged)
    )

    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.verified_at, organization.rejection_reason) == (None, "")


# --- fights -------------------------------------------------------------------------------------


def fight_data(fight, **changes):
    data = {
        "title": fight.title,
        "kind": fight.kind,
        "summary": fight.summary,
        "target_employer": fight.target_employer,
        "sector": fight.sector,
        "country": fight.country.code,
        "region": fight.region,
        "city": fight.city,
        "key_date": "",
    }
    return data | changes


@pytest.mark.django_db
def test_fight_change_as_staff_renormalizes_employer(staff_client):
    fight = FightFactory()

    response = staff_client.post(
        change_url(fight), fight_data(fight, target_employer="  Café   Ñandú Ltd ")
    )

    assert response.status_code == 302
    fight.refresh_from_db()
    assert (fight.target_employer, fight.target_employer_normalized) == (
        "Café Ñandú Ltd",
        "cafe nandu ltd",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        # "ﬀ" normalizes to "ff": 150 of them fit the column, their normal form does not.
        ({"target_employer": "ﬀ" * 150}, "Keep the name to 200 characters or fewer (it has 300)"),
        ({"region": "Nowhere"}, "is not a region of"),
        ({"key_date": "2026-13-40"}, "Enter a valid date."),
        ({"visibility": "public", "status": "won"}, None),  # ignored: not the admin's to set
    ],
)
def test_fight_change_as_staff_bad_input(staff_client, staff, changes, message):
    fight = FightFactory(title="Strike plan", visibility="confidential")
    staff.groups.add(Group.objects.get(name="Confidential fights"))  # may open this fight

    response = staff_client.post(change_url(fight), fight_data(fight, **changes))

    fight.refresh_from_db()
    assert (fight.visibility, fight.status) == ("confidential", "active")
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert message in response.text
    assert fight.title == "Strike plan"


# --- support requests ---------------------------------------------------------------------------


def request_data(support_request, *, skills=None, languages=None, **changes):
    rows = list(support_request.request_skills.all())
    skills = skills if skills is not None else [(r.skill_id, r.required, r.min_level) for r in rows]
    codes = languages if languages is not None else support_request.language_codes
    data = {
        "fight": support_request.fight_id,
        "title": support_request.title,
        "description": support_request.description,
        "needed_by": support_request.needed_by.isoformat(),
        "starts_on": "",
        "hours_estimate": str(support_request.hours_estimate),
        "helpers_needed": str(support_request.helpers_needed),
        "work_mode": support_request.work_mode,
        "country": "",
        "region": "",
        "city": "",
        "request_skills-TOTAL_FORMS": str(len(skills)),
        "request_skills-INITIAL_FORMS": str(min(len(rows), len(skills))),
        "languages-TOTAL_FORMS": str(len(codes)),
        "languages-INITIAL_FORMS": str(min(len(support_request.language_codes), len(codes))),
    }
    for i, (skill_id, required, level) in enumerate(skills):
        if i < len(rows):
            data[f"request_skills-{i}-id"] = str(rows[i].pk)
        data |= {
            f"request_skills-{i}-request": str(support_request.pk),
            f"request_skills-{i}-skill": str(skill_id),
            f"request_skills-{i}-min_level": str(level),
        }
        if required:
            data[f"request_skills-{i}-required"] = "on"
    stored_languages = list(support_request.languages.all())
    for i, code in enumerate(codes):
        if i < len(stored_languages):
            data[f"languages-{i}-id"] = str(stored_languages[i].pk)
        data |= {f"languages-{i}-request": str(support_request.pk), f"languages-{i}-code": code}
    return data | changes


@pytest.fixture
def open_request(db):
    support_request = SupportRequestFactory(title="Picket flyers", hours_estimate=8)
    RequestSkillFactory(request=support_request, skill=Skill.objects.get(slug="flyers-print"))
    RequestLanguageFactory(request=support_request, code="es")
    return support_request


def unchanged(support_request):
    stored = SupportRequest.objects.get(pk=support_request.pk)
    return (
        stored.title,
        stored.hours_estimate,
        stored.needed_by,
        list(stored.request_skills.values_list("skill__slug", "required", "min_level")),
        stored.language_codes,
    ) == (
        "Picket flyers",
        8,
        support_request.needed_by,
        [("flyers-print", True, 1)],
        ["es"],
    )


@pytest.mark.django_db
def test_request_change_as_staff_saves_skills_languages_and_region(staff_client, open_request):
    design = Skill.objects.get(slug="graphic-design")
    skills = [(open_request.request_skills.get().skill_id, True, 2), (design.pk, False, 3)]
    data = request_data(
        open_request, skills=skills, languages=[" FR "], country="US", region="Oregon"
    )

    response = staff_client.post(change_url(open_request), data)

    assert response.status_code == 302
    open_request.refresh_from_db()
    assert open_request.region == "US-OR"
    assert open_request.language_codes == ["fr"]
    assert sorted(open_request.request_skills.values_list("skill__slug", "min_level")) == [
        ("flyers-print", 2),
        ("graphic-design", 3),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"needed_by": days(-1)}, "needed_by", "This date has passed"),
        ({"needed_by": days(800)}, "needed_by", "Choose a date within the next two years."),
        ({"starts_on": days(30)}, "starts_on", "The work cannot start after the date it is"),
        ({"needed_by": "soon"}, "needed_by", "Enter a valid date."),
        ({"hours_estimate": "0"}, "hours_estimate", "Enter a number of hours from 1 to 500."),
        ({"hours_estimate": "501"}, "hours_estimate", "Enter a number of hours from 1 to 500."),
        ({"hours_estimate": "1e9"}, "hours_estimate", "Enter a number of hours from 1 to 500."),
        ({"helpers_needed": "0"}, "helpers_needed", "Enter a number of helpers from 1 to 50."),
        ({"helpers_needed": "-3"}, "helpers_needed", "Enter a number of helpers from 1 to 50."),
        ({"region": "Oregon"}, "country", "Choose the country the region is in."),
        ({"work_mode": "telepathy"}, "work_mode", "Select a valid choice."),
        ({"fight": "999999"}, "fight", "Select a valid choice."),
    ],
)
def test_request_change_as_staff_bad_input_errors_at_field(
    staff_client, open_request, changes, field, message
):
    response = staff_client.post(change_url(open_request), request_data(open_request, **changes))

    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    name, typed = next(iter(changes.items()))
    if name not in ("fight", "work_mode"):  # a select keeps only the options it offers
        assert response.context["adminform"].form[name].value() == typed  # what was typed stays
    assert unchanged(open_request)


@pytest.mark.django_db
def test_request_change_as_staff_past_needed_by_kept_when_unchanged(staff_client, open_request):
    SupportRequest.objects.filter(pk=open_request.pk).update(
        needed_by=TODAY() - datetime.timedelta(days=10), status="closed"
    )
    open_request.refresh_from_db()

    response = staff_client.post(
        change_url(open_request), request_data(open_request, title="Picket flyers (done)")
    )

    assert response.status_code == 302
    assert SupportRequest.objects.get(pk=open_request.pk).title == "Picket flyers (done)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("skills", "message"),
    [
        ([("flyers-print", True, 4)], "Choose a level from 1 to 3."),
        ([("flyers-print", True, 0)], "Choose a level from 1 to 3."),
        ([("flyers-print", False, 1)], "needs at least one required skill"),
        ([("flyers-print", True, 1), ("flyers-print", False, 2)], "Please correct the duplicate"),
        ([("flyers-print", True, 1), ("no-such-skill", True, 1)], "Choose a skill from the list."),
        ([("flyers-print", True, 1), ("mass-texting", True, 1)], "“Mass texting” is retired"),
    ],
)
def test_request_change_as_staff_bad_skill_rows_error(staff_client, open_request, skills, message):
    Skill.objects.filter(slug="mass-texting").update(retired=True)
    ids = {s.slug: s.pk for s in Skill.objects.all()}
    rows = [(ids.get(slug, 999999), required, level) for slug, required, level in skills]

    response = staff_client.post(change_url(open_request), request_data(open_request, skills=rows))

    assert response.status_code == 200
    assert message in response.text
    assert unchanged(open_request)


@pytest.mark.django_db
def test_request_change_as_staff_retired_skill_already_on_row_may_stay(staff_client, open_request):
    Skill.objects.filter(slug="flyers-print").update(retired=True)

    response = staff_client.post(
        change_url(open_request), request_data(open_request, title="Picket flyers, 2 sizes")
    )

    assert response.status_code == 302
    assert open_request.request_skills.get().skill.slug == "flyers-print"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["zz", "spa", "1", "e\x00"])
def test_request_change_as_staff_bad_language_errors_at_field(staff_client, open_request, code):
    response = staff_client.post(
        change_url(open_request), request_data(open_request, languages=[code])
    )

    assert response.status_code == 200
    assert "Enter a two-letter ISO 639-1 language code" in response.text or (
        "Null characters are not allowed." in response.text
    )
    assert unchanged(open_request)


@pytest.mark.django_db
def test_request_change_as_staff_status_and_dates_stamped_by_services_not_posted(
    staff_client, open_request
):
    forged = {"status": "filled", "opened_at": "2020-01-01 00:00", "created_by": "1"}

    response = staff_client.post(change_url(open_request), request_data(open_request, **forged))

    assert response.status_code == 302
    stored = SupportRequest.objects.get(pk=open_request.pk)
    assert stored.status == "open"
    assert stored.opened_at == open_request.opened_at


@pytest.mark.django_db
def test_request_change_as_staff_moves_only_within_the_organization(staff_client, open_request):
    sibling = FightFactory(organization=open_request.fight.organization, title="Second fight")
    stranger = FightFactory(title="Someone else's fight")

    away = staff_client.post(
        change_url(open_request), request_data(open_request, fight=stranger.pk)
    )
    moved = staff_client.post(
        change_url(open_request), request_data(open_request, fight=sibling.pk)
    )

    assert away.status_code == 200
    assert "Select a valid choice" in str(away.context["adminform"].form.errors["fight"])
    assert moved.status_code == 302
    assert SupportRequest.objects.get(pk=open_request.pk).fight == sibling


# --- request templates --------------------------------------------------------------------------


def template_data(template, *, skills=None, **changes):
    rows = list(template.template_skills.all())
    skills = skills if skills is not None else [(r.skill_id, r.required, r.min_level) for r in rows]
    data = {
        "need": template.need,
        "slug": template.slug,
        "request_title": template.request_title,
        "description": template.description,
        "hours_estimate": str(template.hours_estimate),
        "helpers_needed": str(template.helpers_needed),
        "work_mode": template.work_mode,
        "position": str(template.position),
        "active": "on",
        "template_skills-TOTAL_FORMS": str(len(skills)),
        "template_skills-INITIAL_FORMS": str(min(len(rows), len(skills))),
    }
    for i, (skill_id, required, level) in enumerate(skills):
        if i < len(rows):
            data[f"template_skills-{i}-id"] = str(rows[i].pk)
        data |= {
            f"template_skills-{i}-template": str(template.pk),
            f"template_skills-{i}-skill": str(skill_id),
            f"template_skills-{i}-min_level": str(level),
        }
        if required:
            data[f"template_skills-{i}-required"] = "on"
    return data | changes


@pytest.mark.django_db
def test_request_template_change_as_staff_edits_needs_and_skills(staff_client):
    template = RequestTemplate.objects.get(slug="flyers-graphics")
    video = Skill.objects.get(slug="video-editing")
    skills = [(r.skill_id, r.required, 2) for r in template.template_skills.all()]

    response = staff_client.post(
        change_url(template),
        template_data(template, skills=[*skills, (video.pk, False, 1)], hours_estimate="12"),
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.hours_estimate == 12
    assert template.template_skills.filter(skill=video, required=False).exists()
    assert set(template.template_skills.values_list("min_level", flat=True)) == {1, 2}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours_estimate": "0"}, "Enter a number of hours from 1 to 500."),
        ({"helpers_needed": "51"}, "Enter a number of helpers from 1 to 50."),
        ({"slug": "not a slug!"}, "Enter a valid “slug”"),
        ({"template_skills-0-min_level": "9"}, "Choose a level from 1 to 3."),
    ],
)
def test_request_template_change_as_staff_bad_input_errors(staff_client, changes, message):
    template = RequestTemplate.objects.get(slug="flyers-graphics")
    before = (template.need, template.hours_estimate, template.helpers_needed)

    response = staff_client.post(change_url(template), template_data(template, **changes))

    assert response.status_code == 200
    assert message in response.text
    template.refresh_from_db()
    assert (template.need, template.hours_estimate, template.helpers_needed) == before


@pytest.mark.django_db
def test_request_template_delete_as_staff_forbidden(staff_client):
    template = RequestTemplate.objects.get(slug="flyers-graphics")

    response = staff_client.post(f"/admin/fights/requesttemplate/{template.pk}/delete/")

    assert response.status_code == 403
    assert RequestTemplate.objects.filter(pk=template.pk).exists()


@pytest.mark.django_db
def test_fight_and_request_add_as_staff_forbidden(staff_client):
    assert staff_client.get("/admin/fights/fight/add/").status_code == 403
    assert staff_client.get("/admin/fights/supportrequest/add/").status_code == 403
    assert Fight.objects.count() == Organization.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/fights/organization/",
        "/admin/fights/fight/",
        "/admin/fights/supportrequest/",
        "/admin/fights/requesttemplate/",
    ],
)
@pytest.mark.parametrize("params", [{"kind__exact": "\x00"}, {"status__exact": "a\x00"}])
def test_changelist_as_staff_nul_in_filter_is_400(staff_client, url, params):
    response = staff_client.get(url, params)

    assert response.status_code == 400


@pytest.mark.django_db
def test_organization_change_as_staff_adds_admin_and_changes_role(staff_client):
    organization = OrganizationFactory()
    member = MembershipFactory(organization=organization, role="organizer")
    newcomer = UserFactory(email="newcomer@example.org")
    data = organization_data(organization) | {
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(member.pk),
        "memberships-0-organization": str(organization.pk),
        "memberships-0-role": "admin",
        "memberships-2-TOTAL_FORMS": "1",
        "memberships-2-0-organization": str(organization.pk),
        "memberships-2-0-user": str(newcomer.pk),
        "memberships-2-0-role": "admin",
    }

    response = staff_client.post(change_url(organization), data)

    assert response.status_code == 302
    roles = dict(organization.memberships.values_list("user__email", "role"))
    assert roles == {member.user.email: "admin", "newcomer@example.org": "admin"}


@pytest.mark.django_db
def test_organization_change_as_staff_adding_existing_member_errors(staff_client):
    organization = OrganizationFactory()
    member = MembershipFactory(organization=organization)
    data = organization_data(organization) | {
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(member.pk),
        "memberships-0-organization": str(organization.pk),
        "memberships-0-role": member.role,
        "memberships-2-TOTAL_FORMS": "1",
        "memberships-2-0-organization": str(organization.pk),
        "memberships-2-0-user": str(member.user_id),
        "memberships-2-0-role": "admin",
    }

    response = staff_client.post(change_url(organization), data)

    assert response.status_code == 200
    assert "This person is already a member" in response.text
    assert organization.memberships.count() == 1


@pytest.mark.django_db
def test_organization_change_as_staff_adding_same_person_twice_errors(staff_client):
    organization = OrganizationFactory()
    newcomer = UserFactory()
    data = organization_data(organization) | {"memberships-2-TOTAL_FORMS": "2"}
    for i in range(2):
        data |= {
            f"memberships-2-{i}-organization": str(organization.pk),
            f"memberships-2-{i}-user": str(newcomer.pk),
            f"memberships-2-{i}-role": "admin",
        }

    response = staff_client.post(change_url(organization), data)

    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.text
    assert organization.memberships.count() == 0
