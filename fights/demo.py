"""The fights part of `seed_demo`: organizations (verified, waiting, rejected), their organizer
logins, public and confidential fights, and requests of every urgency, so the public list is
lively and an organizer can walk their own pages.

Idempotent like the rest of seed_demo: rows are found by slug (requests by fight and title) and
only missing ones are created; nothing that exists is changed. Dates are relative to the day of
the first run.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from donors.management.commands.seed_demo import STAFF_EMAIL, ensure_users
from donors.models import Skill, normalize_name
from fights.models import (
    Fight,
    Membership,
    Organization,
    RequestLanguage,
    RequestSkill,
    SupportRequest,
)


@dataclass(frozen=True)
class DemoOrganizer:
    email: str
    display_name: str
    time_zone: str


ORGANIZERS = [
    DemoOrganizer("organizer1@example.org", "Rosa Alvarado", "America/Los_Angeles"),
    DemoOrganizer("organizer2@example.org", "Dwayne Carter", "America/Los_Angeles"),
    DemoOrganizer("organizer3@example.org", "Mariana López", "America/Chicago"),
    DemoOrganizer("organizer4@example.org", "Gloria Jenkins", "America/Detroit"),
    DemoOrganizer("organizer5@example.org", "Étienne Roy", "America/Toronto"),
    DemoOrganizer("organizer6@example.org", "Guadalupe Reyes", "America/Tijuana"),
]


def _request(title, days, skills, *, hours=8, helpers=1, mode="remote", languages=("en",), **kw):
    return {
        "title": title,
        "days": days,
        "skills": skills,
        "hours_estimate": hours,
        "helpers_needed": helpers,
        "work_mode": mode,
        "languages": languages,
        "status": kw.pop("status", "open"),
        "description": kw.pop("description", ""),
        **kw,
    }


# (slug, fields, state: verified | waiting | rejected, [(organizer email, role)], [fights])
ORGANIZATIONS = [
    (
        "warehouse-workers-local-2025",
        {
            "name": "Warehouse Workers Local 2025",
            "kind": "union_local",
            "affiliation": "United Warehouse and Distribution Workers",
            "country": "US",
            "region": "US-CA",
            "city": "Oakland",
            "website": "https://example.org/local-2025",
            "description": "1,800 warehouse workers in the East Bay.",
        },
        "verified",
        [("organizer1@example.org", "admin"), ("organizer2@example.org", "organizer")],
        [
            {
                "slug": "acme-logistics-strike",
                "title": "Acme Logistics warehouse strike",
                "kind": "strike",
                "target_employer": "Acme Logistics",
                "sector": "Warehousing",
                "key_date_days": 9,
                "summary": "Pickers and loaders at Acme's Oakland hub strike over heat and "
                "speed-up quotas. We walk out in nine days and need the public on our side.",
                "requests": [
                    _request(
                        "Social media for our strike",
                        2,
                        [
                            ("social-media-strategy", True, 2),
                            ("social-media-content", True, 1),
                            ("rapid-response-social", False, 2),
                        ],
                        hours=20,
                        helpers=2,
                        languages=("en", "es"),
                        description="We have a Facebook page and an Instagram nobody posts on. "
                        "We need a plan for strike week and someone to post daily.",
                    ),
                    _request(
                        "Picket-line flyers in English and Spanish",
                        6,
                        [
                            ("graphic-design", True, 1),
                            ("flyers-print", True, 1),
                            ("translation-spanish", False, 2),
                        ],
                        mode="either",
                        languages=("en", "es"),
                        description="A one-page flyer for the public at the gates, and a "
                        "half-page for coworkers on other shifts.",
                    ),
                    _request(
                        "Livestream the strike rally",
                        9,
                        [("livestreaming", True, 2), ("video-shooting", False, 1)],
                        hours=6,
                        mode="in_person",
                        description="Rally at the main gate on the first morning of the strike.",
                    ),
                    _request(
                        "Strike fund donation page",
                        20,
                        [("online-fundraising", True, 1), ("landing-pages", False, 1)],
                        hours=10,
                    ),
                ],
            },
            {
                "slug": "initech-organizing",
                "title": "Organizing at Initech Warehousing",
                "kind": "organizing_drive",
                "target_employer": "Initech Warehousing",
                "sector": "Warehousing",
                "visibility": "confidential",
                "summary": "Quiet committee-building before we go public.",
                "requests": [
                    _request(
                        "One-on-one outreach by text",
                        2,
                        [("mass-texting", True, 2)],
                        hours=12,
                        description="A texting tool and scripts, off work phones.",
                    ),
                    _request(
                        "Secure chat set-up for the committee",
                        7,
                        [("digital-security", True, 2), ("digital-tools-training", False, 1)],
                        hours=4,
                    ),
                ],
            },
        ],
    ),
    (
        "chicago-hotel-workers-united",
        {
            "name": "Chicago Hotel Workers United",
            "kind": "union_local",
            "affiliation": "Hospitality Workers International",
            "country": "US",
            "region": "US-IL",
            "city": "Chicago",
            "website": "https://example.org/chicago-hotel-workers",
        },
        "verified",
        [("organizer3@example.org", "admin")],
        [
            {
                "slug": "contoso-hotels-contract",
                "title": "Contoso Hotels contract campaign",
                "kind": "contract_campaign",
                "target_employer": "Contoso Hotels",
                "sector": "Hospitality",
                "key_date_days": 30,
                "summary": "Housekeepers want a workload cap in the new contract.",
                "requests": [
                    _request(
                        "Video stories of housekeepers",
                        25,
                        [
                            ("video-editing", True, 2),
                            ("worker-storytelling", True, 1),
                            ("subtitles-captions", False, 1),
                        ],
                        hours=16,
                        languages=("en", "es"),
                    ),
                    _request(
                        "Petition and email blast to hotel guests",
                        10,
                        [("online-petitions", True, 1), ("email-blasts", True, 1)],
                    ),
                    _request(
                        "Online ads aimed at conference planners",
                        28,
                        [("online-advertising", True, 2)],
                        status="draft",
                    ),
                ],
            },
        ],
    ),
    (
        "detroit-care-workers-center",
        {
            "name": "Detroit Care Workers Center",
            "kind": "worker_center",
            "country": "US",
            "region": "US-MI",
            "city": "Detroit",
            "website": "https://example.org/detroit-care-workers",
        },
        "verified",
        [("organizer4@example.org", "admin")],
        [
            {
                "slug": "umbrella-care-homes-boycott",
                "title": "Umbrella Care Homes boycott",
                "kind": "boycott",
                "target_employer": "Umbrella Care Homes",
                "sector": "Home care",
                "summary": "Families and workers boycott Umbrella until it pays for travel time.",
                "requests": [
                    _request(
                        "Press release for the boycott launch",
                        1,
                        [("press-releases", True, 2), ("media-outreach", False, 1)],
                        hours=4,
                    ),
                    _request(
                        "A simple boycott website",
                        35,
                        [("landing-pages", True, 2), ("web-accessibility", False, 1)],
                        hours=25,
                    ),
                    _request(
                        "Clean up our supporter spreadsheet",
                        40,
                        [("data-list-management", True, 1), ("spreadsheets", True, 1)],
                        hours=6,
                    ),
                ],
            },
            {
                "slug": "northwind-heat-safety",
                "title": "Northwind Health heat-safety campaign",
                "kind": "community_campaign",
                "target_employer": "Northwind Health",
                "status": "won",
                "outcome": "Water, shade and rest breaks for every home-care visit, in writing.",
                "requests": [
                    _request(
                        "Infographic on heat rules",
                        -30,
                        [("infographics", True, 1)],
                        status="filled",
                    ),
                ],
            },
        ],
    ),
    (
        "reseau-coursiers-montreal",
        {
            "name": "Réseau des coursiers de Montréal",
            "kind": "community_group",
            "country": "CA",
            "region": "CA-QC",
            "city": "Montréal",
        },
        "verified",
        [("organizer5@example.org", "admin")],
        [
            {
                "slug": "courier-pay-campaign",
                "title": "Courier pay campaign",
                "kind": "community_campaign",
                "target_employer": "Initrode Delivery",
                "sector": "Delivery apps",
                "summary": "App couriers want pay for waiting time at restaurants.",
                "requests": [
                    _request(
                        "Translate our flyers, French and English",
                        8,
                        [("translation-other", True, 2)],
                        hours=5,
                        languages=("fr", "en"),
                    ),
                    _request(
                        "Short videos for TikTok and Instagram",
                        18,
                        [("short-form-video", True, 1), ("social-media-content", False, 1)],
                        hours=10,
                        languages=("fr",),
                    ),
                ],
            },
        ],
    ),
    (
        "comite-trabajadoras-maquila",
        {
            "name": "Comité de Trabajadoras de Maquila",
            "kind": "worker_center",
            "country": "MX",
            "region": "MX-BCN",
            "city": "Tijuana",
        },
        "waiting",
        [("organizer6@example.org", "admin")],
        [
            {
                "slug": "globex-foods-organizing",
                "title": "Globex Foods organizing drive",
                "kind": "organizing_drive",
                "target_employer": "Globex Foods",
                "requests": [
                    _request(
                        "Graphics for our WhatsApp groups",
                        12,
                        [("social-graphics", True, 1)],
                        languages=("es",),
                        status="draft",
                    ),
                ],
            },
        ],
    ),
    (
        "labor-relations-partners",
        {
            "name": "Labor Relations Partners LLC",
            "kind": "other",
            "country": "US",
            "region": "US-TX",
            "city": "Houston",
            "rejection_reason": "A labor-relations consultancy working for employers, "
            "not a workers' organization.",
        },
        "rejected",
        [],
        [],
    ),
]


def seed(*, password: str) -> str:
    """Create what is missing; return the line seed_demo prints."""
    created_users, users = ensure_users(ORGANIZERS, password)
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    skills = Skill.objects.in_bulk(field_name="slug")
    today, now = timezone.localdate(), timezone.now()
    totals = {"organizations": 0, "fights": 0, "requests": 0}
    for slug, fields, state, members, fights in ORGANIZATIONS:
        organization, created = Organization.objects.get_or_create(
            slug=slug, defaults={**fields, **_verification(state, staff, now)}
        )
        totals["organizations"] += created
        for email, role in members:
            Membership.objects.get_or_create(
                organization=organization, user=users[email], defaults={"role": role}
            )
        author = users[members[0][0]] if members else None
        for fight_fields in fights:
            fight, made = _fight(organization, fight_fields, author, today, now)
            totals["fights"] += made
            for request_fields in fight_fields["requests"]:
                totals["requests"] += _support_request(
                    fight, request_fields, author, skills, today, now
                )
    return (
        f"Demo fights: {totals['organizations']} organizations, {totals['fights']} fights and "
        f"{totals['requests']} requests created; {created_users} organizer accounts created "
        f"({ORGANIZERS[0].email} … {ORGANIZERS[-1].email}, the same password)."
    )


def _verification(state, staff, now) -> dict:
    checklist = {"affiliation_checked": True, "contact_confirmed": True}
    if state == "verified":
        return {
            **checklist,
            "web_presence_checked": True,
            "attested_at": now,
            "verified_at": now,
            "verified_by": staff,
        }
    if state == "rejected":
        return {"attested_at": now, "rejected_at": now, "rejected_by": staff}
    return {"attested_at": now}


def _fight(organization, fields, author, today, now):
    key_date = fields.get("key_date_days")
    defaults = {
        "organization": organization,
        "title": fields["title"],
        "kind": fields["kind"],
        "target_employer": fields["target_employer"],
        "target_employer_normalized": normalize_name(fields["target_employer"]),
        "sector": fields.get("sector", ""),
        "country": organization.country,
        "region": organization.region,
        "city": organization.city,
        "key_date": today + datetime.timedelta(days=key_date) if key_date else None,
        "summary": fields.get("summary", ""),
        "visibility": fields.get("visibility", "public"),
        "status": fields.get("status", "active"),
        "outcome": fields.get("outcome", ""),
        "status_changed_at": now if fields.get("status") else None,
        "status_changed_by": author if fields.get("status") else None,
        "created_by": author,
    }
    return Fight.objects.get_or_create(slug=fields["slug"], defaults=defaults)


def _support_request(fight, fields, author, skills, today, now) -> bool:
    status = fields["status"]
    support_request, created = SupportRequest.objects.get_or_create(
        fight=fight,
        title=fields["title"],
        defaults={
            "description": fields["description"],
            "status": status,
            "needed_by": today + datetime.timedelta(days=fields["days"]),
            "hours_estimate": fields["hours_estimate"],
            "helpers_needed": fields["helpers_needed"],
            "work_mode": fields["work_mode"],
            "created_by": author,
            "opened_at": now if status != "draft" else None,
            "status_changed_at": now if status != "draft" else None,
            "status_changed_by": author if status != "draft" else None,
        },
    )
    if created:
        RequestSkill.objects.bulk_create(
            RequestSkill(request=support_request, skill=skills[slug], required=req, min_level=lv)
            for slug, req, lv in fields["skills"]
            if slug in skills
        )
        RequestLanguage.objects.bulk_create(
            RequestLanguage(request=support_request, code=code) for code in fields["languages"]
        )
    return created
