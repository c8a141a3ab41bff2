import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from accounts.models import User
from donors.models import Conflict, Donor, DonorLanguage, DonorSkill, Skill, SkillCategory

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
