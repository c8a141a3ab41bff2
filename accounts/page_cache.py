"""Public pages whose HTML is the same for every signed-out visitor: rendered once, then reused.

Home, the organizers' page and the contact page depend on nothing but settings and whether
someone is signed in. For a signed-out visitor with no message waiting, the page is rendered the
first time in each process and its HTML kept; a signed-in person, or a visitor with a message to
show, gets a fresh render. Nothing is kept with DEBUG on (templates change under `make run`),
when rendering asked for a CSRF token (it is per visitor), or across a change of settings.
"""

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

_pages: dict[tuple[str, str], bytes] = {}


def render_public(request, template_name: str, context=None) -> HttpResponse:
    if settings.DEBUG or request.user.is_authenticated or _has_messages(request):
        return render(request, template_name, context)
    key = (template_name, get_language())
    if key in _pages:
        return HttpResponse(_pages[key])
    response = render(request, template_name, context)
    if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        _pages[key] = response.content
    return response


def _has_messages(request) -> bool:
    # Looking marks them shown, and the page rendered next shows them.
    return any(True for _ in get_messages(request))


def clear(**kwargs) -> None:
    _pages.clear()


setting_changed.connect(clear)
