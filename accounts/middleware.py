from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject

# The session store whose row's user auth.get_user() may take instead of querying it again:
# set only while auth.get_user() runs (see AuthenticationMiddleware).
signing_in_from = ContextVar("signing_in_from", default=None)


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, except that request.user costs no query of its own: the session's row came with
    its user (accounts.sessions), and while auth.get_user() runs (which checks the session's
    hash and the backend as always), UserManager.get(pk=...) answers with that user."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))


def get_user(request):
    if not hasattr(request, "_cached_user"):
        token = signing_in_from.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            signing_in_from.reset(token)
    return request._cached_user


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in person hold personal data: no browser or proxy may keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
