"""One settings module, driven by environment variables (SQLite by default).

DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS; see docs/deployment.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from spaser.core import auth_settings

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SPASER_DATA_DIR", BASE_DIR.parent / "var"))
# The SQLite database, the job queue, uploads and reports live here: it must exist before anything opens them.
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on", "oui"}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("SPASER_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("SECRET_KEY doit être défini en production.")
    # Development and tests only: a fixed, clearly unsafe key.
    SECRET_KEY = "spaser-insecure-development-key-change-me"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "spaser.core",
    "spaser.organisations",
    "spaser.schemes",
    "spaser.suppliers",
    "spaser.contracts",
    "spaser.indicators",
    "spaser.registers",
    "spaser.campaigns",
    "spaser.renewals",
    "spaser.projects",
    "spaser.tasks",
    "spaser.governance",
    "spaser.reports",
    "spaser.api",
    "spaser.observatory",
    "spaser.demo",
    "spaser.audit",
    "axes",  # login throttling: AccessAttempt, AccessLog, AccessFailureLog (shown in the admin)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "spaser.core.middleware.SecurityHeadersMiddleware",
    # Before anything reads the body: an upload above SPASER_MAX_UPLOAD_MB is a 413 from its headers alone.
    "spaser.core.upload_limits.UploadLimitMiddleware",
    # A locked, slow or unreachable database: a French 503, not a 500 (spaser/core/db_errors.py).
    "spaser.core.db_errors.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last: turns a lockout flagged by the authentication backend into the login page's French message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "spaser.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "spaser.core.context_processors.spaser",
            ],
            "string_if_invalid": "",
        },
    }
]

WSGI_APPLICATION = "spaser.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'spaser.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout: the web server and an import can share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the radar's queries (EXISTS over reviews) are estimated expensive enough to be compiled, which
    # took 1.4 s of a 1.6 s query at 100 000 contracts (bench/load/NOTES.md); pages run short queries.
    _pg_options = ["-c jit=off"]
    _statement_timeout = os.environ.get("SPASER_DB_STATEMENT_TIMEOUT_MS", "").strip()
    if _statement_timeout:  # for the web server only: imports and backups run long statements
        _pg_options.append(f"-c statement_timeout={int(_statement_timeout)}")
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(_pg_options)
# A job « running » on another machine without a sign of life for this long is shown as interrupted.
SPASER_JOB_SILENCE_MINUTES = float(os.environ.get("SPASER_JOB_SILENCE_MINUTES", "30"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _from_env(read, *args):
    try:
        return read(os.environ, *args)
    except auth_settings.SettingError as error:
        raise ImproperlyConfigured(str(error)) from None


# Passwords: at least SPASER_PASSWORD_MIN_LENGTH (12) characters, not a common one, not only digits, not
# close to the user's name or e-mail (Django's validators, messages in French).
AUTH_PASSWORD_VALIDATORS = _from_env(auth_settings.password_validators)

# Login throttling (django-axes, docs/decisions/0013-login-throttling-and-sso.md): the first backend refuses a
# locked-out username or address before the password is checked. The API's tokens do not go through it.
AUTHENTICATION_BACKENDS = [
    "spaser.core.auth.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
globals().update(_from_env(auth_settings.throttle_settings))

# Optional single sign-on through the Département's OpenID Connect provider (SPASER_OIDC_*).
_oidc = _from_env(auth_settings.oidc_settings)
globals().update(_oidc)
SPASER_OIDC_ENABLED = _oidc["SPASER_OIDC_ENABLED"]
if SPASER_OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("spaser.core.auth.SpaserOIDCBackend")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Served at the site's root without a URL pattern: /favicon.ico (robots.txt is a view: docs/public-site.md).
WHITENOISE_ROOT = BASE_DIR / "core" / "root_files"
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Secure defaults; production switches (HTTPS) are documented in docs/deployment.md. `spaser check --deploy`
# is clean under the production environment given there (tests/security/test_settings.py).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and env_bool("HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("HTTPS", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto (only when it always sets it).
if env_bool("SPASER_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Origins allowed to post forms besides the host itself (e.g. https://spaser.departement.fr), comma-separated.
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Background jobs (huey): configured in the block below, see spaser/core/jobs.py.
# -- huey --
# SQLite storage in DATA_DIR by default (no server to run); HUEY_URL=redis://… for Redis (needs the `redis`
# package). Immediate mode (tasks run synchronously, in memory) with HUEY_IMMEDIATE=true and under pytest, so
# tests run the real job code path. The worker is `spaser run_huey` (scripts/demo.sh starts one).
INSTALLED_APPS += ["huey.contrib.djhuey"]
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False) or "PYTEST_VERSION" in os.environ
_HUEY_URL = os.environ.get("HUEY_URL", "").strip()
HUEY = {
    "name": "spaser",
    "immediate": HUEY_IMMEDIATE,
    "utc": False,  # periodic tasks (campaign reminders at 8:00) in local time
    "results": False,  # a job's outcome is stored in its Job row, not in huey's result store
    # An idle worker polls at most every 2 s: an upload starts quickly (huey's default backs off to 10 s).
    "consumer": {
        "workers": int(os.environ.get("HUEY_WORKERS", "2")),
        "worker_type": "thread",
        "max_delay": 2.0,
    },
}
if _HUEY_URL:
    HUEY.update(huey_class="huey.RedisHuey", url=_HUEY_URL)
else:
    HUEY.update(huey_class="huey.SqliteHuey", filename=str(DATA_DIR / "huey.sqlite3"))
# Uploads handed to jobs (DECP files): refused above this size, with a French message.
SPASER_MAX_UPLOAD_MB = float(os.environ.get("SPASER_MAX_UPLOAD_MB", "200"))
# First, the byte count of every file against SPASER_MAX_UPLOAD_MB (spaser/core/upload_limits.py).
FILE_UPLOAD_HANDLERS = [
    "spaser.core.upload_limits.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Large DECP files are read in a second process while this one writes (contracts/importing/pipeline.py).
SPASER_IMPORT_PARALLEL = env_bool("SPASER_IMPORT_PARALLEL", True)
# -- end huey --

# Mail (campaign reminders): printed on the console in development; SMTP from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Spaser <spaser@localhost>")
# The site's address, for links in mails sent by commands and background tasks (no request to read it from).
SPASER_BASE_URL = os.environ.get("SPASER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
