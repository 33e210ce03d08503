"""staysite settings: every knob is an environment variable with a safe development default.

README.md lists them all. Production runs with DJANGO_DEBUG=false, a real DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS and a PostgreSQL DATABASE_URL.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is false.")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# How often the dashboard's table refreshes itself, in seconds (tests make it short).
STAYSITE_DASHBOARD_POLL_SECONDS = envint("STAYSITE_DASHBOARD_POLL_SECONDS", 60)
# Whether the first request of a day runs the daily run when the worker has not
# (trips/upkeep/daily.py).
STAYSITE_DAILY_RUN_IN_REQUESTS = envbool("STAYSITE_DAILY_RUN_IN_REQUESTS", True)

# Demo users (load_demo) can log in only where this is true; production refuses them.
STAYSITE_ALLOW_DEMO_LOGINS = envbool("STAYSITE_ALLOW_DEMO_LOGINS", DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    # The API (trips/api/); listed so its docs page uses the package's own static files.
    "ninja",
    "django_tasks_db",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    "trips",
]

MIDDLEWARE = [
    # A request that bypassed the reverse proxies is logged (trips/accounts/proxies.py).
    "trips.accounts.proxies.ProxyBypassMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The second factor: request.user.is_verified(), and the way to the code page for
    # whoever needs one and has not given it yet.
    "django_otp.middleware.OTPMiddleware",
    "trips.accounts.twofactor.SecondFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A new day's first request brings the data up to date if the worker has not.
    "trips.middleware.DailyRunMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "staysite.urls"
WSGI_APPLICATION = "staysite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trips.context_processors.navigation",
            ],
        },
    },
]

# SQLite under var/ by default, so that a newcomer needs nothing installed; PostgreSQL in
# production, e.g. DATABASE_URL=postgres://staysite:secret@db.example.com:5432/staysite.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'staysite.sqlite3'}",
        # A new PostgreSQL connection costs about 8 ms, more than a dashboard query: keep them open.
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Short write transactions and a busy timeout keep the dev server and the worker out of
    # each other's way.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "trips.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "trips.accounts.backends.StaysiteBackend",
    "trips.accounts.sso.OrganisationOIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "trips:home"
LOGOUT_REDIRECT_URL = "login"

# Password login: on unless every organisation signs in through single sign-on. Platform
# staff (users without an organisation) may always use their password, to reach the admin.
STAYSITE_PASSWORD_LOGIN = envbool("STAYSITE_PASSWORD_LOGIN", True)

# Single sign-on with OpenID Connect (mozilla-django-oidc): on when OIDC_RP_CLIENT_ID is set.
# The provider's endpoints are given one by one (its /.well-known/openid-configuration lists
# them). trips/accounts/sso.py matches users by email within the organisation their domain maps to.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = envint("OIDC_TIMEOUT_SECONDS", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
if OIDC_RP_CLIENT_ID:
    missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if missing:
        raise ImproperlyConfigured(f"Single sign-on needs {', '.join(missing)} as well.")
# "example.com=Example GmbH;example.kz=Example Kazakhstan LLP": an email domain per
# organisation (by its name). Whoever's domain is not listed cannot sign in through SSO.
STAYSITE_SSO_ORGANISATIONS = os.environ.get("STAYSITE_SSO_ORGANISATIONS", "")
# The claim that carries the user's groups, and which group gives which role.
STAYSITE_SSO_ROLE_CLAIM = os.environ.get("STAYSITE_SSO_ROLE_CLAIM", "groups")
STAYSITE_SSO_ROLES = os.environ.get(
    "STAYSITE_SSO_ROLES",
    "staysite-compliance=compliance;staysite-hr=hr;staysite-traveller=traveller",
)

# Two-factor login (django-otp): the issuer name authenticator apps show next to the code.
OTP_TOTP_ISSUER = os.environ.get("STAYSITE_OTP_ISSUER", "staysite")

# Behind a reverse proxy REMOTE_ADDR is the proxy's address. With the number of proxies in
# front of staysite given here, the client's address is taken from X-Forwarded-For instead
# (the entry that many places from its right end, which the nearest trusted proxy wrote).
STAYSITE_TRUSTED_PROXIES = envint("STAYSITE_TRUSTED_PROXIES", 0)
# The addresses X-Forwarded-For is believed from (comma-separated networks); empty: loopback
# and the private networks. `check --deploy` asks for the proxy's own addresses.
STAYSITE_TRUSTED_PROXY_NETWORKS = os.environ.get("STAYSITE_TRUSTED_PROXY_NETWORKS", "")

# Login throttling (django-axes): lock a username from one client address after repeated
# failures, so that an attacker elsewhere cannot lock the user out.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And per username from anywhere (trips/accounts/login_throttle.py): past this many failures
# within the cool-off time, each further try waits a pause that doubles, up to the maximum.
STAYSITE_LOGIN_FAILURES_PER_USERNAME = envint("STAYSITE_LOGIN_FAILURES_PER_USERNAME", 20)
STAYSITE_LOGIN_MAX_PAUSE_SECONDS = envint("STAYSITE_LOGIN_MAX_PAUSE_SECONDS", 300)
AXES_CLIENT_IP_CALLABLE = "trips.accounts.proxies.client_address"
AXES_WHITELIST_CALLABLE = "trips.accounts.sso.exempt_from_lockout"
# Password reset requests allowed per hour, per client address and per email address.
STAYSITE_PASSWORD_RESETS_PER_ADDRESS = envint("STAYSITE_PASSWORD_RESETS_PER_ADDRESS", 10)
STAYSITE_PASSWORD_RESETS_PER_EMAIL = envint("STAYSITE_PASSWORD_RESETS_PER_EMAIL", 3)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language (staysite/formats/): English reads "4 Mar 2026", Russian
# "2 декабря 2026" (without Django's "г.", which would end a sentence twice).
FORMAT_MODULE_PATH = ["staysite.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Proof attached to trips, visas and notifications, served only through an access-checked
    # view. Any django-storages back end by setting, e.g.
    # STAYSITE_EVIDENCE_STORAGE=storages.backends.s3.S3Storage with its OPTIONS as JSON.
    "evidence": {
        "BACKEND": os.environ.get(
            "STAYSITE_EVIDENCE_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(
            os.environ.get(
                "STAYSITE_EVIDENCE_STORAGE_OPTIONS",
                json.dumps({"location": str(BASE_DIR / "var" / "evidence")}),
            )
        ),
    },
    "staticfiles": {
        # Hashed, compressed files in production; plain files in development and tests,
        # where collectstatic has not run (manifest storage fails without its manifest).
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# Proof files: at most this many bytes, and images of at most this many pixels (checked from
# the header, before anything is decoded).
STAYSITE_EVIDENCE_MAX_BYTES = envint("STAYSITE_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
STAYSITE_EVIDENCE_MAX_PIXELS = envint("STAYSITE_EVIDENCE_MAX_PIXELS", 50_000_000)
# Uploaded import files are read in memory, never stored in a web-served place.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
STAYSITE_IMPORT_MAX_BYTES = envint("STAYSITE_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
# Trip imports: rows per file (a larger file is refused, not cut).
STAYSITE_IMPORT_MAX_ROWS = envint("STAYSITE_IMPORT_MAX_ROWS", 10_000)

# Background tasks: the daily alert run is a task, queued in the database and run by
# `manage.py db_worker` (django-tasks-db).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# How many more workers the daily run asks to share its chunks (each a `db_worker`, on this
# machine or another); 0: the worker that runs it does every chunk itself.
STAYSITE_REFRESH_HELPERS = envint("STAYSITE_REFRESH_HELPERS", 0)

# Email (Django 6.1 mailers): the console in development, SMTP in production.
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": {}}}
if EMAIL_BACKEND_PATH == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": envint("EMAIL_PORT", 25),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": envbool("EMAIL_USE_TLS", False),
        # Seconds before a hanging SMTP server fails the send (it is retried by the worker).
        "timeout": envint("EMAIL_TIMEOUT", 10),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "staysite <staysite@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in emails (alerts, digests, password resets) and calendar events point: the
# address people open staysite at. Never taken from a request in production, whose Host header
# (and its port) a client chooses. Unset in production: https:// and the first allowed host.
# Unset in development: a password reset links to the address its request came to, and the
# worker's emails to make run's address.
STAYSITE_BASE_URL = os.environ.get("STAYSITE_BASE_URL", "").rstrip("/")
STAYSITE_LINKS_FROM_REQUEST = DEBUG and not STAYSITE_BASE_URL
if not STAYSITE_BASE_URL and DEBUG:
    STAYSITE_BASE_URL = "http://127.0.0.1:8000"
elif not STAYSITE_BASE_URL:
    first_host = ALLOWED_HOSTS[0] if ALLOWED_HOSTS else ""
    if not first_host or first_host.startswith(".") or "*" in first_host:
        raise ImproperlyConfigured(
            "Set STAYSITE_BASE_URL (e.g. https://staysite.example.com): the first of "
            "DJANGO_ALLOWED_HOSTS is not one host name to build links in emails from."
        )
    STAYSITE_BASE_URL = f"https://{first_host}"

# The API (trips/api/): requests per minute per token, and the largest request body accepted.
STAYSITE_API_RATE_LIMIT = envint("STAYSITE_API_RATE_LIMIT", 120)
STAYSITE_API_MAX_BODY_BYTES = envint("STAYSITE_API_MAX_BODY_BYTES", 256 * 1024)
# Webhooks (docs/api.md): the first retry after this many seconds, doubling each time, for a
# day; an endpoint failing this many attempts in a row is disabled. Endpoints on loopback
# addresses are refused unless allowed (tests only: a receiver on this machine).
STAYSITE_WEBHOOK_RETRY_SECONDS = envint("STAYSITE_WEBHOOK_RETRY_SECONDS", 30)
STAYSITE_WEBHOOK_DISABLE_AFTER = envint("STAYSITE_WEBHOOK_DISABLE_AFTER", 20)
STAYSITE_WEBHOOK_ALLOW_LOOPBACK = envbool("STAYSITE_WEBHOOK_ALLOW_LOOPBACK", False)
# The cache (the dashboard's fragments) and the API's request counts are shared by every
# process (gunicorn workers, several servers): in the database by default (a migration
# creates the cache's table), so that app servers keep no state; in Redis where REDIS_URL is
# set (redis://HOST:6379/0), which also counts API requests with its atomic INCR.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "staysite_cache",
    },
}

# Content Security Policy (Django 6): our own files only, no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# App servers keep nothing of their own, so that any of several can answer any request
# (docs/performance.md, "Past one machine"): sessions live in the database (Django's database
# engine, its read written out in SQL: trips/accounts/sessions.py), and so does the cache
# (CACHES above).
SESSION_ENGINE = "trips.accounts.sessions"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # False only to try production settings over plain http on one's own machine (make serve).
    SESSION_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Errors reach a person: every ADMINS address gets an email for each server error (500) in
# production, and the console (the service's log) gets everything at LOG_LEVEL and above.
ADMINS = envlist("DJANGO_ADMINS", "")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's default for its logger, whose console handler is silent unless
        # DEBUG is on: production needs the errors in its log too.
        "django": {"handlers": ["console", "mail_admins"], "level": LOG_LEVEL, "propagate": False},
    },
}
