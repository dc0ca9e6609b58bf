"""Settings for the quality-award system: one module, driven by the environment.

Every value a deployment changes comes from an environment variable; the defaults
give the embedded single-machine setup (SQLite under var/, console e-mail,
in-process tasks) so that `scripts/demo.sh` works on a fresh machine.
"""
from __future__ import annotations

from datetime import timedelta
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", "")
# Code-generation commands never touch a secret, so they may run without one.
_KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "makemessages", "compilemessages", "spectacular"}
_keyless = len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" and sys.argv[1] in _KEYLESS_COMMANDS
if not SECRET_KEY:
    if not (DEBUG or _keyless):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for a development default)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789"
# Key for encrypting personal ID numbers at rest; falls back to SECRET_KEY.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", SECRET_KEY)
# Cryptography suite (nominations/crypto.py): "international" (SHA-256, HMAC-SHA256,
# AES-256-GCM) or "sm" (SM3, HMAC-SM3, SM4-GCM). Switch a live database with crypto_migrate.
CRYPTO_SUITE = env_str("CRYPTO_SUITE", "international").strip().lower()
if CRYPTO_SUITE not in {"international", "sm"}:
    raise ImproperlyConfigured(f"CRYPTO_SUITE must be 'international' or 'sm', not {CRYPTO_SUITE!r}.")
# Key of the audit chain and its checkpoints; never stored in the database, and distinct
# from SECRET_KEY so that rotating one does not touch the other.
AUDIT_KEY = env_str("AUDIT_KEY", "")
if not AUDIT_KEY:
    if not (DEBUG or _keyless):
        raise ImproperlyConfigured(
            "AUDIT_KEY must be set when DEBUG is off (set DEBUG=1 for a development default)."
        )
    AUDIT_KEY = "dev-only-insecure-audit-key-do-not-use-in-production"
# Signed checkpoints of the audit chain (one JSON line each, appended): written by
# `manage.py audit_checkpoint` and automatically every AUDIT_CHECKPOINT_EVERY entries (0: off).
AUDIT_CHECKPOINT_DIR = Path(env_str("AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints")))
AUDIT_CHECKPOINT_EVERY = env_int("AUDIT_CHECKPOINT_EVERY", 100)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "accounts.apps.AwardAdminConfig",  # django.contrib.admin with the two-factor admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # API tokens with an expiry (accounts.authentication)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",  # brute-force protection, see AXES_* below
    "csp",  # Content-Security-Policy (its system checks; CONTENT_SECURITY_POLICY below)
    "django_otp",  # two factors for staff, see STAFF_OTP_REQUIRED below
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",  # sign-in: two-step login, TOTP enrolment, API tokens
    "nominations",
    "judging",
    "events",
]

MIDDLEWARE = [
    "config.middleware.ApiJsonErrorsMiddleware",  # first: every error under /api/ is JSON, never HTML
    "config.middleware.TrustedProxyMiddleware",  # REMOTE_ADDR from X-Forwarded-For behind a proxy
    "config.middleware.RequestSanityMiddleware",  # 400 for NUL in path/query, bad integers in API queries
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session passed the second step
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffOTPMiddleware",  # a staff session without the second step is signed out
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "config.middleware.PermissionsPolicyMiddleware",  # Permissions-Policy (PERMISSIONS_POLICY below)
    # Must stay LAST: turns a login flagged as locked out into the lockout page.
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
                "nominations.context_processors.roles",
            ],
        },
    },
]

# Persistent connections: a worker keeps its connection for CONN_MAX_AGE seconds (checked before
# reuse) instead of opening one per request, which costs PostgreSQL a process (~10 ms per request
# in benchmarks/autosave.py). 0 = one connection per request (e.g. behind a transaction pooler).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
# PostgreSQL: the hottest statements (token lookup, autosave) are prepared once per connection
# (config/db.py). Set 0 behind a transaction-pooling PgBouncer older than 1.21.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute-force protection (django-axes, database handler): after AXES_FAILURE_LIMIT failed
# logins for one username from one IP address, that pair is locked for AXES_COOLOFF_TIME.
# The Axes backend runs first on every authenticate() (web login, admin, API token), so a
# locked pair is refused even with the right password. Keyed on username AND IP so nobody
# can lock a judge out from elsewhere. The IP is REMOTE_ADDR: behind a reverse proxy, set
# TRUSTED_PROXY_COUNT (see MIDDLEWARE) so that it carries the client's address.
# The database handler keeps attempts and lockouts in the database, so every app server
# sees the same lockout (the cache handler would need a shared cache; not used).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.EmailBackend",  # or the e-mail address (public sign-up asks no username)
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # keep every failed login (AccessFailureLog) for review
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 403  # same status as the API token endpoint's lockout error
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp"]  # masked in the attempt records
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"  # an address counts for its account's username

# Two factors (django-otp: TOTP and backup codes; the accounts app). Secretariat, committee,
# judge and admin accounts sign in with a password and then a code from an authenticator app
# (web, admin and API token alike); wrong codes count as failed logins for django-axes.
# On by default without DEBUG; the local demo (DEBUG=1) signs in with passwords unless set to 1.
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", default=not DEBUG)
OTP_LOGIN_TIMEOUT = env_int("OTP_LOGIN_TIMEOUT", 600)  # seconds allowed between the password and the code
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "上海市政府质量奖")  # the name authenticator apps show
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin lists and deletes devices, never shows a secret or QR code
# API tokens (django-rest-knox): a new token at each sign-in, stored as a digest, with an expiry;
# all of an account's tokens die when its password changes, it is locked out or deactivated.
API_TOKEN_TTL_STAFF = timedelta(hours=env_int("API_TOKEN_TTL_STAFF_HOURS", 8))
API_TOKEN_TTL = timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 7 * 24))  # applicants, recommenders
REST_KNOX = {"TOKEN_TTL": API_TOKEN_TTL, "AUTH_HEADER_PREFIX": "Token", "AUTO_REFRESH": False}
# Public sign-up (nominations.views.auth.signup): sign-up posts per client address per hour,
# and mails per e-mail address per hour; accounts whose activation link is never used are
# deleted after UNACTIVATED_ACCOUNT_DAYS (`manage.py purge_unactivated_accounts`, also run
# by `send_due_reminders` from the cron).
SIGNUP_POSTS_PER_HOUR = env_int("SIGNUP_POSTS_PER_HOUR", 10)
SIGNUP_MAILS_PER_HOUR = env_int("SIGNUP_MAILS_PER_HOUR", 3)
UNACTIVATED_ACCOUNT_DAYS = env_int("UNACTIVATED_ACCOUNT_DAYS", 7)
if min(SIGNUP_POSTS_PER_HOUR, SIGNUP_MAILS_PER_HOUR, UNACTIVATED_ACCOUNT_DAYS) < 1:
    raise ImproperlyConfigured("SIGNUP_POSTS_PER_HOUR, SIGNUP_MAILS_PER_HOUR and UNACTIVATED_ACCOUNT_DAYS must be 1 or more.")
# Password reset by e-mail (accounts.views): the link works once, for PASSWORD_RESET_TIMEOUT
# seconds (Django's setting; sign-up activation links keep their own 3 days); requests per
# client address and mails per e-mail address per hour, counted like sign-up's.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
PASSWORD_RESET_POSTS_PER_HOUR = env_int("PASSWORD_RESET_POSTS_PER_HOUR", 10)
PASSWORD_RESET_MAILS_PER_HOUR = env_int("PASSWORD_RESET_MAILS_PER_HOUR", 3)
if min(PASSWORD_RESET_TIMEOUT, PASSWORD_RESET_POSTS_PER_HOUR, PASSWORD_RESET_MAILS_PER_HOUR) < 1:
    raise ImproperlyConfigured("PASSWORD_RESET_TIMEOUT, PASSWORD_RESET_POSTS_PER_HOUR and PASSWORD_RESET_MAILS_PER_HOUR "
                               "must be 1 or more.")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development serves static files straight from the app folders; production serves what
# `manage.py collectstatic` wrote to STATIC_ROOT (hashed names, compressed, cached forever).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Source maps are for developer tools only: not worth compressing (most of collectstatic's time).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ["map", "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz",
                                       "xz", "br", "woff", "woff2"]
# Uploaded application documents and certificates: private, never served as media.
PRIVATE_STORAGE_ROOT = Path(env_str("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(VAR_DIR / "media")}},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# An S3-compatible object store (MinIO, Ceph RGW, Aliyun OSS, AWS S3) through django-storages
# when S3_BUCKET is set: every app server and worker then sees the same files. The bucket
# stays private (no ACL, no public URL: PrivateStorage refuses url()); downloads are
# authorised and streamed by the app.
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    _s3_endpoint = env_str("S3_ENDPOINT_URL", "") or None
    _s3 = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": _s3_endpoint,
        "access_key": env_str("S3_ACCESS_KEY", "") or None,
        "secret_key": env_str("S3_SECRET_KEY", "") or None,
        "region_name": env_str("S3_REGION", "") or None,
        # Path-style for self-hosted stores; Aliyun OSS needs S3_ADDRESSING_STYLE=virtual.
        "addressing_style": env_str("S3_ADDRESSING_STYLE", "path" if _s3_endpoint else "") or None,
        "signature_version": "s3v4",
        "default_acl": None,
        "file_overwrite": False,  # like the filesystem: a new file never replaces another
        "max_memory_size": 2 * 1024 * 1024,  # a download larger than this spools to a temporary file
    }
    STORAGES["private"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "private"}}
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "location": "media"}}

# One cache for every process (DRF throttles, the web throttles of the verify and objection
# pages): Redis when REDIS_URL is set (production, the local cluster), else the database
# cache table, which `migrate` creates (nominations.apps) and every process shares.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "award")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache",
                          "OPTIONS": {"MAX_ENTRIES": 100_000}}}
FILE_UPLOAD_PERMISSIONS = 0o640
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CERT_FONT_DIR = Path(env_str("CERT_FONT_DIR", str(VAR_DIR / "fonts")))
# Processes used to render a cycle's certificates; >1 only in single-threaded task workers.
CERT_RENDER_WORKERS = env_int("CERT_RENDER_WORKERS", 1)
# A cycle's certificate batch is offered to CERT_BATCH_TASKS task workers at once; each
# claims CERT_BATCH_CHUNK certificates at a time (row locks, SKIP LOCKED on PostgreSQL).
CERT_BATCH_TASKS = env_int("CERT_BATCH_TASKS", 2)
CERT_BATCH_CHUNK = env_int("CERT_BATCH_CHUNK", 25)

# E-mail: console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "质量奖评审秘书处 <noreply@quality-award.local>")

# Background work through the django_tasks API. "immediate" runs in-process after
# commit (embedded default); "database" queues in the database for `manage.py db_worker`.
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
_task_backend = env_str("TASKS_BACKEND", "immediate")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",  # knox tokens, `Authorization: Token <token>`
        "accounts.authentication.SessionAuthentication",  # staff sessions must be two-factor verified
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Documents the error answers every operation may give (nominations/api/schema.py)
    "DEFAULT_SCHEMA_CLASS": "nominations.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "nominations.api.errors.exception_handler",
    # JSON bodies: an object, at most 20 levels deep, no NUL, no integer beyond 64 bits (nominations.api.parsers)
    "DEFAULT_PARSER_CLASSES": ["nominations.api.parsers.StrictJSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    # The API answers JSON, never HTML (no browsable API: its pages would need inline script under the CSP)
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "objection": "10/hour"},
    # Throttles count REMOTE_ADDR, which TrustedProxyMiddleware sets from the proxies' header;
    # DRF must not read X-Forwarded-For itself (a client could write any address there).
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shanghai Quality Awards API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Distinct names for choice sets that share a field name (state, status, kind, code, name).
    "ENUM_NAME_OVERRIDES": {
        "ProgrammeCodeEnum": "nominations.enums.ProgrammeCode",
        "ApplicationStateEnum": "nominations.enums.ApplicationState",
        "CycleStatusEnum": "nominations.enums.CycleState",
        "ApplicationTransitionEnum": "nominations.enums.Transition",
        "CycleTransitionEnum": "nominations.enums.CycleTransition",
        "RecommenderKindEnum": "nominations.enums.RecommenderKind",
        "CriterionKindEnum": "judging.enums.CriterionKind",
        "ObjectionStatusEnum": "nominations.models.publication.ObjectionState",
        "CertificateStatusEnum": "nominations.api.publication.CertificateStatus",
        "EventKindEnum": "events.enums.EventKind",
        "EventStatusEnum": "events.enums.PublicStatus",
        "RegistrationStatusEnum": "events.enums.RegistrationState",
    },
}

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): scripts, styles, fonts and images from this site
# only, never inline (templates link static/js and static/css; tests/security/test_headers.py
# scans the pages). The API docs page (Swagger UI) gets its own policy in config/api_urls.py.
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
    },
}
SECURE_REFERRER_POLICY = "same-origin"  # links to other sites carry no address of ours
# Browser features no page of ours uses: refused to every origin, including ours.
PERMISSIONS_POLICY = {feature: [] for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb", "serial", "bluetooth", "hid", "xr-spatial-tracking",
    "browsing-topics", "interest-cohort")}
if SITE_URL.startswith("https") and not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load-balancer probes over plain HTTP
# Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For gives the client's
# address to throttles, lockouts and audit records; 0 trusts no header (direct exposure).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools log several INFO lines per PDF.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
