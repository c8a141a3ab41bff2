"""Demo data for `make run`: 50 volunteers and a staff login, all with a published password,
plus each other app's part: an installed app with a `demo` module whose `seed(*, password)`
creates its demo rows and returns a line to print (fights/demo.py). Found by name, so donors
imports none of them.

Idempotent: it creates only what is missing (users, verified addresses, profiles) and never
touches what exists, so a demo user's own edits survive the next `make run`. Deterministic:
the same seed gives the same people, skills and places.
"""

import datetime
import importlib
import importlib.util
import random
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from donors.models import (
    PAUSED_INDEFINITELY,
    Conflict,
    Donor,
    DonorLanguage,
    DonorSkill,
    Skill,
    WorkMode,
    normalize_name,
)

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 (published on purpose: demo logins only)
STAFF_EMAIL = "staff@example.org"
VOLUNTEERS = 50

NAMES = [
    "Maria Hernández", "James Okafor", "Priya Natarajan", "Daniel Kowalski", "Aisha Bello",
    "Tomás Rivera", "Mei Lin Chen", "Samuel Greenberg", "Fatima Zahra Idrissi", "Kevin O'Brien",
    "Lucía Morales", "Andre Thompson", "Nguyen Thi Lan", "Rachel Adeyemi", "Diego Castillo",
    "Hannah Schmidt", "Marcus Johnson", "Camille Tremblay", "Jorge Ramírez", "Sofia Rossi",
    "Kwame Mensah", "Emily Walsh", "Rosa Delgado", "Arjun Mehta", "Grace Kim",
    "Luis Alberto Vega", "Niamh Gallagher", "Joseph Tran", "Ana Paula Souza", "Eli Rosen",
    "Marisol Flores", "Terrence Washington", "Jean-Baptiste Pierre", "Chloe Martin", "Ramón Ortiz",
    "Leah Goldstein", "Musa Ibrahim", "Valeria Gutiérrez", "Connor MacLeod", "Imani Brooks",
    "Hyun-woo Park", "Gabriela Soto", "Patrick Nolan", "Yasmin Haddad", "Ricardo Mendes",
    "Olivia Bennett", "Amara Nwosu", "Carlos Ibarra", "Siobhan Murphy", "Tariq Ahmed",
]  # fmt: skip

# (country, ISO 3166-2 region, city, IANA time zone, languages people there usually list)
PLACES = [
    ("US", "US-CA", "Oakland", "America/Los_Angeles", ["en"]),
    ("US", "US-CA", "Los Angeles", "America/Los_Angeles", ["en", "es"]),
    ("US", "US-NY", "New York", "America/New_York", ["en"]),
    ("US", "US-IL", "Chicago", "America/Chicago", ["en"]),
    ("US", "US-TX", "Houston", "America/Chicago", ["en", "es"]),
    ("US", "US-WA", "Seattle", "America/Los_Angeles", ["en"]),
    ("US", "US-MI", "Detroit", "America/Detroit", ["en"]),
    ("US", "US-PA", "Philadelphia", "America/New_York", ["en"]),
    ("US", "US-GA", "Atlanta", "America/New_York", ["en"]),
    ("US", "US-MN", "Minneapolis", "America/Chicago", ["en"]),
    ("US", "US-NV", "Las Vegas", "America/Los_Angeles", ["en", "es"]),
    ("CA", "CA-ON", "Toronto", "America/Toronto", ["en"]),
    ("CA", "CA-QC", "Montréal", "America/Toronto", ["fr", "en"]),
    ("CA", "CA-BC", "Vancouver", "America/Vancouver", ["en"]),
    ("MX", "MX-CMX", "Ciudad de México", "America/Mexico_City", ["es"]),
    ("MX", "MX-JAL", "Guadalajara", "America/Mexico_City", ["es"]),
    ("MX", "MX-NLE", "Monterrey", "America/Monterrey", ["es"]),
    ("MX", "MX-BCN", "Tijuana", "America/Tijuana", ["es", "en"]),
    ("GB", "GB-MAN", "Manchester", "Europe/London", ["en"]),
    ("GB", "GB-GLG", "Glasgow", "Europe/London", ["en"]),
    ("GB", "GB-BIR", "Birmingham", "Europe/London", ["en"]),
]
EXTRA_LANGUAGES = ["es", "es", "es", "fr", "pt", "zh", "vi", "tl", "ar", "ht", "ko"]
PRONOUNS = ["", "", "she/her", "he/him", "they/them"]
EMPLOYERS = [
    "Acme Logistics", "Northwind Health", "Globex Foods", "Contoso Hotels",
    "Initech Warehousing", "Umbrella Care Homes",
]  # fmt: skip
BIO_OPENERS = {
    "social-media": "I run social accounts for a living and volunteer with my tenant union.",
    "writing-media": "Former reporter; I write plain, punchy copy and know how newsrooms work.",
    "design-print": "Designer who has made picket signs, flyers and logos for local campaigns.",
    "photo-video": "I film and edit short videos and have streamed rallies from a phone.",
    "web": "Web developer; I build simple, fast campaign sites that work on any phone.",
    "email-texting": "I have run email and text programs for advocacy groups for years.",
    "ads-data": "Data person: clean lists, honest dashboards, ads that do not waste money.",
    "training-security": "I teach digital tools and security to people who are new to them.",
    "languages": "Translator and interpreter; I make sure nobody is left out of the meeting.",
}


@dataclass
class DemoVolunteer:
    email: str
    display_name: str
    time_zone: str
    profile: dict
    skills: list = field(default_factory=list)  # [(Skill, level)]
    languages: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)


def pick_skills(rng, skills):
    """A specialty (1-3 skills at a good level) plus a few side skills at lower levels."""
    by_category = {}
    for skill in skills:
        by_category.setdefault(skill.category.slug, []).append(skill)
    specialty = rng.choice(sorted(by_category))
    total = rng.randint(2, 5)
    main = rng.sample(by_category[specialty], min(rng.randint(1, 3), total))
    others = [s for s in skills if s not in main]
    picked = [(s, rng.choice([2, 3, 3])) for s in main]
    picked += [(s, rng.choice([1, 1, 2])) for s in rng.sample(others, total - len(main))]
    return specialty, picked


def demo_volunteer(rng, number, skills, today):
    name = NAMES[(number - 1) % len(NAMES)]
    country, region, city, time_zone, languages = rng.choice(PLACES)
    languages = list(languages)
    if rng.random() < 0.45:
        extra = rng.choice(EXTRA_LANGUAGES)
        if extra not in languages:
            languages.append(extra)
    if "en" not in languages and rng.random() < 0.6:
        languages.append("en")
    specialty, picked = pick_skills(rng, skills)
    paused_until = None
    if number % 10 == 0:  # every tenth volunteer is paused, one of them indefinitely
        paused_until = (
            PAUSED_INDEFINITELY
            if number == 50
            else today + datetime.timedelta(days=rng.randint(7, 90))
        )
    available_until = today + datetime.timedelta(days=rng.randint(60, 240))
    slug = normalize_name(name).replace(" ", "-").replace("'", "")
    profile = {
        "pronouns": rng.choice(PRONOUNS),
        "country": country,
        "region": region,
        "city": city,
        "work_mode": rng.choice(
            [WorkMode.REMOTE, WorkMode.REMOTE, WorkMode.EITHER, WorkMode.IN_PERSON]
        ),
        "weekly_hours": rng.choice([2, 3, 4, 5, 6, 8, 10, 12, 15, 20]),
        "capacity": rng.choices([1, 2, 3, 4, 5], weights=[45, 30, 15, 6, 4])[0],
        "available_until": available_until if rng.random() < 0.2 else None,
        "on_call": rng.random() < 0.3,
        "bio": f"{BIO_OPENERS[specialty]} Based in {city}.",
        "links": [f"https://example.org/portfolio/{slug}"] if rng.random() < 0.4 else [],
        "contact_consent": number % 12 != 7,  # a few have not agreed to be contacted yet
        "paused_until": paused_until,
    }
    return DemoVolunteer(
        email=f"volunteer{number}@example.org",
        display_name=name,
        time_zone=time_zone,
        profile=profile,
        skills=picked,
        languages=languages,
        conflicts=rng.sample(EMPLOYERS, rng.randint(1, 2)) if rng.random() < 0.15 else [],
    )


def ensure_users(people, password):
    """Create the users that are missing; return every demo user by email."""
    emails = [p.email for p in people]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        User(email=p.email, display_name=p.display_name, time_zone=p.time_zone, password=password)
        for p in people
        if p.email not in existing
    )
    users = User.objects.in_bulk(emails, field_name="email")
    has_address = set(
        EmailAddress.objects.filter(user__in=users.values()).values_list("user_id", flat=True)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, primary=True, verified=True)
        for u in users.values()
        if u.pk not in has_address
    )
    return len(emails) - len(existing), users


def ensure_profiles(people, users):
    """Create missing donor profiles with their skills, languages and conflicts."""
    have_profile = set(
        Donor.objects.filter(user__in=users.values()).values_list("user_id", flat=True)
    )
    missing = [p for p in people if users[p.email].pk not in have_profile]
    Donor.objects.bulk_create(Donor(user=users[p.email], **p.profile) for p in missing)
    donors = {
        d.user_id: d for d in Donor.objects.filter(user__in=[users[p.email] for p in missing])
    }
    rows = {DonorSkill: [], DonorLanguage: [], Conflict: []}
    for person in missing:
        donor = donors[users[person.email].pk]
        rows[DonorSkill] += [DonorSkill(donor=donor, skill=s, level=lv) for s, lv in person.skills]
        rows[DonorLanguage] += [DonorLanguage(donor=donor, code=c) for c in person.languages]
        rows[Conflict] += [
            Conflict(donor=donor, name=n, normalized_name=normalize_name(n))
            for n in person.conflicts
        ]
    for model, objs in rows.items():
        model.objects.bulk_create(objs)
    return len(missing)


def app_demo_parts():
    """The `demo` modules of the other installed apps, in INSTALLED_APPS order."""
    for app in apps.get_app_configs():
        name = f"{app.name}.demo"
        if app.name != "donors" and importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


class Command(BaseCommand):
    help = (
        "Create demo volunteers, organizers with their fights, and a staff login "
        "(password demo-password-1). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Never on a real site: the demo password is public.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")

    def handle(self, *args, force=False, seed=2026, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts whose password is public, so it only runs with "
                "DEBUG on. Set DEBUG=true (as `make run` does), or pass --force if this really "
                "is a throwaway database."
            )
        skills = list(Skill.objects.active().select_related("category").order_by("slug"))
        if not skills:
            raise CommandError("There are no skills yet: run `manage.py migrate` first.")
        rng = random.Random(seed)
        today = timezone.localdate()
        people = [demo_volunteer(rng, n, skills, today) for n in range(1, VOLUNTEERS + 1)]
        password = make_password(DEMO_PASSWORD)  # once: hashing is deliberately slow
        with transaction.atomic():
            staff_created = self.ensure_staff(password)
            users_created, users = ensure_users(people, password)
            profiles_created = ensure_profiles(people, users)
            parts = [part.seed(password=password) for part in app_demo_parts()]
        self.stdout.write(
            f"Demo data: {users_created} volunteer accounts and {profiles_created} profiles "
            f"created ({VOLUNTEERS} in all: volunteer1@example.org … "
            f"volunteer{VOLUNTEERS}@example.org); staff login {STAFF_EMAIL} "
            f"{'created' if staff_created else 'already there'} (a superuser in the Staff group). "
            f"Password for all: {DEMO_PASSWORD}"
        )
        for line in parts:
            self.stdout.write(line)

    def ensure_staff(self, password):
        staff, created = User.objects.get_or_create(
            email=STAFF_EMAIL,
            defaults={
                "display_name": "Demo Staff",
                "is_staff": True,
                "is_superuser": True,
                "password": password,
            },
        )
        EmailAddress.objects.get_or_create(
            user=staff, email=staff.email, defaults={"primary": True, "verified": True}
        )
        group = Group.objects.filter(name="Staff").first()
        if group is None:
            self.stderr.write("The Staff group is missing (run `manage.py migrate`).")
        else:
            staff.groups.add(group)
        return created
