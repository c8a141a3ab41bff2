"""Settings for Knowledge Donors, configured only by environment variables.

Every variable is documented in `.env.example`. Defaults are safe for a laptop: SQLite under
`var/`, Celery tasks inline, email printed to the console, and DEBUG *off* unless asked for.
"""

from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_str
from config.static_headers import add_headers

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)
# Required when DEBUG is off. Left empty, Django refuses the moment anything signs or reads it
# (sessions, CSRF, password reset), and config/wsgi.py refuses to start a server; commands that
# sign nothing (makemigrations --check, collectstatic) still run on a clean checkout.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

SITE_NAME = env_str("SITE_NAME", "Knowledge Donors")
PORT = env_int("PORT", 8000)
SITE_URL = env_str("SITE_URL", f"http://localhost:{PORT}").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ("localhost", "127.0.0.1", "[::1]"))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts",
    "donors",
    "fights",
    "matching",
    "notifications",
    "trainings",
    "config.apps.AdminConfig",  # django.contrib.admin, with config.admin.AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_filters",
    "template_partials",
    "allauth",
    "allauth.account",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",  # Django's, the user with the session
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
            # {% url %} remembering names without arguments (see config/urltag.py).
            "builtins": ["config.urltag"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=0 if DEBUG else env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compiling: it pays off for long analytic queries, not a web app's. Ranking a large
    # pool crosses its cost threshold and then spends ~0.4 s compiling a 0.2 s query.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The profile's query is prepared once per connection (config.onequery.Compiled); a transaction
# pooler such as PgBouncer hands each transaction another connection: turn it off there.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)

# Rate limits and anything else cached live in the database, so sign-up keeps working when
# Redis is down. The table is created by accounts' migration 0002, not by hand.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kd_cache",
    }
}

# --- Accounts and allauth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_ENGINE = "accounts.sessions"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"

ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Every allauth form in the site's words (accounts.forms.SiteVoice).
ACCOUNT_FORMS.update(
    {
        name: f"accounts.forms.{form}"
        for name, form in {
            "login": "LoginForm",
            "reset_password": "ResetPasswordForm",
            "reset_password_from_key": "ResetPasswordKeyForm",
            "change_password": "ChangePasswordForm",
            "set_password": "SetPasswordForm",
            "reauthenticate": "ReauthenticateForm",
            "add_email": "AddEmailForm",
        }.items()
    }
)
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"  # account mail goes through the outbox
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # mail scanners prefetch links; a button confirms
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True  # one address; the new one replaces the old once verified
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tells the old address about a change
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"

# --- Email ----------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL", "console://")
_email = dj_email_url.parse(EMAIL_URL)
# Console mail is printed as To, Subject and links (notifications/console.py); the whole message
# with EMAIL_CONSOLE_FULL=true.
EMAIL_CONSOLE_FULL = env_bool("EMAIL_CONSOLE_FULL", False)
if EMAIL_URL.startswith("console:") and not EMAIL_CONSOLE_FULL:
    _email["EMAIL_BACKEND"] = "notifications.console.SummaryConsoleBackend"
vars().update(_email)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where organizers write back to staff, e.g. to answer a rejection: set as Reply-To on that mail.
STAFF_CONTACT_EMAIL = env_str("STAFF_CONTACT_EMAIL", f"{SITE_NAME} staff <staff@localhost>")
# The address the contact page (/contact/) gives for help and safety concerns: a bare address.
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "support@localhost")

# --- Notifications (the outbox; see notifications/services.py) ----------------------------
# Seconds unless named otherwise. Tests and the integration workers shorten them through env.
NOTIFICATIONS_SWEEP_INTERVAL = env_float("NOTIFICATIONS_SWEEP_INTERVAL", 30)
NOTIFICATIONS_SWEEP_BATCH = env_int("NOTIFICATIONS_SWEEP_BATCH", 500)
NOTIFICATIONS_REQUEUE_AFTER = env_float("NOTIFICATIONS_REQUEUE_AFTER", 60)
# After a failed publish, a process leaves the broker alone this long (the sweep catches up).
NOTIFICATIONS_BROKER_RETRY_AFTER = env_float("NOTIFICATIONS_BROKER_RETRY_AFTER", 10)
# Above the task hard time limit, which is above the SMTP timeout: a claim older than this
# belongs to a worker that died.
NOTIFICATIONS_TASK_TIME_LIMIT = env_int("NOTIFICATIONS_TASK_TIME_LIMIT", 90)
NOTIFICATIONS_SENDING_TIMEOUT = env_float("NOTIFICATIONS_SENDING_TIMEOUT", 120)
NOTIFICATIONS_RETRY_BASE = env_float("NOTIFICATIONS_RETRY_BASE", 60)
NOTIFICATIONS_RETRY_CAP = env_float("NOTIFICATIONS_RETRY_CAP", 3600)
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 8)
NOTIFICATIONS_RETENTION_DAYS = env_int("NOTIFICATIONS_RETENTION_DAYS", 30)
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        "task": "notifications.sweep_outbox",
        "schedule": NOTIFICATIONS_SWEEP_INTERVAL,
    },
    "notifications-purge": {"task": "notifications.purge_outbox", "schedule": 24 * 60 * 60},
}

# --- Matching (see matching/scoring.py and matching/services.py) ---------------------------
# How long a volunteer has to answer a proposal, normally and when the request is critical.
MATCHING_ANSWER_HOURS = env_int("MATCHING_ANSWER_HOURS", 48)
MATCHING_CRITICAL_ANSWER_HOURS = env_int("MATCHING_CRITICAL_ANSWER_HOURS", 12)
# The ask budget: open proposals a volunteer may have at once, and rest days after a decline.
MATCHING_MAX_OPEN_PROPOSALS = env_int("MATCHING_MAX_OPEN_PROPOSALS", 3)
MATCHING_DECLINE_COOLDOWN_DAYS = env_int("MATCHING_DECLINE_COOLDOWN_DAYS", 14)
# Matches started this recently count against a volunteer in the fairness term.
MATCHING_RECENT_DAYS = env_int("MATCHING_RECENT_DAYS", 30)
# How often (seconds) Celery beat expires proposals past their answer deadline.
MATCHING_EXPIRE_INTERVAL = env_float("MATCHING_EXPIRE_INTERVAL", 300)
CELERY_BEAT_SCHEDULE["matching-expire"] = {
    "task": "matching.expire_matches",
    "schedule": MATCHING_EXPIRE_INTERVAL,
}
# How long (seconds) the skills' rarity in the pool (what weighs them) is kept in the cache;
# beat counts it again at half that, so rankings find it counted.
MATCHING_RARITY_SECONDS = env_int("MATCHING_RARITY_SECONDS", 300)
CELERY_BEAT_SCHEDULE["matching-rarity"] = {
    "task": "matching.refresh_rarity",
    "schedule": max(MATCHING_RARITY_SECONDS / 2, 1),
}
# Ranking first tries narrower sets of donors (see matching/scoring.py `_narrowed`), each only when
# it has at most this many members (past that, ranking it costs as much as ranking the pool),
# and ranks at most MATCHING_NARROW_TRIES sets of donors able to reach a score (two queries each).
MATCHING_NARROW_MAX = env_int("MATCHING_NARROW_MAX", 5000)
MATCHING_NARROW_TRIES = env_int("MATCHING_NARROW_TRIES", 3)

# --- Trainings (see trainings/services.py) --------------------------------------------------
# How long someone offered a freed seat has to claim it; shorter when the training is close.
TRAININGS_OFFER_HOURS = env_int("TRAININGS_OFFER_HOURS", 48)
TRAININGS_SHORT_OFFER_HOURS = env_int("TRAININGS_SHORT_OFFER_HOURS", 12)
TRAININGS_SHORT_OFFER_WITHIN_HOURS = env_int("TRAININGS_SHORT_OFFER_WITHIN_HOURS", 72)
# How often (seconds) Celery beat passes unclaimed offers on, sends reminders and feedback asks.
TRAININGS_BEAT_INTERVAL = env_float("TRAININGS_BEAT_INTERVAL", 300)
CELERY_BEAT_SCHEDULE["trainings-expire-offers"] = {
    "task": "trainings.expire_offers",
    "schedule": TRAININGS_BEAT_INTERVAL,
}
CELERY_BEAT_SCHEDULE["trainings-reminders"] = {
    "task": "trainings.send_reminders",
    "schedule": TRAININGS_BEAT_INTERVAL,
}

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a host named: kombu warns without one
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # no broker: tasks run inline, in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A broker message is only a wake-up for a stored outbox row (the sweep re-sends lost ones), so
# publishing makes ONE short attempt and gives up: a web request must never wait on Redis.
# Measured on a private Redis: refused connection ~3 ms, frozen (SIGSTOP) ~0.5 s, then an error
# that notifications.services.enqueue logs. Without these a frozen Redis hung publishing forever
# and a refused one cost 2 s of kombu's reconnect retries.
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 0.5)
BROKER_SOCKET_TIMEOUT = env_float("CELERY_BROKER_SOCKET_TIMEOUT", 0.5)
CELERY_TASK_PUBLISH_RETRY = False
# An unacknowledged message goes back to the queue after this long, so it must outlast the
# longest task (the hard time limit) or a slow task would run twice. Read from settings, it is
# the same on every worker.
BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    # Sub-second socket timeouts are safe for the worker too: kombu sends BRPOP with a 1 s
    # server-side timeout and reads the reply only once the socket is readable.
    "socket_timeout": BROKER_SOCKET_TIMEOUT,
    "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
    # kombu otherwise retries a failed publishing connection (2 s apart) before raising.
    # The worker's consuming connection ignores this and retries per the settings below.
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits out a Redis restart, however long
# Delivery holds across crashes: acknowledge after the task ran, re-queue when a pool child
# dies, and reserve one message per child, so a crash strands at most one message each.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A delivery running when the broker connection drops finishes (its row records the outcome);
# cancelling it could kill it between SMTP accepting the mail and the row being marked sent.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# The soft limit raises inside the task, so deliver() can still put its row back for a retry.
CELERY_TASK_TIME_LIMIT = NOTIFICATIONS_TASK_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = NOTIFICATIONS_TASK_TIME_LIMIT * 0.9
CELERY_TASK_IGNORE_RESULT = True  # and no result backend: nothing waits for a task's return value
if BROKER_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_BROKER_VISIBILITY_TIMEOUT must be longer than NOTIFICATIONS_TASK_TIME_LIMIT, "
        "or a message still being worked on is handed to a second worker."
    )

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In development whitenoise serves straight from static/ (no collectstatic step); in production
# it serves the collected STATIC_ROOT, scanned once at start-up rather than on every request.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Static files get security headers of their own (they bypass the CSP middleware).
WHITENOISE_ADD_HEADERS_FUNCTION = add_headers

# --- Security -------------------------------------------------------------------------------
# One Content-Security-Policy in every mode, so nothing inline can creep in unnoticed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto, set TRUST_X_FORWARDED_PROTO=true.
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a promise about every subdomain that takes months to undo, so it is the
    # domain owner's opt-in, not a default; Django's reminder about it (W021) is silenced.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging --------------------------------------------------------------------------------
# A bad Host header, too many form fields and an oversized body are the client's 400s, which
# Django's security loggers report at ERROR; they are logged at WARNING (config/log_filters.py).
CLIENT_ERROR_LOGGERS = ("DisallowedHost", "TooManyFieldsSent", "RequestDataTooBig")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_error": {"()": "config.log_filters.ClientErrorAsWarning"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        f"django.security.{name}": {"filters": ["client_error"]} for name in CLIENT_ERROR_LOGGERS
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
