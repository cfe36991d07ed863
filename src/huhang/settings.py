"""Django settings for Huhang, read from the environment with safe defaults for the embedded case.

Everything the application writes lives under HUHANG_DATA_DIR (default ./var): the SQLite file,
uploaded documents, analytical snapshots and the generated secret key. A second data directory is
a second, independent installation.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from huhang.core.env import (
    data_dir,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    first_set,
    persistent_secret,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

# HUHANG_ENV=production turns on every production default below and refuses to start
# half-configured; the default ("development") keeps `make demo` easy on plain HTTP.
HUHANG_ENV = env_choice("HUHANG_ENV", ("development", "production"), "development")
PRODUCTION = HUHANG_ENV == "production"

DEBUG = env_bool("HUHANG_DEBUG", False)
# The old names (SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS) still work as aliases.
SECRET_KEY = env_str(first_set("HUHANG_SECRET_KEY", "SECRET_KEY"), "") or persistent_secret(
    DATA_DIR / "secret_key"
)
_HOSTS = first_set("HUHANG_ALLOWED_HOSTS", "ALLOWED_HOSTS")
ALLOWED_HOSTS = env_list(_HOSTS, ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list(
    first_set("HUHANG_CSRF_TRUSTED_ORIGINS", "CSRF_TRUSTED_ORIGINS"), []
)
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("HUHANG_DEBUG cannot be on with HUHANG_ENV=production")
    if not env_list(_HOSTS, []):
        raise ImproperlyConfigured("HUHANG_ENV=production needs HUHANG_ALLOWED_HOSTS (host names)")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "HUHANG_ENV=production needs a HUHANG_SECRET_KEY of at least 50 random characters"
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "ninja",
    # huhang.core before django_tasks_db: its `db_worker` (the same worker, with a heartbeat)
    # takes the place of django_tasks_db's.
    "huhang.core",
    "django_tasks",
    "django_tasks_db",
    "huhang.regions",
    "huhang.accounts",
    "huhang.registry",
    "huhang.cases",
    "huhang.benefits",
    "huhang.screening",
    "huhang.community",
    "huhang.reports",
    "huhang.workbench",
    "huhang.demo",
    "huhang.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The app's service worker, manifest and favicon, answered before the session is read.
    "huhang.core.middleware.AppShellMiddleware",
    "huhang.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "huhang.core.middleware.RequestContextMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "huhang.accounts.twofactor.middleware.TwoFactorMiddleware",
    "huhang.core.middleware.AuditNetMiddleware",
    "huhang.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huhang.urls"
WSGI_APPLICATION = "huhang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huhang.core.context_processors.huhang",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    }
]

# Database: embedded SQLite in the data directory unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'huhang.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN
        # so that two writers queue on busy_timeout instead of failing with "database is locked".
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "huhang.accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Two-factor login (django-otp; huhang.accounts.twofactor): required, in production, of the
# roles listed and of every staff account; anyone else may enrol. The demo keeps it off.
HUHANG_2FA_REQUIRED = env_bool("HUHANG_2FA_REQUIRED", PRODUCTION)
HUHANG_2FA_ROLES = env_list(
    "HUHANG_2FA_ROLES",
    ["bureau", "auditor", "data_officer", "system_admin", "security_admin", "audit_admin"],
)
OTP_TOTP_ISSUER = "护航 Huhang"

# Lockout after repeated failures (django-axes, huhang.accounts.lockout): per account whatever
# the address, and per address whatever the account (a higher limit: an office shares one).
AXES_FAILURE_LIMIT = env_int("HUHANG_LOGIN_FAILURE_LIMIT", 5)
HUHANG_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("HUHANG_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HUHANG_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "huhang.accounts.lockout.AccountAndAddressHandler"
# The same address as the audit trail's (REMOTE_ADDR; see core.middleware.request_ip).
AXES_CLIENT_IP_CALLABLE = "huhang.core.middleware.request_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions end after inactivity: the expiry is pushed forward on every request.
SESSION_COOKIE_AGE = env_int("HUHANG_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# No script reads a cookie: the CSRF token reaches htmx through the page (base.html).
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("HUHANG_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS only, in production: plain HTTP is redirected, and browsers are told (HSTS) never to try
# it again. Behind a reverse proxy that ends TLS, set HUHANG_PROXY_SSL_HEADER to the header it
# sets (e.g. X-Forwarded-Proto: the proxy must overwrite it, never pass a client's on).
SECURE_SSL_REDIRECT = env_bool("HUHANG_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env_int("HUHANG_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HUHANG_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("HUHANG_HSTS_PRELOAD", PRODUCTION)
if _proxy_header := env_str("HUHANG_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")

# Content-Security-Policy (django-csp), in every mode: no inline script or style anywhere (the
# pages' small behaviours are in core/static/huhang/huhang.js), nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    # Uploaded documents live outside the web root and are served only by a checked view.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "documents"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = DATA_DIR / "documents"
# Stored documents and photos are the account's alone (core.filemodes; the umask says so too).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DOCUMENT_MAX_BYTES = env_int("HUHANG_DOCUMENT_MAX_MB", 10) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# What an uploaded spreadsheet (a department's feed, a bank's return file) may claim and cost,
# checked before it is parsed (core.spreadsheet; docs/files.md). The defaults fit a province's
# police register: 25 million rows of CSV; an XLSX sheet holds at most 1,048,576 rows anyway.
HUHANG_FEED_MAX_BYTES = env_int("HUHANG_FEED_MAX_MB", 4096) * 1024 * 1024
HUHANG_SHEET_MAX_ROWS = env_int("HUHANG_SHEET_MAX_ROWS", 30_000_000)
HUHANG_SHEET_MAX_COLUMNS = env_int("HUHANG_SHEET_MAX_COLUMNS", 256)
# An XLSX sheet is read into memory as a dense rectangle: its declared or actual extent, rows x
# columns, may not pass this (a police register of 1M rows and 20 columns is 21M cells).
HUHANG_SHEET_MAX_CELLS = env_int("HUHANG_SHEET_MAX_CELLS", 40_000_000)
# Each member of an XLSX (a zip file): its uncompressed size, and its compression ratio once it
# is larger than 1 MiB (real sheets compress 5-30 times, a zip bomb thousands of times).
HUHANG_XLSX_MAX_MEMBER_BYTES = env_int("HUHANG_XLSX_MAX_MEMBER_MB", 2048) * 1024 * 1024
HUHANG_XLSX_MAX_RATIO = env_int("HUHANG_XLSX_MAX_RATIO", 200)
# Rejected rows kept per feed batch (the rest are counted by column and reason).
HUHANG_FEED_ERRORS_KEPT = env_int("HUHANG_FEED_ERRORS_KEPT", 1000)
# A bank's return file: at most this many bytes (it is read whole, as the run is checked whole).
HUHANG_RETURN_FILE_MAX_BYTES = env_int("HUHANG_RETURN_FILE_MAX_MB", 512) * 1024 * 1024
# The bureau's paying account, for the bank templates that ask for it (docs/files.md).
HUHANG_PAYER_ACCOUNT = env_str("HUHANG_PAYER_ACCOUNT", "")
HUHANG_PAYER_NAME = env_str("HUHANG_PAYER_NAME", "")
HUHANG_PAYER_BANK = env_str("HUHANG_PAYER_BANK", "")
HUHANG_PAYER_PROVINCE = env_str("HUHANG_PAYER_PROVINCE", "")
HUHANG_PAYER_CITY = env_str("HUHANG_PAYER_CITY", "")
# Pictures (documents, activity photos): at most this many pixels (a decompression bomb is a
# small PNG of a huge canvas).
HUHANG_IMAGE_MAX_PIXELS = env_int("HUHANG_IMAGE_MAX_PIXELS", 60_000_000)

# 国密: HUHANG_CRYPTO=sm chains the audit trail with SM3 instead of SHA-256 (and, with the
# field encryption, uses SM4).
HUHANG_CRYPTO = env_choice("HUHANG_CRYPTO", ("aes", "sm"), "aes")
# Audit events stay in the database at least this long (等保三级 and 网络安全法 Art. 21: six
# months at least); older ones may be moved to an archive file (`huhang audit archive`).
HUHANG_AUDIT_RETENTION = timedelta(days=env_int("HUHANG_AUDIT_RETENTION_DAYS", 183))
if timedelta(days=183) > HUHANG_AUDIT_RETENTION:
    raise ImproperlyConfigured("HUHANG_AUDIT_RETENTION_DAYS must be at least 183 (six months)")

# Where the demo district's synthetic data and the bureau's installation are rooted.
HUHANG_ROOT_DIVISION = env_str("HUHANG_ROOT_DIVISION", "150203")
HUHANG_PAGE_SIZE = env_int("HUHANG_PAGE_SIZE", 20)

# Home-visit frequencies in months (DOMAIN.md: orphans and DFUC at home at least quarterly; high
# risk monthly). A child due for several reasons takes the shortest interval.
HUHANG_VISIT_MONTHS = {
    "orphan": env_int("HUHANG_VISIT_MONTHS_ORPHAN", 3),
    "dfuc": env_int("HUHANG_VISIT_MONTHS_DFUC", 3),
    "high_risk": env_int("HUHANG_VISIT_MONTHS_HIGH_RISK", 1),
}
# The phone's offline copy of the field worker's pages (issue 13, core/offline.py): kept at most
# this many hours after the server last saw the session alive, then emptied; and at most this
# many visit forms (one per child of the worker's list, due visits first) are kept.
HUHANG_OFFLINE_HOURS = env_int("HUHANG_OFFLINE_HOURS", 12)
HUHANG_OFFLINE_FORMS = env_int("HUHANG_OFFLINE_FORMS", 200)
# A font with Chinese characters for the stamp on visit photos (cases/visits/stamp.py); empty:
# the usual system paths are tried.
HUHANG_STAMP_FONT = env_str("HUHANG_STAMP_FONT", "")
# Guarantee funds: a child is paid from the month after approval (0 = the month of approval).
HUHANG_PAY_FROM_MONTHS_AFTER_APPROVAL = env_int("HUHANG_PAY_FROM_MONTHS_AFTER_APPROVAL", 1)
# How far back a run looks for months still owed (补发 after a back-dated standard, failed lines).
HUHANG_PAYROLL_LOOKBACK_MONTHS = env_int("HUHANG_PAYROLL_LOOKBACK_MONTHS", 36)
# Four eyes: a category's effective date more than this many months before its approval needs a
# reason, given before approval and shown to the approver.
HUHANG_BACKDATE_MONTHS = env_int("HUHANG_BACKDATE_MONTHS", 3)

# Days a referral may wait for an answer before it shows in the inbox as overdue.
HUHANG_REFERRAL_ANSWER_DAYS = env_int("HUHANG_REFERRAL_ANSWER_DAYS", 15)

# Screening on Apache Spark (`huhang screen --engine spark`): the master URL of the cluster
# (local[*] = all cores of this machine).
HUHANG_SPARK_MASTER = env_str("HUHANG_SPARK_MASTER", "local[*]")
# Background work (a screening, a feed import, a payroll computation) writes a heartbeat on its
# row every HUHANG_HEARTBEAT_SECONDS while its process lives, whatever stage it is in; a run in
# flight whose heartbeat is older than HUHANG_TASK_STALE_SECONDS died with its process (killed,
# crashed, the machine restarted) and is marked failed, so that it no longer blocks the next run.
# A live worker sweeps such runs at every beat, so a dead run is failed within two minutes.
HUHANG_HEARTBEAT_SECONDS = env_int("HUHANG_HEARTBEAT_SECONDS", 15)
HUHANG_TASK_STALE_SECONDS = env_int("HUHANG_TASK_STALE_SECONDS", 90)
if HUHANG_TASK_STALE_SECONDS < 2 * HUHANG_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "HUHANG_TASK_STALE_SECONDS must be at least twice HUHANG_HEARTBEAT_SECONDS"
    )
# A run still queued (no worker took it) after this long fails with a message saying so.
HUHANG_TASK_QUEUED_MINUTES = env_int("HUHANG_TASK_QUEUED_MINUTES", 60)
# `huhang check` and /healthz warn when no worker has been seen for this long.
HUHANG_WORKER_SILENT_MINUTES = env_int("HUHANG_WORKER_SILENT_MINUTES", 10)
# Payroll runs may be created for months up to this many months after the current one.
HUHANG_PAYROLL_MONTHS_AHEAD = env_int("HUHANG_PAYROLL_MONTHS_AHEAD", 1)
# /healthz reports a problem when the data directory's disk has less free space than this.
HUHANG_MIN_FREE_DISK_MB = env_int("HUHANG_MIN_FREE_DISK_MB", 500)

# The screening rules' open questions (docs/rules.md, "Settings"), each with its default:
# - the 18th birthday itself is the first day of adulthood and ends protection (民法典 Art. 17;
#   facts.adult_on); False: protection ends the day after the 18th birthday;
HUHANG_PROTECTION_ENDS_ON_18TH_BIRTHDAY = env_bool("HUHANG_PROTECTION_ENDS_ON_18TH_BIRTHDAY", True)
# - a young person of 18+ in full-time study keeps the basic allowance until leaving school
#   (several provinces' rule); default off, the national rule: it ends at 18;
HUHANG_STUDENTS_KEEP_ALLOWANCE = env_bool("HUHANG_STUDENTS_KEEP_ALLOWANCE", False)
# - an open-ended measure (pre-trial detention 羁押 without a term) counts from its first day (0)
#   or only once it has lasted this many months (some provinces: 6);
HUHANG_OPEN_DETENTION_MONTHS = env_int("HUHANG_OPEN_DETENTION_MONTHS", 0)
# - 福彩圆梦·孤儿助学 for DFUC students, by local rule (DOMAIN.md: on by default).
HUHANG_SCHOLARSHIP_DFUC = env_bool("HUHANG_SCHOLARSHIP_DFUC", True)

# Long work started from a page (a screening) runs as a background task: stored in the database,
# executed by `huhang db_worker` (`make demo` starts one beside the web server).
# HUHANG_TASKS_IMMEDIATE=1 runs tasks in the request instead (no worker needed).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("HUHANG_TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HUHANG_LOG_LEVEL", "WARNING")},
}
