"""System checks for configurations that run but quietly do the wrong thing in production.

They only speak when DEBUG is off, so `make run` stays quiet, and they are warnings so that
`manage.py check --deploy --fail-level WARNING` turns them into a failed deployment.
"""

from django.conf import settings
from django.core import checks

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "notifications.console.SummaryConsoleBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}


NO_REDIS = checks.Warning(
    "REDIS_URL is not set: Celery tasks, including outgoing email, run inline in the web process.",
    hint="Set REDIS_URL=redis://host:6379/0 and run a worker and beat (make worker).",
    id="kd.W001",
)
NO_EMAIL = checks.Warning(
    "EMAIL_URL is unset or names a backend that does not deliver mail (console, file, memory, "
    "dummy): nobody receives verification or password-reset emails.",
    hint="Set EMAIL_URL=smtp+tls://user:password@mail.example.org:587.",
    id="kd.W002",
)
SITE_URL_NOT_HTTPS = checks.Warning(
    "SITE_URL does not start with https://: links in emails would send people to plain HTTP.",
    hint="Set SITE_URL to the public https:// address of the site.",
    id="kd.W003",
)
LOCAL_HOSTS_ONLY = checks.Warning(
    "ALLOWED_HOSTS holds only local addresses: requests for the public host name get 400.",
    hint="Set ALLOWED_HOSTS to the public host name(s), comma separated.",
    id="kd.W004",
)


@checks.register(checks.Tags.security)
def check_production_services(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    return [
        warning
        for failed, warning in (
            (not settings.REDIS_URL, NO_REDIS),
            (settings.EMAIL_BACKEND in UNDELIVERED_EMAIL_BACKENDS, NO_EMAIL),
            (not settings.SITE_URL.startswith("https://"), SITE_URL_NOT_HTTPS),
            (set(settings.ALLOWED_HOSTS) <= LOCAL_HOSTS, LOCAL_HOSTS_ONLY),
        )
        if failed
    ]
