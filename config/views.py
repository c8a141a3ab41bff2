"""The site's error pages (handler400/403/404/500 in config/urls.py).

Django's default error views carry `requires_csrf_token`, which runs the CSRF check again and so
reads `request.POST` a second time. For a request whose body cannot be read at all (a form POST
declared as UTF-16 or Latin-1, too many fields) that raises the same error again inside the
error view, then inside the 500 view, and the visitor gets the server's bare 500 page. These
views never touch the request body; the CSRF token the pages need comes from the cookie.
"""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)

# Served when even 500.html cannot be rendered (a broken template or static storage).
FALLBACK_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Server error</title>'
    "</head><body><h1>Something went wrong on our side</h1><p>Please go back and try again "
    'in a few minutes.</p><p><a href="/">Go to the home page</a></p></body></html>'
)


def bad_request(request, exception):
    return render(request, "400.html", status=400)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    """Renders without the request: no context processors, no session, no database, so the
    page that reports a failure cannot fail the same way. Anything else falls back to text."""
    try:
        body = loader.get_template("500.html").render()
    except Exception:
        logger.exception("The 500 page could not be rendered; serving the plain fallback")
        body = FALLBACK_500
    return HttpResponseServerError(body)
