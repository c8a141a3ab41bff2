import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import User
from donors.models import (
    Conflict,
    Donor,
    DonorLanguage,
    DonorSkill,
    Skill,
    SkillCategory,
    normalize_name,
)
from fights.models import (
    Fight,
    Invitation,
    MemberRole,
    Membership,
    Organization,
    RequestLanguage,
    RequestSkill,
    SupportRequest,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.LazyFunction(lambda: make_password(PASSWORD))

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Verified primary address unless verified=False is passed."""
        if create:
            EmailAddress.objects.create(
                user=obj, email=obj.email, primary=True, verified=extracted is not False
            )


class StaffFactory(UserFactory):
    is_staff = True


class SkillCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    category = factory.SubFactory(SkillCategoryFactory)
    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.Sequence(lambda n: f"skill-{n}")


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor

    user = factory.SubFactory(UserFactory)
    country = "US"
    region = "US-CA"
    city = "Oakland"
    weekly_hours = 5
    capacity = 1
    bio = factory.Sequence(lambda n: f"Bio of donor {n}: I design flyers.")
    contact_consent = True


class DonorSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DonorSkill

    donor = factory.SubFactory(DonorFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 2


class DonorLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DonorLanguage

    donor = factory.SubFactory(DonorFactory)
    code = "en"


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conflict

    donor = factory.SubFactory(DonorFactory)
    name = "Acme Logistics"
    normalized_name = "acme logistics"


class OrganizationFactory(factory.django.DjangoModelFactory):
    """A verified union local unless verified_at=None is passed."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Local {n} of the Warehouse Workers")
    slug = factory.Sequence(lambda n: f"local-{n}")
    kind = "union_local"
    country = "US"
    region = "US-CA"
    city = "Oakland"
    attested_at = factory.LazyFunction(timezone.now)
    verified_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.ADMIN


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = MemberRole.ORGANIZER


class FightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fight

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Strike at warehouse {n}")
    slug = factory.Sequence(lambda n: f"strike-at-warehouse-{n}")
    kind = "strike"
    target_employer = factory.Sequence(lambda n: f"Acme Logistics {n}")
    target_employer_normalized = factory.LazyAttribute(lambda o: normalize_name(o.target_employer))
    country = "US"
    region = "US-CA"
    city = "Oakland"
    summary = "Warehouse workers walk out over heat and speed-ups."
    visibility = "public"


class SupportRequestFactory(factory.django.DjangoModelFactory):
    """An open request needed in three weeks (normal urgency)."""

    class Meta:
        model = SupportRequest

    fight = factory.SubFactory(FightFactory)
    title = factory.Sequence(lambda n: f"Flyers for the picket line {n}")
    description = "We need a flyer in English and Spanish."
    status = "open"
    needed_by = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))
    hours_estimate = 8
    helpers_needed = 1
    work_mode = "remote"
    opened_at = factory.LazyFunction(timezone.now)


class RequestSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestSkill

    request = factory.SubFactory(SupportRequestFactory)
    skill = factory.SubFactory(SkillFactory)
    required = True
    min_level = 1


class RequestLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestLanguage

    request = factory.SubFactory(SupportRequestFactory)
    code = "en"


# --- Trainings -------------------------------------------------------------------------------


def _in_days(days, hour=9, minute=30):
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=minute, second=0, microsecond=0)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.Venue"

    name = factory.Sequence(lambda n: f"Union Hall {n}")
    address = "100 Labor Way"
    city = "Oakland"
    country = "US"
    region = "US-CA"
    wheelchair_accessible = True
    accessibility_notes = "Step-free entrance on 2nd Street; accessible toilets on each floor."


class TrainingFactory(factory.django.DjangoModelFactory):
    """A published in-person one-day workshop in two weeks, 09:30-17:00 UTC, 20 seats."""

    class Meta:
        model = "trainings.Training"

    title = factory.Sequence(lambda n: f"Digital Skills for Labor {n}")
    slug = factory.Sequence(lambda n: f"digital-skills-{n}")
    kind = "workshop"
    summary = "Social media, flyers and email for your campaign."
    starts_at = factory.LazyFunction(lambda: _in_days(14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at.replace(hour=17, minute=0))
    time_zone = "UTC"
    venue = factory.SubFactory(VenueFactory)
    meeting_url = ""
    capacity = 20
    published = True


class TrainingSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.TrainingSkill"

    training = factory.SubFactory(TrainingFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 2


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.Registration"

    training = factory.SubFactory(TrainingFactory)
    user = factory.SubFactory(UserFactory)
    status = "confirmed"
    confirmed_at = factory.LazyFunction(timezone.now)


# --- Cohort programs (trainings/programs.py) ---------------------------------------------------


class CohortProgramFactory(TrainingFactory):
    """A published cohort program starting in 30 days, taking applications for 10 more days."""

    kind = "cohort_program"
    title = factory.Sequence(lambda n: f"Digital Strategists Cohort {n}")
    slug = factory.Sequence(lambda n: f"cohort-{n}")
    starts_at = factory.LazyFunction(lambda: _in_days(30))
    capacity = 12
    cohort_size = 12
    application_deadline = factory.LazyFunction(lambda: _in_days(10))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.Application"

    training = factory.SubFactory(CohortProgramFactory)
    user = factory.SubFactory(UserFactory)
    statement = "I want to run the online side of our strike."
    background = "Shop steward, I post for the local."
    commits_training_days = True
    commits_actions = True
