"""The Atom and JSON Feed (https://jsonfeed.org/version/1.1) of the open public requests.

Allies embed these on their own sites, so: absolute links on SITE_URL, stable ids (the request's
page), the same filters as the list page through the query string, and a CORS header, since the
feeds hold only what anyone may read and no cookie changes what they say.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.translation import gettext as _

FEED_ITEMS = 50
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
JSON_FEED_CONTENT_TYPE = "application/feed+json; charset=utf-8"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def absolute(path: str, query=None) -> str:
    encoded = query.urlencode() if query else ""
    return f"{settings.SITE_URL}{path}" + (f"?{encoded}" if encoded else "")


def request_url(support_request) -> str:
    return absolute(
        reverse(
            "fights:request", kwargs={"slug": support_request.fight.slug, "pk": support_request.pk}
        )
    )


def _title() -> str:
    return _("Fights that need help · %(site)s") % {"site": settings.SITE_NAME}


def _description() -> str:
    return _("Open support requests from workers' fights that skilled volunteers can help with.")


def _item_title(support_request) -> str:
    return f"{support_request.title} · {support_request.fight.title}"


def _skill_names(support_request) -> list[str]:
    return [request_skill.skill.name for request_skill in support_request.request_skills.all()]


def atom(requests, *, query) -> str:
    feed = feedgenerator.Atom1Feed(
        title=_title(),
        link=absolute(reverse("fights:list"), query),
        feed_url=absolute(reverse("fights:feed_atom"), query),
        description=_description(),
        language="en",
        feed_guid=absolute(reverse("fights:feed_atom"), query),
    )
    for support_request in requests:
        feed.add_item(
            title=_item_title(support_request),
            link=request_url(support_request),
            unique_id=request_url(support_request),
            description=render_to_string(
                "fights/public/feed_item.html", {"support_request": support_request}
            ),
            pubdate=support_request.opened_at or support_request.created_at,
            updateddate=support_request.updated_at,
            author_name=support_request.fight.organization.name,
            categories=_skill_names(support_request),
        )
    return feed.writeString("utf-8")


def json_feed(requests, *, query) -> dict:
    return {
        "version": JSON_FEED_VERSION,
        "title": _title(),
        "home_page_url": absolute(reverse("fights:list"), query),
        "feed_url": absolute(reverse("fights:feed_json"), query),
        "description": _description(),
        "language": "en",
        "items": [_json_item(support_request) for support_request in requests],
    }


def _json_item(support_request) -> dict:
    fight = support_request.fight
    organization = fight.organization
    author = {"name": organization.name}
    if organization.website:
        author["url"] = organization.website
    return {
        "id": request_url(support_request),
        "url": request_url(support_request),
        "title": _item_title(support_request),
        "content_text": support_request.description,
        "summary": _("Needed by %(date)s: %(skills)s")
        % {
            "date": support_request.needed_by.isoformat(),
            "skills": ", ".join(_skill_names(support_request)),
        },
        "date_published": (support_request.opened_at or support_request.created_at).isoformat(),
        "date_modified": support_request.updated_at.isoformat(),
        "authors": [author],
        "tags": _skill_names(support_request),
        # JSON Feed extensions start with an underscore; these are the facts embedders filter on.
        "_knowledge_donors": {
            "needed_by": support_request.needed_by.isoformat(),
            "urgency": support_request.urgency,
            "work_mode": support_request.work_mode,
            "hours_estimate": support_request.hours_estimate,
            "helpers_needed": support_request.helpers_needed,
            "languages": support_request.language_codes,
            "skills": [
                {
                    "slug": request_skill.skill.slug,
                    "name": request_skill.skill.name,
                    "required": request_skill.required,
                    "min_level": request_skill.min_level,
                }
                for request_skill in support_request.request_skills.all()
            ],
            "fight": {
                "title": fight.title,
                "kind": fight.kind,
                "url": absolute(reverse("fights:fight", kwargs={"slug": fight.slug})),
                "organization": organization.name,
            },
        },
    }


def embeddable(response):
    """Any site may fetch the feeds from a browser: they carry only public data."""
    response["Access-Control-Allow-Origin"] = "*"
    return response
