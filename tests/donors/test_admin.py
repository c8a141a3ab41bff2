import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from donors.models import PAUSED_INDEFINITELY, Donor, Skill
from tests.conftest import make_volunteer
from tests.factories import (
    ConflictFactory,
    DonorFactory,
    DonorLanguageFactory,
    DonorSkillFactory,
    UserFactory,
)

CHANGELIST = "/admin/donors/donor/"

STAFF_PERMISSIONS = {
    ("donors", "view_donor"),
    ("donors", "vet_donor"),
    ("donors", "view_donorskill"),
    ("donors", "view_donorlanguage"),
    ("donors", "view_conflict"),
    ("donors", "view_skill"),
    ("donors", "add_skill"),
    ("donors", "change_skill"),
    ("donors", "view_skillcategory"),
    ("donors", "add_skillcategory"),
    ("donors", "change_skillcategory"),
    ("accounts", "view_user"),
    ("account", "view_emailaddress"),
    # matching's migrations 0002 and 0003: matches are read in the admin, moved on the staff
    # review pages (change_match gates propose, reject, promote and withdraw).
    ("matching", "view_match"),
    ("matching", "view_candidaterejection"),
    ("matching", "change_match"),
}


def skill(slug):
    return Skill.objects.get(slug=slug)


def listed(response):
    """The donors on the changelist page, by email."""
    return sorted(d.user.email for d in response.context["cl"].result_list)


def donor_with(email, *, name="Someone", skills=(), languages=("en",), **fields):
    donor = DonorFactory(user=UserFactory(email=email, display_name=name), **fields)
    for slug, level in skills:
        DonorSkillFactory(donor=donor, skill=skill(slug), level=level)
    for code in languages:
        DonorLanguageFactory(donor=donor, code=code)
    return donor


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def editor_client(client, profile_editor):
    client.force_login(profile_editor)
    return client


# --- the Staff group and who may enter ---------------------------------------------------


@pytest.mark.django_db
def test_staff_group_has_exactly_the_intended_permissions():
    # Other apps add their own permissions to the group in their own migrations; these are
    # the ones accounts' migrations 0003 and 0005 own. Looking is not editing: Staff view and
    # vet volunteers; correcting a profile is for the Profile editors group. And matching's.
    group = Group.objects.get(name="Staff")
    owned = group.permissions.filter(
        content_type__app_label__in={"donors", "accounts", "account", "matching"}
    )

    codenames = set(owned.values_list("content_type__app_label", "codename"))

    assert codenames == STAFF_PERMISSIONS


@pytest.mark.django_db
def test_staff_member_is_not_superuser(staff):
    assert staff.is_staff is True
    assert staff.is_superuser is False
    assert staff.has_perm("donors.view_donor") is True
    assert staff.has_perm("donors.vet_donor") is True
    assert staff.has_perm("donors.change_donor") is False
    assert staff.has_perm("donors.delete_skill") is False


@pytest.mark.django_db
def test_donor_changelist_as_staff_lists_donors(staff_client):
    donor = donor_with("ana@example.org", name="Ana Lima", skills=[("graphic-design", 3)])

    response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    assert listed(response) == ["ana@example.org"]
    assert "Graphic design (leads)" in response.text
    assert f'href="/admin/donors/donor/{donor.pk}/change/' in response.text


@pytest.mark.django_db
def test_donor_change_page_as_editor_shows_inlines(editor_client):
    donor = donor_with(
        "ana@example.org", skills=[("graphic-design", 3), ("photography", 1)], languages=["pt"]
    )
    ConflictFactory(donor=donor, name="Acme Logistics", normalized_name="acme logistics")

    response = editor_client.get(f"/admin/donors/donor/{donor.pk}/change/?edit=1")

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.total_form_count() == 2
    assert 'value="pt"' in response.text
    assert 'value="Acme Logistics"' in response.text


def change_data(donor, *, levels=None, codes=None, conflict_names=None):
    """The donor change form as the admin would post it, with some values replaced."""
    skills = list(donor.donor_skills.all())
    languages = list(donor.languages.all())
    conflicts = list(donor.conflicts.all())
    levels = levels or [ds.level for ds in skills]
    codes = codes or [language.code for language in languages]
    conflict_names = conflict_names or [c.name for c in conflicts]
    data = {
        "pronouns": donor.pronouns,
        "country": donor.country.code,
        "region": donor.region,
        "city": donor.city,
        "work_mode": donor.work_mode,
        "weekly_hours": str(donor.weekly_hours),
        "capacity": str(donor.capacity),
        "bio": donor.bio,
        "links": "\n".join(donor.links),  # one per line, as the admin form shows them
        "donor_skills-TOTAL_FORMS": str(len(skills)),
        "donor_skills-INITIAL_FORMS": str(len(skills)),
        "languages-TOTAL_FORMS": str(len(languages)),
        "languages-INITIAL_FORMS": str(len(languages)),
        "conflicts-TOTAL_FORMS": str(len(conflicts)),
        "conflicts-INITIAL_FORMS": str(len(conflicts)),
    }
    for i, (ds, level) in enumerate(zip(skills, levels, strict=True)):
        data |= {
            f"donor_skills-{i}-id": str(ds.pk),
            f"donor_skills-{i}-donor": str(donor.pk),
            f"donor_skills-{i}-skill": str(ds.skill_id),
            f"donor_skills-{i}-level": str(level),
        }
    for i, (language, code) in enumerate(zip(languages, codes, strict=True)):
        data |= {
            f"languages-{i}-id": str(language.pk),
            f"languages-{i}-donor": str(donor.pk),
            f"languages-{i}-code": code,
        }
    for i, (conflict, name) in enumerate(zip(conflicts, conflict_names, strict=True)):
        data |= {
            f"conflicts-{i}-id": str(conflict.pk),
            f"conflicts-{i}-donor": str(donor.pk),
            f"conflicts-{i}-name": name,
        }
    return data


@pytest.mark.django_db
def test_donor_change_as_editor_saves_level_and_renormalizes_conflict(editor_client):
    donor = donor_with("ana@example.org", skills=[("graphic-design", 1)], languages=[])
    conflict = ConflictFactory(donor=donor, name="Acme", normalized_name="acme")
    data = change_data(donor, levels=[3], conflict_names=["  Café   Ñandú Ltd "])
    data |= {"on_call": "on", "capacity": "2"}

    response = editor_client.post(f"/admin/donors/donor/{donor.pk}/change/", data)

    assert response.status_code == 302
    conflict.refresh_from_db()
    assert donor.donor_skills.get().level == 3
    assert (conflict.name, conflict.normalized_name) == ("Café Ñandú Ltd", "cafe nandu ltd")
    donor.refresh_from_db()
    assert (donor.on_call, donor.capacity) == (True, 2)


@pytest.mark.django_db
def test_donor_change_as_editor_cannot_change_consent_or_owner(editor_client, other_volunteer):
    donor = donor_with("ana@example.org", skills=[("graphic-design", 1)], languages=[])
    data = change_data(donor) | {"contact_consent": "", "user": str(other_volunteer.pk)}

    response = editor_client.post(f"/admin/donors/donor/{donor.pk}/change/", data)

    assert response.status_code == 302
    donor.refresh_from_db()
    assert (donor.contact_consent, donor.user.email) == (True, "ana@example.org")


@pytest.mark.django_db
def test_donor_change_as_editor_conflict_renamed_onto_another_errors_at_field(editor_client):
    donor = donor_with("ana@example.org", skills=[("graphic-design", 1)], languages=[])
    ConflictFactory(donor=donor, name="Acme", normalized_name="acme")
    ConflictFactory(donor=donor, name="Globex", normalized_name="globex")

    response = editor_client.post(
        f"/admin/donors/donor/{donor.pk}/change/",
        change_data(donor, levels=[3], conflict_names=["Acme", "ACMÉ "]),
    )

    assert response.status_code == 200
    assert "This volunteer already lists that employer." in response.text
    assert 'value="ACMÉ "' in response.text  # what was typed stays
    assert sorted(donor.conflicts.values_list("normalized_name", flat=True)) == ["acme", "globex"]
    assert donor.donor_skills.get().level == 1


@pytest.mark.django_db
def test_donor_change_as_editor_language_code_normalized(editor_client):
    donor = donor_with("ana@example.org", skills=[("graphic-design", 1)], languages=["pt"])

    response = editor_client.post(
        f"/admin/donors/donor/{donor.pk}/change/", change_data(donor, codes=[" FR "])
    )

    assert response.status_code == 302
    assert list(donor.languages.values_list("code", flat=True)) == ["fr"]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["zz", "por", "1"])
def test_donor_change_as_editor_unknown_language_code_errors_at_field(editor_client, typed):
    donor = donor_with("ana@example.org", skills=[("graphic-design", 1)], languages=["pt"])

    response = editor_client.post(
        f"/admin/donors/donor/{donor.pk}/change/", change_data(donor, codes=[typed])
    )

    assert response.status_code == 200
    assert "Enter a two-letter ISO 639-1 language code" in response.text
    assert list(donor.languages.values_list("code", flat=True)) == ["pt"]


@pytest.mark.django_db
def test_donor_change_as_editor_two_conflicts_renamed_alike_errors_at_field(editor_client):
    donor = donor_with("ana@example.org", skills=[("graphic-design", 1)], languages=[])
    ConflictFactory(donor=donor, name="Acme", normalized_name="acme")
    ConflictFactory(donor=donor, name="Globex", normalized_name="globex")

    response = editor_client.post(
        f"/admin/donors/donor/{donor.pk}/change/",
        change_data(donor, conflict_names=["Initech", "initech"]),
    )

    assert response.status_code == 200
    assert "Another row names the same employer." in response.text
    assert sorted(donor.conflicts.values_list("normalized_name", flat=True)) == ["acme", "globex"]


@pytest.mark.django_db
def test_donor_add_and_delete_as_staff_forbidden(staff_client):
    donor = donor_with("ana@example.org")

    assert staff_client.get("/admin/donors/donor/add/").status_code == 403
    assert staff_client.get(f"/admin/donors/donor/{donor.pk}/delete/").status_code == 403
    deleting = staff_client.post(f"/admin/donors/donor/{donor.pk}/delete/", {"post": "yes"})
    assert deleting.status_code == 403
    assert Donor.objects.filter(pk=donor.pk).exists()


@pytest.mark.django_db
def test_skill_delete_as_staff_forbidden(staff_client):
    target = skill("mass-texting")

    page = staff_client.get(f"/admin/donors/skill/{target.pk}/delete/")
    bulk = staff_client.post(
        "/admin/donors/skill/", {"action": "delete_selected", "_selected_action": [target.pk]}
    )

    assert page.status_code == 403
    assert bulk.status_code == 302  # delete_selected is not offered: "No action selected."
    assert Skill.objects.filter(pk=target.pk).exists()


@pytest.mark.django_db
def test_skill_delete_as_superuser_forbidden_too(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    target = skill("mass-texting")

    response = client.get(f"/admin/donors/skill/{target.pk}/delete/")
    deleting = client.post(f"/admin/donors/skill/{target.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert deleting.status_code == 403
    assert Skill.objects.filter(pk=target.pk).exists()


@pytest.mark.django_db
def test_skill_retire_and_restore_actions_as_staff(staff_client):
    targets = [skill("mass-texting").pk, skill("livestreaming").pk]

    retired = staff_client.post(
        "/admin/donors/skill/", {"action": "retire_skills", "_selected_action": targets}
    )
    after_retire = set(Skill.objects.filter(retired=True).values_list("slug", flat=True))
    restored = staff_client.post(
        "/admin/donors/skill/", {"action": "restore_skills", "_selected_action": targets[:1]}
    )

    assert retired.status_code == 302
    assert restored.status_code == 302
    assert after_retire == {"mass-texting", "livestreaming"}
    assert set(Skill.objects.filter(retired=True).values_list("slug", flat=True)) == {
        "livestreaming"
    }


@pytest.mark.django_db
def test_skill_changelist_as_staff_searches_synonyms_and_counts_donors(staff_client):
    donor_with("ana@example.org", skills=[("graphic-design", 2)])

    response = staff_client.get("/admin/donors/skill/", {"q": "canva"})

    assert response.status_code == 200
    rows = {s.slug: s.donor_count for s in response.context["cl"].result_list}
    assert rows == {"graphic-design": 1, "social-graphics": 0}


@pytest.mark.django_db
def test_skill_add_as_staff_creates_skill(staff_client):
    category = skill("graphic-design").category
    data = {
        "category": category.pk,
        "name": "Zine making",
        "slug": "zine-making",
        "description": "Make small photocopied magazines.",
        "synonyms": "zines, fanzines",
        "position": "9",
    }

    response = staff_client.post("/admin/donors/skill/add/", data)

    assert response.status_code == 302
    assert Skill.objects.get(slug="zine-making").category == category


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "volunteer", "user"])
def test_donor_changelist_as_non_staff_redirects_to_admin_login(client, persona, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={CHANGELIST}"


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def three_donors(db):
    return [
        donor_with(
            "ana@example.org",
            name="Ana Lima",
            skills=[("graphic-design", 3), ("social-graphics", 2)],
            languages=["en", "pt"],
            region="US-CA",
            on_call=True,
        ),
        donor_with(
            "ben@example.org",
            name="Ben Okafor",
            skills=[("graphic-design", 1), ("video-editing", 3)],
            languages=["en"],
            region="US-NY",
            paused_until=timezone.localdate() + datetime.timedelta(days=3),
        ),
        donor_with(
            "carla@example.org",
            name="Carla Ruiz",
            skills=[("graphic-design", 2), ("translation-spanish", 3)],
            languages=["es", "en"],
            country="MX",
            region="MX-JAL",
            paused_until=timezone.localdate() - datetime.timedelta(days=1),
        ),
    ]


@pytest.mark.django_db
def test_donor_search_as_staff_by_email(staff_client, three_donors):
    response = staff_client.get(CHANGELIST, {"q": "BEN@example"})

    assert listed(response) == ["ben@example.org"]


@pytest.mark.django_db
def test_donor_search_as_staff_by_name(staff_client, three_donors):
    response = staff_client.get(CHANGELIST, {"q": "ruiz"})

    assert listed(response) == ["carla@example.org"]


@pytest.mark.django_db
def test_donor_search_as_staff_by_skill_synonym(staff_client, three_donors):
    response = staff_client.get(CHANGELIST, {"q": "davinci"})  # a synonym of video editing

    assert listed(response) == ["ben@example.org"]


@pytest.mark.django_db
def test_donor_search_as_staff_matching_two_skills_lists_donor_once(staff_client, three_donors):
    # "canva" is a synonym of both graphic design and social graphics, which Ana has.
    response = staff_client.get(CHANGELIST, {"q": "canva"})

    assert listed(response) == ["ana@example.org", "ben@example.org", "carla@example.org"]
    assert response.context["cl"].result_count == 3


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("min_level", "expected"),
    [
        ("1", ["ana@example.org", "ben@example.org", "carla@example.org"]),
        ("2", ["ana@example.org", "carla@example.org"]),
        ("3", ["ana@example.org"]),
        ("", ["ana@example.org", "ben@example.org", "carla@example.org"]),
    ],
)
def test_skill_level_filter_as_staff_keeps_donors_at_or_above_level(
    staff_client, three_donors, min_level, expected
):
    response = staff_client.get(CHANGELIST, {"skill": "graphic-design", "min_level": min_level})

    assert listed(response) == expected


@pytest.mark.django_db
def test_skill_level_filter_as_staff_needs_level_on_the_same_skill(staff_client, three_donors):
    # Ben has video editing at 3 but graphic design only at 1.
    response = staff_client.get(CHANGELIST, {"skill": "graphic-design", "min_level": "3"})

    assert "ben@example.org" not in listed(response)


@pytest.mark.django_db
def test_skill_level_filter_as_staff_renders_get_form_keeping_search(staff_client, three_donors):
    response = staff_client.get(
        CHANGELIST, {"q": "example", "region": "US-CA", "skill": "graphic-design"}
    )

    assert '<form method="get" class="skill-level-filter">' in response.text
    assert '<input type="hidden" name="q" value="example">' in response.text
    assert '<input type="hidden" name="region" value="US-CA">' in response.text
    assert '<option value="graphic-design" selected>Graphic design</option>' in response.text
    assert '<label for="skill-filter-min_level">At least:</label>' in response.text
    assert listed(response) == ["ana@example.org"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"skill": "no-such-skill"}, "Select a valid choice."),
        ({"skill": "graphic-design", "min_level": "9"}, "Select a valid choice."),
        ({"min_level": "2"}, "Choose a skill to filter by."),
    ],
)
def test_skill_level_filter_as_staff_bad_input_shows_error_and_no_rows(
    staff_client, three_donors, params, message
):
    response = staff_client.get(CHANGELIST, params)

    assert response.status_code == 200
    assert listed(response) == []
    assert message in response.text


@pytest.mark.django_db
def test_skill_level_filter_as_staff_finds_retired_skill(staff_client, three_donors):
    Skill.objects.filter(slug="video-editing").update(retired=True)

    response = staff_client.get(CHANGELIST, {"skill": "video-editing", "min_level": "2"})

    assert listed(response) == ["ben@example.org"]
    assert "Video editing (retired)" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "US-NY"}, ["ben@example.org"]),
        ({"country": "MX"}, ["carla@example.org"]),
        ({"language": "pt"}, ["ana@example.org"]),
        ({"language": "es"}, ["carla@example.org"]),
        ({"on_call__exact": "1"}, ["ana@example.org"]),
        ({"on_call__exact": "0"}, ["ben@example.org", "carla@example.org"]),
        ({"paused": "yes"}, ["ben@example.org"]),
        ({"paused": "no"}, ["ana@example.org", "carla@example.org"]),
    ],
)
def test_donor_filters_as_staff(staff_client, three_donors, params, expected):
    response = staff_client.get(CHANGELIST, params)

    assert listed(response) == expected


@pytest.mark.django_db
def test_paused_filter_as_staff_counts_indefinite_pause(staff_client, three_donors):
    Donor.objects.filter(user__email="ana@example.org").update(paused_until=PAUSED_INDEFINITELY)

    response = staff_client.get(CHANGELIST, {"paused": "yes"})

    assert listed(response) == ["ana@example.org", "ben@example.org"]


@pytest.mark.django_db
def test_region_and_language_filters_as_staff_name_their_options(staff_client, three_donors):
    response = staff_client.get(CHANGELIST)

    assert "Jalisco (MX-JAL)" in response.text
    assert "Portuguese (pt)" in response.text


# --- query counts ----------------------------------------------------------------------------


def donors_with_design_skills(count):
    for _ in range(count):
        donor = make_volunteer()  # two skills and two languages (en, es)
        DonorSkillFactory(donor=donor, skill=skill("graphic-design"), level=3)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_donor_changelist_as_staff_query_count_constant(
    staff_client, django_assert_num_queries, count
):
    donors_with_design_skills(count)
    params = {"q": "example.org", "skill": "graphic-design", "min_level": "2", "language": "es"}
    params |= {"contact_consent": "yes", "ready": "yes"}
    ContentType.objects.clear_cache()  # earlier tests may have warmed it

    # 12 before the region, language and country filters' choices became one query and the
    # permissions one query
    with django_assert_num_queries(8):
        response = staff_client.get(CHANGELIST, params)

    assert response.context["cl"].result_count == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_donor_changelist_unfiltered_as_staff_counts_once(
    staff_client, django_assert_num_queries, count
):
    donors_with_design_skills(count)
    ContentType.objects.clear_cache()

    # the session with its user, their permissions (one query), skill choices, the region,
    # language and country filters' choices (one query), one COUNT, the page, its skills and
    # languages: no second identical COUNT(*).
    with django_assert_num_queries(7):
        response = staff_client.get(CHANGELIST)

    assert (response.context["cl"].result_count, response.context["cl"].full_result_count) == (
        count,
        count,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 4])
def test_donor_change_page_as_editor_query_count_constant(
    editor_client, django_assert_num_queries, rows
):
    slugs = ["graphic-design", "photography", "mass-texting", "analytics"][:rows]
    donor = donor_with("ana@example.org", skills=[(slug, 2) for slug in slugs])
    ConflictFactory(donor=donor)
    ContentType.objects.clear_cache()  # earlier tests may have warmed it

    # 11 before the permissions came in one query (accounts.queries.load_permissions)
    with django_assert_num_queries(9):
        response = editor_client.get(f"/admin/donors/donor/{donor.pk}/change/?edit=1")

    assert response.status_code == 200
