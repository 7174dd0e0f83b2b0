"""Donation Hub settings: every value comes from the environment (see .env.example).

With nothing set, the hub runs for a laptop demo: SQLite, no Redis, tasks in-process.
Production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

from pathlib import Path
from typing import Any

import django.conf.locale
import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django.utils.translation import to_language

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for a local demo).")
    SECRET_KEY = "insecure-local-demo-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The hub's public address, for links in alert e-mails and webhooks.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Webhooks go to public addresses only, unless the chat tool is on the hub's own network.
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "hub",
    "hub.intake",  # no models: its AppConfig connects the dropoff table's cache
    "inventory",
    "deliveries",
    "network",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the session cookie or the request's data.
    "hub.control_characters.ControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "hub.languages.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the login form: an enrolled tablet's visitor goes to its switch screen.
    "hub.tablet_sessions.TabletSessionMiddleware",
    "hub.middleware.LoginRequiredMiddleware",
    "hub.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hub.middleware.HtmxMessagesMiddleware",
    # Last, so that a lockout response is not wrapped by anything above.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "overview.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Postgres prepares the statements hub.sql.cursor() runs (a dropoff's, under its locks)
    # and no others: Django's own cursors bind on the client and are never prepared, and
    # psycopg leaves preparing off altogether while this is None (Django's default).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several demo tablets at once: wait for the write lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Tablets at one table share an IP address: lock out a username from an address, not the
# address itself, so one volunteer's typos never lock out the others.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during the cool-off do not start it again: else anyone at the table could keep a
# volunteer locked out for ever. A coordinator can also unlock them (the People page).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en"
# The languages of the neighbourhood the first hub served (Los Angeles), and Hindi, in which
# mutual-aid calls circulate. Each has its catalogue in locale/<code>/ (README: Translating).
LANGUAGES: list[tuple[str, Any]] = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("hi", _("Hindi")),
    ("ko", _("Korean")),
    ("zh-hans", _("Simplified Chinese")),
    ("tl", _("Tagalog")),
    ("vi", _("Vietnamese")),
    ("fa", _("Persian")),
]
# Django has no Tagalog: its name and direction for the language buttons and <html dir>, and
# Django's own messages (form errors) in Tagalog in locale_django/.
EXTRA_LANG_INFO = {
    "tl": {"bidi": False, "code": "tl", "name": "Tagalog", "name_local": "Tagalog"},
}
# The label of each language's button in the header, short enough for all of them to sit in
# one row on a tablet: the code where the language is written in Latin letters, the name
# itself in its own script otherwise (a reader of Hindi may not read "HI").
LANGUAGE_SHORT_NAMES = {
    "en": "EN",
    "es": "ES",
    "hi": "हिंदी",
    "ko": "한국어",
    "zh-hans": "中文",
    "tl": "TL",
    "vi": "VI",
    "fa": "فارسی",
}
django.conf.locale.LANG_INFO = {**django.conf.locale.LANG_INFO, **EXTRA_LANG_INFO}
django.conf.locale.LANG_INFO.update(
    {
        code: {**django.conf.locale.LANG_INFO[code], "name_short": short}
        for code, short in LANGUAGE_SHORT_NAMES.items()
    }
)


def _languages_added() -> list[tuple[str, Any]]:
    """A language a translator added with `make language CODE=..` (locale/<code>/ with its
    catalogue) joins the menu without a change here, named as Django knows it."""
    known = {code for code, _name in LANGUAGES}
    found = sorted(path.parent.parent.name for path in BASE_DIR.glob("locale/*/LC_MESSAGES/*.po"))
    added = [to_language(name) for name in found if to_language(name) not in known]
    info = django.conf.locale.LANG_INFO
    return [(code, info[code]["name"]) for code in added if "name" in info.get(code, {})]


LANGUAGES += _languages_added()
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_django"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Los_Angeles")
USE_I18N = True
USE_TZ = True

# How often the coordinators' dashboard reads its figures again, in seconds.
DASHBOARD_REFRESH_SECONDS = env.int("DASHBOARD_REFRESH_SECONDS", default=30)

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        # Sessions (hub.sessions): every request reads one, and the database has them all, so
        # a Redis that does not answer at once is given up on sooner.
        "sessions": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# With Redis, a request reads its session there (hub.sessions). Without it (the laptop demo)
# sessions stay in the database alone: a cache in one process's memory would keep a session
# another process has since changed or ended.
SESSION_ENGINE = "hub.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_CACHE_ALIAS = "sessions" if REDIS_URL else "default"

# Celery: with no REDIS_URL the demo runs every task in-process, so alerts still fire.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A web request never waits more than about a second on a dead broker.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
    "max_retries": 0,
}
CELERY_TIMEZONE = TIME_ZONE
# Each expires before the next is due, so sweeps don't pile up while the workers are down.
CELERY_BEAT_SCHEDULE = {
    "alerts-sweep": {
        "task": "inventory.tasks.alerts_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "intake-reopen-due": {
        "task": "hub.tasks.intake_reopen_due",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Hourly: batches that expire within each hub's days, each alerted once.
    "stock-alerts-sweep": {
        "task": "inventory.tasks.stock_alerts_sweep",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    # Nightly, when the tables are quiet: every balance against the sum of its ledger.
    "stock-ledger-check": {
        "task": "inventory.tasks.stock_ledger_check",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 6 * 3600},
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="donation-hub@localhost")
# A failed alert channel is tried again after this long, then twice as long each time.
ALERT_FIRST_RETRY_SECONDS = env.int("ALERT_FIRST_RETRY_SECONDS", default=10)
# A hung mail server must not hold a worker: the alert's e-mail is then retried later.
EMAIL_TIMEOUT = 10

# Scripts come only from this site; htmx is configured (base.html) to need no eval and no
# injected styles, so neither scripts nor styles need 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No script reads these: htmx gets the CSRF token from the page (base.html), not the cookie.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Load balancers and the compose healthcheck probe over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = False
# W021 asks for HSTS preloading, a one-way commitment for a whole domain that a hub's operator
# makes on purpose, not a default; every other deployment check passes.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The laptop demo's SQLite builds the ledger's covering index without its extra columns
    # (StockMovement.Meta), which only speed up PostgreSQL's plans on a large ledger.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Behind the proxy every request comes from its address: take the client's from the
    # header the proxy appends, or the login lockout would act on username alone.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
