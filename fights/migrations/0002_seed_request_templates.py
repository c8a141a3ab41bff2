"""Seed the guided path's plain-language needs ("We need flyers and graphics") with the skills,
levels and hours each usually takes. Staff edit them in the admin afterwards.

Forwards is idempotent (update_or_create by slug); a skill slug the taxonomy lacks is skipped,
so the migration never fails on a taxonomy staff have edited. Backwards deletes the seeded rows.
"""

from django.db import migrations

# (slug, need, request title, hours, helpers, [(skill slug, required, min level), ...], skeleton)
TEMPLATES = [
    (
        "strike-social-media",
        "We're going on strike and need social media help",
        "Social media for our strike",
        20,
        2,
        [
            ("social-media-strategy", True, 2),
            ("social-media-content", True, 1),
            ("rapid-response-social", False, 2),
            ("social-graphics", False, 1),
        ],
        "When is the strike, and which accounts do you have (Facebook, Instagram, TikTok, X)?\n"
        "Who approves posts, and how fast can they answer?\n"
        "What do you want people to do: join the picket, donate to the strike fund, call the "
        "employer?",
    ),
    (
        "petition-email-blast",
        "We need a petition and an email blast",
        "A petition and an email blast",
        10,
        1,
        [
            ("online-petitions", True, 1),
            ("email-blasts", True, 1),
            ("web-writing", False, 1),
            ("data-list-management", False, 1),
        ],
        "What should the petition ask, and of whom?\n"
        "Which list will the email go to, and roughly how many addresses does it hold?\n"
        "Which tool do you already use (Action Network, Mailchimp, none)?",
    ),
    (
        "campaign-website",
        "We need a simple campaign website",
        "A simple campaign website",
        25,
        1,
        [
            ("landing-pages", True, 2),
            ("wordpress-cms", False, 1),
            ("web-writing", False, 1),
            ("web-accessibility", False, 1),
        ],
        "What must the site say, and what should a visitor do there?\n"
        "Do you own a domain name? Who will keep the site up to date afterwards?\n"
        "Which languages should it be in?",
    ),
    (
        "flyers-graphics",
        "We need flyers and graphics",
        "Flyers and graphics",
        8,
        1,
        [
            ("graphic-design", True, 1),
            ("flyers-print", True, 1),
            ("social-graphics", False, 1),
            ("signs-banners", False, 1),
        ],
        "What are the flyers for (a rally, a meeting, a boycott), and when are they needed?\n"
        "Do you have a logo, colours or photos we should use?\n"
        "Printed (what size, how many) or shared online, or both?",
    ),
    (
        "action-video",
        "We need video of our action",
        "Video of our action",
        12,
        1,
        [
            ("video-shooting", True, 1),
            ("video-editing", True, 1),
            ("short-form-video", False, 1),
            ("livestreaming", False, 1),
        ],
        "When and where is the action? Is filming allowed there, and who may be shown?\n"
        "Do you want a livestream, short clips for social media, or a longer video afterwards?",
    ),
    (
        "train-members-social-media",
        "Train our members on social media",
        "Social media training for our members",
        6,
        1,
        [
            ("digital-tools-training", True, 2),
            ("social-media-strategy", True, 2),
            ("digital-security", False, 1),
        ],
        "How many members, and how comfortable are they with social media today?\n"
        "In person or online? Which days and times work for workers on shift?",
    ),
    (
        "online-ads",
        "We need online ads",
        "Online ads for our campaign",
        10,
        1,
        [
            ("online-advertising", True, 2),
            ("analytics", False, 1),
            ("social-graphics", False, 1),
        ],
        "Who should see the ads (workers at one site, the public in one city)?\n"
        "What is the budget, and which ad accounts do you have?",
    ),
    (
        "translate-materials",
        "Translate our materials",
        "Translate our materials",
        8,
        1,
        [
            ("translation-spanish", True, 2),
            ("translation-other", False, 2),
            ("editing-proofreading", False, 1),
        ],
        "Which documents, how long are they, and into which languages?\n"
        "Is there vocabulary your members use that a translator should keep?",
    ),
    (
        "worker-texting",
        "We need text-message outreach to workers",
        "Text-message outreach to workers",
        12,
        2,
        [
            ("mass-texting", True, 1),
            ("data-list-management", False, 1),
            ("web-writing", False, 1),
        ],
        "How many workers, and how did they agree to get texts from you?\n"
        "What should the texts ask them to do, and who will answer replies?",
    ),
]


def seed(apps, schema_editor):
    RequestTemplate = apps.get_model("fights", "RequestTemplate")
    RequestTemplateSkill = apps.get_model("fights", "RequestTemplateSkill")
    Skill = apps.get_model("donors", "Skill")
    skills = {skill.slug: skill for skill in Skill.objects.all()}
    for position, (slug, need, title, hours, helpers, needs, skeleton) in enumerate(TEMPLATES):
        template, _ = RequestTemplate.objects.update_or_create(
            slug=slug,
            defaults={
                "need": need,
                "request_title": title,
                "hours_estimate": hours,
                "helpers_needed": helpers,
                "description": skeleton,
                "position": position,
            },
        )
        for skill_slug, required, level in needs:
            if skill_slug in skills:
                RequestTemplateSkill.objects.update_or_create(
                    template=template,
                    skill=skills[skill_slug],
                    defaults={"required": required, "min_level": level},
                )


def unseed(apps, schema_editor):
    RequestTemplate = apps.get_model("fights", "RequestTemplate")
    RequestTemplate.objects.filter(slug__in=[row[0] for row in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fights", "0001_initial"),
        ("donors", "0002_seed_skills"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
