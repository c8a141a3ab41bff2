import importlib

import pytest
from django.apps import apps

from donors.models import Skill, SkillCategory
from fights.models import RequestTemplate
from tests.factories import DonorSkillFactory

seed_migration = importlib.import_module("donors.migrations.0002_seed_skills")
# Depends on the taxonomy: migrating backwards unseeds the request templates first.
templates_migration = importlib.import_module("fights.migrations.0002_seed_request_templates")


def unseed_in_migration_order():
    templates_migration.unseed(apps, None)
    seed_migration.unseed_skills(apps, None)


@pytest.fixture(autouse=True)
def _without_request_templates(request):
    """Unseeding runs after fights' template seed is reversed (its templates point at skills)."""
    if "django_db" in request.keywords:
        request.getfixturevalue("db")
        RequestTemplate.objects.all().delete()


# What labor campaigns keep asking for (issue 2); each must be a seeded skill.
CAMPAIGN_NEEDS = {
    "social-media-strategy",
    "social-media-content",
    "community-management",
    "web-writing",
    "press-releases",
    "media-outreach",
    "graphic-design",
    "flyers-print",
    "photography",
    "video-shooting",
    "video-editing",
    "livestreaming",
    "web-development",
    "wordpress-cms",
    "email-blasts",
    "online-petitions",
    "mass-texting",
    "online-advertising",
    "analytics",
    "data-list-management",
    "digital-tools-training",
    "translation-spanish",
    "translation-other",
    "online-meetings",
    "digital-security",
}


@pytest.mark.django_db
def test_taxonomy_seeded_by_migration_has_enough_skills_and_categories():
    assert Skill.objects.count() == 45
    assert SkillCategory.objects.filter(skills__isnull=False).distinct().count() == 9


@pytest.mark.django_db
def test_taxonomy_covers_campaign_needs():
    assert set(Skill.objects.values_list("slug", flat=True)) >= CAMPAIGN_NEEDS


@pytest.mark.django_db
def test_taxonomy_every_skill_has_unique_slug_description_and_synonyms():
    skills = list(Skill.objects.all())
    assert len({s.slug for s in skills}) == len(skills)
    for skill in skills:
        assert skill.description.endswith("."), skill.slug
        assert skill.description.count(". ") == 0, skill.slug  # one sentence
        assert len(skill.synonym_list) >= 2, skill.slug
        assert not skill.retired


@pytest.mark.django_db
def test_taxonomy_synonyms_are_searchable_words():
    assert "canva" in Skill.objects.get(slug="graphic-design").synonym_list
    assert "español" in Skill.objects.get(slug="translation-spanish").synonym_list


@pytest.mark.django_db
def test_seed_skills_run_twice_creates_nothing_new():
    before = (Skill.objects.count(), SkillCategory.objects.count())

    seed_migration.seed_skills(apps, None)

    assert (Skill.objects.count(), SkillCategory.objects.count()) == before


@pytest.mark.django_db
def test_unseed_skills_keeps_skills_volunteers_use():
    in_use = Skill.objects.get(slug="graphic-design")
    DonorSkillFactory(skill=in_use)

    unseed_in_migration_order()

    assert list(Skill.objects.values_list("slug", flat=True)) == ["graphic-design"]
    assert list(SkillCategory.objects.values_list("slug", flat=True)) == ["design-print"]


@pytest.mark.django_db
def test_unseed_then_seed_restores_the_taxonomy():
    unseed_in_migration_order()
    assert Skill.objects.count() == 0

    seed_migration.seed_skills(apps, None)

    assert Skill.objects.count() == 45


@pytest.mark.django_db
def test_active_skills_exclude_retired():
    Skill.objects.filter(slug="mass-texting").update(retired=True)

    assert not Skill.objects.active().filter(slug="mass-texting").exists()
    assert Skill.objects.active().count() == 44
    assert Skill.objects.filter(slug="mass-texting").exists()
