"""Settings shared by every environment. Everything a deployment changes comes from the environment."""

import ipaddress
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The site's own templates, static files and translations: top-level folders in a checkout; an
# installed wheel (pip install .) carries them inside the config package (see setup.py).
SITE_DIR = (
    BASE_DIR if (BASE_DIR / "templates" / "base.html").is_file() else Path(__file__).resolve().parent.parent
)

SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-only-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The center's own name and contact, shown in the footer, in e-mails and in reports.
CENTER_NAME = env_str("CENTER_NAME", "みらい市 市民協働支援センター")
CENTER_ADDRESS = env_str("CENTER_ADDRESS", "〒100-0001 みらい市本町1-2-3 市民活動プラザ2階")
CENTER_PHONE = env_str("CENTER_PHONE", "000-123-4567")
CENTER_EMAIL = env_str("CENTER_EMAIL", "center@example.jp")
CENTER_HOURS = env_str("CENTER_HOURS", "9時〜21時（月曜・年末年始休館）")
# The city the center belongs to: its name and website, linked from every page's footer.
CITY_NAME = env_str("CITY_NAME", "みらい市")
CITY_URL = env_str("CITY_URL", "https://www.city.example.jp/")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Reverse proxies in front of the app (core/net.py): how many append to X-Forwarded-For, and
# optionally the networks they send from. 0 (the default) means REMOTE_ADDR is the client, so a
# forged header changes nothing. docker compose with one nginx in front: 1.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXY_NETWORKS = env_list("TRUSTED_PROXY_NETWORKS", [])
try:
    [ipaddress.ip_network(network, strict=False) for network in TRUSTED_PROXY_NETWORKS]
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_NETWORKS: {exc}") from exc
# allauth's rate limits count per client with the same rule (the adapter also asks core.net).
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Project apps, in dependency order: seed_demo and bench walk them in this order.
PROJECT_APPS = [
    "core",
    "groups",
    "matching",
    "events",
    "projects",
    "consultations",
    "spaces",
    "info",
    "reports",
    "ops",
]

INSTALLED_APPS = [
    "core.admin_site.KyodoAdminConfig",  # django.contrib.admin with the portal's site (core/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "csp",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.MalformedRequestMiddleware",
    "core.middleware.PrivacyHeadersMiddleware",
    "core.middleware.StaffSessionLifetimeMiddleware",
    "core.middleware.RequireStaffMfaMiddleware",
    "core.middleware.RefusedAccessLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.center",
            ],
            "builtins": ["core.templatetags.kyodo"],
        },
    }
]
# Form widgets render through the template engine, so templates/django/forms can restyle them;
# a required field left empty names itself in its message (core.forms.NamedRequiredBoundField).
FORM_RENDERER = "core.forms.PortalFormRenderer"

# --- Database -------------------------------------------------------------------------------
# SQLite by default; DATABASE_URL=postgres://user@host:5432/name for PostgreSQL. Connections are
# kept (CONN_MAX_AGE) and checked before reuse, so a database restart costs no request once it
# is back: opening a connection per request cost 5x the throughput on this machine.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Cache (rate limits are counted here: shared by all processes when Redis is configured) ---
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions are read from the cache (and written to both), so a signed-in page costs no query for
# its session; only with a cache every process shares: a per-process copy would keep a session
# that another process ended (logout, deactivation end them through the session engine).
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if REDIS_URL else 'db'}"

# --- Accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
# allauth's backend is Django's ModelBackend (model permissions included) that logs in by e-mail;
# listing ModelBackend as well made every failed login hash the password twice (two PBKDF2 runs,
# the costliest thing an anonymous client can make the server do).
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # allauth's backend, loading the person's roles in the same query as the person.
    "core.backends.AuthenticationBackend",
]
# One validator with Django's four rules (similar to the person, at least 10 characters, not a
# common password, not digits only): the pages say them in one sentence (core/passwords.py).
AUTH_PASSWORD_VALIDATORS = [{"NAME": "core.passwords.PasswordRulesValidator", "OPTIONS": {"min_length": 10}}]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:mypage"
ACCOUNT_LOGOUT_REDIRECT_URL = "core:home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# 氏名 and ふりがな are asked at sign-up too (core.profile_forms.SignupForm), before the e-mail address.
ACCOUNT_SIGNUP_FORM_CLASS = "core.profile_forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{CENTER_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("HTTPS", False) else "http"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_ADAPTER = "core.adapters.AccountAdapter"
# The login page writes 「パスワードをお忘れですか？」 after the password field (tab order).
ACCOUNT_FORMS = {"login": "core.account_forms.LoginForm"}
# Password changes, e-mail changes and MFA enrolment are mailed to the person (through the outbox).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# The admin's own login page is replaced by allauth's, so rate limits and MFA apply to it too.
ACCOUNT_SECURE_ADMIN_LOGIN = True  # read by core.admin_site (see config/urls.py)
# Sessions are listed per person (allauth.usersessions), so logout and deactivation can end all.
USERSESSIONS_TRACK_ACTIVITY = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = CENTER_NAME
# In production, staff and city officials must have TOTP (they handle citizens' personal data).
KYODO_REQUIRE_MFA_FOR_STAFF = env_bool("REQUIRE_MFA_FOR_STAFF", False)
# Staff and officials: idle and absolute session lifetimes, in seconds.
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
STAFF_SESSION_ABSOLUTE_SECONDS = env_int("STAFF_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語"))]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [SITE_DIR / "locale"]
# The portal's own date and time formats (a date and a time: 2026年12月5日 15:56), before Django's.
FORMAT_MODULE_PATH = ["core.formats"]

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Files that only some people may read (attachments, reports) never go under MEDIA_URL:
# they are served through views that check permission.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
BACKUP_ROOT = Path(env_str("BACKUP_ROOT", str(BASE_DIR / "var" / "backups")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "core.uploads.BoundedUploadHandler",  # refuses past UPLOAD_MAX_BYTES while streaming
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{CENTER_NAME} <noreply@example.jp>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------------
# With REDIS_URL, tasks go to a worker through Redis. Without it, they run in-process, so
# `make run` needs neither Redis nor a worker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TRACK_STARTED = True
# Long tasks (reports): acknowledge after the work, give the task back when the worker dies,
# and take one at a time. The visibility timeout is longer than the longest report.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Four queues, each served by its own workers in production (docker-compose.yml), so that work
# of one kind never waits behind another: "mail" is e-mail a person waits for (account mail,
# confirmations; one message per task), "bulk" is newsletters and digests (many messages per
# task), "reports" is the long PDF renders, "default" everything else (reminders, sweeps).
CELERY_TASK_DEFAULT_QUEUE = "default"
TASK_QUEUE_NAMES = ("default", "mail", "bulk", "reports")
# A worker started without -Q serves them all (`make worker`).
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in TASK_QUEUE_NAMES]
CELERY_TASK_ROUTES = {
    "core.outbox_send_pending": {"queue": "mail"},
    "core.outbox_send": {"queue": "mail"},
    "core.outbox_send_batch": {"queue": "bulk"},
    "info.send_newsletter": {"queue": "bulk"},
    "info.send_digests": {"queue": "bulk"},
    "reports.render_report": {"queue": "reports"},
}

# --- Content Security Policy: no inline script, no third party --------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Security headers that hold everywhere -----------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False
# A refused form post gets a Japanese page in the site's layout (Django's own is English).
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"

# --- Logging: errors with tracebacks reach the process log ---------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LOG_FORMAT", "text")  # "json" in production: one JSON object per line
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "core.logging.RequestContextFilter"},
        "expected_refusal": {"()": "core.logging.ExpectedRefusalFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
            "filters": ["expected_refusal"],
        },
        "kyodo": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "celery": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Application settings -------------------------------------------------------------------------
PAGINATE_BY = 20
# URLs typed without a scheme become https:// (the Django 6 default).
FORMS_URLFIELD_ASSUME_HTTPS = True
# The outcome report task's time limit in seconds; the sweeper waits this plus 5 minutes before it
# re-queues a report left 作成中.
REPORT_TIME_LIMIT = env_int("REPORT_TIME_LIMIT", 20 * 60)
# Consultations older than this many years have their personal fields anonymised.
CONSULTATION_RETENTION_YEARS = env_int("CONSULTATION_RETENTION_YEARS", 5)
# On PostgreSQL a page view's line in the consultation access log is committed without waiting for
# the disk (it reaches it within a second); true makes every line wait, like changes and exports do.
CONSULTATION_VIEW_LOG_DURABLE = env_bool("CONSULTATION_VIEW_LOG_DURABLE", False)
# Anonymous visitors get the home page and the group directory from the cache for at most this
# many seconds (core/pagecache.py; a change to what they show clears them at once). 0 turns it off.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 60)
# Newsletter addresses unsubscribed or never confirmed are deleted after this many days (APPI).
NEWSLETTER_RETENTION_DAYS = env_int("NEWSLETTER_RETENTION_DAYS", 90)
# Where the browser tests write axe-core's results; the accessibility page reads them.
A11Y_RESULTS_PATH = Path(env_str("A11Y_RESULTS_PATH", str(BASE_DIR / "var" / "a11y" / "axe-results.json")))
