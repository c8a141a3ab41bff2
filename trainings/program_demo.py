"""The cohort part of `seed_demo` (called from trainings/demo.py): a cohort program taking
applications, with applications in every state (submitted and reviewed, a drafted decision not
yet sent, accepted, waitlisted, declined, a confirmed member with commitments), two ideas for
sessions and volunteer1 listed in the directory (they attended the past demo workshop).

Idempotent: the program is found by slug and applications by person; nothing is mailed.
"""

import datetime
import zoneinfo

from django.utils import timezone

from accounts.models import User
from donors.models import Skill
from trainings.models import (
    Application,
    ApplicationReview,
    Commitment,
    DirectoryEntry,
    SessionIdea,
    Training,
    TrainingSkill,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
SLUG = "digital-strategists-cohort"
# volunteerN: (status, drafted decision, score from staff)
APPLICANTS = {
    30: ("submitted", "", 4),
    31: ("submitted", "accepted", 5),
    32: ("submitted", "", None),
    33: ("accepted", "accepted", 5),
    34: ("waitlisted", "waitlisted", 3),
    35: ("declined", "declined", 2),
    36: ("confirmed", "accepted", 5),
}


def _at(days, hour):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), CHICAGO)


def _program() -> tuple[Training, bool]:
    program, created = Training.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "Digital Strategists Cohort",
            "kind": "cohort_program",
            "summary": "Twelve people, five months: one full day a month and a dozen actions.",
            "description": "A cohort selected from applications, with attention to who the "
            "movement needs: one full training day a month for five months, plus about a "
            "dozen actions over a year. A stipend helps with travel and lost wages.",
            "starts_at": _at(45, 9),
            "ends_at": _at(45 + 150, 17),
            "time_zone": "America/Chicago",
            "capacity": 12,
            "cohort_size": 12,
            "application_deadline": _at(20, 23),
            "stipend": "$500 for the five months",
            "published": True,
        },
    )
    if created:
        for slug, level in {"social-media-content": 3, "short-form-video": 2}.items():
            skill = Skill.objects.filter(slug=slug).first()
            if skill:
                TrainingSkill.objects.create(training=program, skill=skill, level=level)
    return program, created


def seed() -> int:
    """Create what is missing; return how many trainings were created (0 or 1)."""
    program, created = _program()
    staff = User.objects.filter(email="staff@example.org").first()
    emails = {f"volunteer{n}@example.org": n for n in APPLICANTS}
    users = User.objects.in_bulk(list(emails), field_name="email")
    for email, user in users.items():
        status, decision, score = APPLICANTS[emails[email]]
        application, made = Application.objects.get_or_create(
            training=program,
            user=user,
            defaults={
                "statement": "I run our local's page and want to lead its online campaign.",
                "background": "Shop steward; I film our rallies and post for the local.",
                "commits_training_days": True,
                "commits_actions": status != "declined",
                "status": status,
                "decision": decision,
                "decision_drafted_by": staff if decision else None,
                "decision_drafted_at": timezone.now() if decision else None,
                "decision_sent_at": timezone.now() if status != "submitted" else None,
                "confirmed_at": timezone.now() if status == "confirmed" else None,
            },
        )
        if made and score and staff:
            ApplicationReview.objects.create(
                application=application, reviewer=staff, score=score, notes="Demo review."
            )
        if made and status == "confirmed":
            Commitment.objects.create(
                application=application, kind="action", date=timezone.localdate()
            )
    _ideas_and_directory()
    return int(created)


def _ideas_and_directory() -> None:
    first = User.objects.filter(email="volunteer1@example.org").first()
    second = User.objects.filter(email="volunteer2@example.org").first()
    skill = Skill.objects.filter(slug="short-form-video").first() or Skill.objects.first()
    if not (first and second and skill):
        return
    SessionIdea.objects.get_or_create(
        user=first,
        title="Phone video for picket lines",
        defaults={"kind": "offer", "skill": skill, "description": "Two hours, bring a phone."},
    )
    SessionIdea.objects.get_or_create(
        user=second,
        title="Editing strike videos fast",
        defaults={"kind": "request", "skill": skill},
    )
    DirectoryEntry.objects.get_or_create(
        user=first, defaults={"headline": "Social media and flyers for strikes"}
    )
