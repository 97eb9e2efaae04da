"""Settings of the Sơn La party development tracker.

Everything that differs between a developer's laptop and production is read from the environment
(see `.env.example`). The defaults are safe for development: SQLite in `db.sqlite3`, DEBUG on.
With DEBUG off the app refuses to start without a real SECRET_KEY.
"""

import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def refuse(name: str, value: str, expected: str):
    """An unknown value of a setting refuses to start, saying which and what it takes."""
    raise SystemExit(f"ERROR: {name}={value!r} is not a valid value: {expected}.")


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        refuse(name, value, "1/0, true/false, yes/no or on/off")
    return word in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        refuse(name, value, f"a whole number of at least {minimum}")
    return int(value)


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, "").strip() or default
    if value not in choices:
        refuse(name, value, "one of " + ", ".join(sorted(choices)))
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or _DEV_SECRET_KEY
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise SystemExit(
        "ERROR: DEBUG is off but SECRET_KEY is missing or too short: "
        "set SECRET_KEY to at least 50 random characters (see .env.example)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",
    "sonla_party.apps.AxesConfig",  # django-axes, with a translated name
    "csp",
    "django_tasks",
    "django_tasks_db",
    "sonla_party",
    "establishments",
    "candidates",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "sonla_party.middleware.IdleSessionMiddleware",
    "sonla_party.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes goes last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sonla_party.urls"
WSGI_APPLICATION = "sonla_party.wsgi.application"

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
                "sonla_party.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default; production sets DATABASE_URL=postgres://user:pass@host:5432/name.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The app reads through `.iterator()` only where Django lists the choices of a form's <select>
    # (a few hundred rows at most): one round trip instead of DECLARE / FETCH / CLOSE, and it works
    # behind a transaction-pooling PgBouncer.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    if env_choice("DB_JIT", "off", {"off", "server"}) == "off":
        # PostgreSQL compiles a query whose estimated cost passes jit_above_cost; the reports'
        # per-establishment subqueries are estimated that costly but run in ≈ 30 ms, and their
        # compilation took ≈ 100 ms more each (`EXPLAIN ANALYZE`: "JIT … Emission"). "server"
        # leaves JIT to the server's settings: behind a PgBouncer, which refuses startup options
        # (then `ALTER DATABASE … SET jit = off`).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite; WAL lets readers run beside one writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "sonla_party.User"

# --- Authentication -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Idle sessions end after SESSION_IDLE_MINUTES: IdleSessionMiddleware renews the session (and its
# cookie) at most once a minute while the user is active.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling: 5 failures for one username from one address lock that pair for 30 minutes.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 30) / 60  # hours
# One account from one address, and one address across accounts (password spraying), with its own
# higher limit: see sonla_party/throttling.py.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "sonla_party.throttling.AddressThrottlingHandler"
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 12, minimum=1)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0) or None
AXES_VERBOSE = False

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Dates are shown dd/mm/yyyy in both languages (see sonla_party/formats/).
FORMAT_MODULE_PATH = ["sonla_party.formats"]
USE_THOUSAND_SEPARATOR = False

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# --- Security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if env_bool("BEHIND_TLS_PROXY", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The preload list is a public commitment for the whole domain; the board's IT decides it.
SILENCED_SYSTEM_CHECKS = [] if env_bool("SECURE_HSTS_PRELOAD", False) else ["security.W021"]

# Content-Security-Policy: no inline scripts or styles, everything from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Third-party apps ----------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "django_tables2/sonla.html"  # Bootstrap 5, rows written in Python
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-striped table-hover align-middle"}
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# No "revert" from the admin's history: it would write past values around the services' rules
# (a stage outside the pipeline, a frozen fact). Corrections go through their service.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Domain settings ------------------------------------------------------------------------
# How long an awareness-class certificate stays valid (the rule is not settled: a setting).
CERTIFICATE_VALIDITY_MONTHS = env_int("CERTIFICATE_VALIDITY_MONTHS", 60, minimum=1)
# Which committee decides an admission follows the decision's date and the dated structure of the
# party (establishments.services.DecidingCommittees); ADMISSION_DECIDING_LEVEL no longer exists.
if "ADMISSION_DECIDING_LEVEL" in os.environ:
    raise SystemExit(
        "ERROR: ADMISSION_DECIDING_LEVEL is no longer a setting: the committee competent on a decision's date "
        "follows from the dated structure (district committees until 30/06/2025, commune committees after). "
        "Remove it from the environment."
    )
# Personal data (Law 91/2025/QH15). Fields the board marks sensitive beyond the models' own
# `sensitive_fields` (ethnicity, religion): {"app_label.ModelName": ["field", ...]}; see sonla_party.sensitive.
SENSITIVE_FIELDS: dict[str, list[str]] = {}
# The files of people who withdrew, were turned down or moved away are anonymised this many years
# after that step (`manage.py anonymise_personal_data`): one term of a party congress (5 years), the
# time in which such a person may come back onto a commune's source list. See README, "Personal data".
PERSONAL_DATA_RETENTION_YEARS = env_int("PERSONAL_DATA_RETENTION_YEARS", 5, minimum=1)
# Largest spreadsheet accepted for import.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MEGABYTES", 10, minimum=1) * 1024 * 1024
# Background jobs (imports, large exports): Django's Tasks API through the django-tasks backport,
# queued in the database (`manage.py db_worker` runs them; several servers share the queue).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EXPORT_JOB_ROWS = env_int("EXPORT_JOB_ROWS", 20000, minimum=1)  # larger exports run as a job
# A PDF document with more table cells is laid out by a job (≈ 0.5 ms a cell: 600 ≈ 0.3 s).
DOCUMENT_JOB_CELLS = env_int("DOCUMENT_JOB_CELLS", 600, minimum=1)
JOB_FILE_HOURS = env_int("JOB_FILE_HOURS", 24, minimum=1)  # how long a job's file is kept
JOB_TIMEOUT_MINUTES = env_int("JOB_TIMEOUT_MINUTES", 30, minimum=1)  # a job silent this long may be retried
JOB_RESULT_DAYS = env_int("JOB_RESULT_DAYS", 14, minimum=1)  # the queue's finished tasks are pruned after
# Rows of a list page.
LIST_PAGE_SIZE = env_int("LIST_PAGE_SIZE", 25, minimum=1)
LIST_MAX_PAGE_SIZE = max(LIST_PAGE_SIZE, 200)  # what `?per_page=` may ask for

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "WARNING", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}),
    },
}
