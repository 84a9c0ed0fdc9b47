"""Launch Ready settings: laptop defaults, production switched on by environment.

See `.env.example` for every variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import redis
from django.core.exceptions import ImproperlyConfigured

from launchready.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("LAUNCHREADY_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not envbool("LAUNCHREADY_INSECURE_DEV_KEY", False):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE), or DEBUG=1 on a laptop."
        )
    # Only for DEBUG/test runs: a key that is obviously not a production secret.
    SECRET_KEY = "insecure-dev-key-do-not-use-in-production-" + "x" * 20

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# The public address of this app: printed (and linked) in handover PDFs and emails.
# Required when DEBUG=0: `check --deploy` fails without it (handover/apps.py). When it is
# not set, links are taken from the request, and where there is none (alerts sent by the
# worker) from the address bin/run serves on.
SITE_URL_SET = bool(envstr("SITE_URL", ""))
SITE_URL = envstr("SITE_URL", f"http://localhost:{envint('PORT', 8000)}" if DEBUG else "").rstrip(
    "/"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "axes",
    "launchready.guard",
    "clients",
    "clients.notifications",
    "checks",
    "checks.monitoring",
    "checks.secrets",
    "checks.browser",
    "checks.renewals",
    "checks.statuspage",
    "handover",
    "handover.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "launchready.middleware.SecurityHeadersMiddleware",
    "launchready.middleware.SecretValueRefusedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "launchready.urls"
WSGI_APPLICATION = "launchready.wsgi.application"

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
                "launchready.context_processors.site",
                "checks.monitoring.context_processors.staff_banners",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'launchready.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the Huey worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work: Huey on SQLite by default, Redis when REDIS_URL is set.
REDIS_URL = envstr("REDIS_URL")
HUEY_IMMEDIATE = envbool("HUEY_IMMEDIATE", False)
HUEY_WORKERS = envint("HUEY_WORKERS", 4)
# Background jobs (check runs, scans, handover issues): the reaper fails a running job
# whose heartbeat is older than its kind's limit (CHECKS_STALE_SECONDS,
# SECRETS_SCAN_STALE_SECONDS, HANDOVER_STALE_SECONDS), and a queued one no worker took.
JOBS_STALE_SECONDS = envint("JOBS_STALE_SECONDS", 300)
# A removed domain, account, secret record or allowlist entry can be put back this long;
# a periodic task purges it after that (clients/softdelete.py).
UNDO_WINDOW_SECONDS = envint("UNDO_WINDOW_SECONDS", 600)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": envstr("HUEY_NAME", "launchready"),
        # A Redis host that drops packets must not hang a request that enqueues (it gets
        # a 503 with a sentence instead) nor /healthz: connecting gives up after 2 s.
        "connection_pool": redis.ConnectionPool.from_url(REDIS_URL, socket_connect_timeout=2),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": envstr("HUEY_NAME", "launchready"),
        "filename": envstr("HUEY_SQLITE_PATH", str(VAR_DIR / "huey.sqlite3")),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread"},
    }

# The cache holds rate-limit counters (deploy gate, through django-ratelimit): shared
# through Redis when REDIS_URL is set, per process on a laptop (one process there).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "launchready"}
    )
}

# --- Authentication
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clients:home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = envlist("AXES_IP_HEADERS", ["REMOTE_ADDR"])
AXES_VERBOSE = False
# A secret pasted as a username is recorded as a keyed hash, never as typed.
AXES_USERNAME_CALLABLE = "launchready.guard.axes.username_for_axes"

# --- Email: console on a laptop, SMTP when EMAIL_HOST is set.
EMAIL_HOST = envstr("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
else:
    EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Launch Ready <launchready@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation
LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "launchready" / "static"]
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
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
WHITENOISE_USE_FINDERS = DEBUG

# --- Security: strict by default, relaxed only where DEBUG needs it.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("SECURE_PROXY_SSL_HEADER", False) else None
)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)

# --- Launch Ready's own knobs
SPRINT_HOURS = envint("LAUNCHREADY_SPRINT_HOURS", 48)
# Stage completions reach founders as one digest: the first waits this long for company.
NOTIFY_DIGEST_MINUTES = envint("NOTIFY_DIGEST_MINUTES", 60)

# --- checks (automated audits): network boundary and probe settings
LAUNCHREADY_DNS_NAMESERVERS = envlist(
    "LAUNCHREADY_DNS_NAMESERVERS", []
)  # ip or ip:port; empty = system
LAUNCHREADY_CA_BUNDLE = envstr("LAUNCHREADY_CA_BUNDLE") or None  # extra trusted CAs (PEM)
LAUNCHREADY_HTTP_PORT = envint("LAUNCHREADY_HTTP_PORT", 80)
LAUNCHREADY_HTTPS_PORT = envint("LAUNCHREADY_HTTPS_PORT", 443)
LAUNCHREADY_ALLOW_PRIVATE_TARGETS = envbool("LAUNCHREADY_ALLOW_PRIVATE_TARGETS", False)
# Single addresses or networks exempt from the guard while it is on (a staging host on a
# private network); everything else private stays refused.
LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES = envlist("LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES", [])
# A run whose worker has not reported for this long is marked failed.
CHECKS_STALE_SECONDS = envint("CHECKS_STALE_SECONDS", 300)
CHECKS_CONCURRENCY = envint("CHECKS_CONCURRENCY", 16)
CHECKS_AUDIT_DEADLINE_SECONDS = envint(
    "CHECKS_AUDIT_DEADLINE_SECONDS", 20
)  # one domain's whole audit
CHECKS_DNS_BUDGET_SECONDS = envint("CHECKS_DNS_BUDGET_SECONDS", 10)  # its lookups, shared
CHECKS_DNS_GIVE_UP_AFTER = envint("CHECKS_DNS_GIVE_UP_AFTER", 3)  # timeouts/refusals in a row

# --- monitoring (uptime monitors, alerts)
# Probes run in a bounded thread pool inside each scheduler run.
MONITOR_CONCURRENCY = envint("MONITOR_CONCURRENCY", 64)
MONITOR_MAX_BYTES = envint("MONITOR_MAX_BYTES", 512 * 1024)  # body read cap per probe
MONITOR_RAW_RETENTION_HOURS = envint("MONITOR_RAW_RETENTION_HOURS", 48)
MONITOR_BATCH_LIMIT = envint("MONITOR_BATCH_LIMIT", 20000)  # most monitors one run claims
# Staff see a banner (and /healthz reports not ok) when the scheduler is older than this.
MONITOR_SCHEDULER_STALE_SECONDS = envint("MONITOR_SCHEDULER_STALE_SECONDS", 180)

# --- browser runs (Lighthouse audits, journey monitors): checks/browser/
BROWSER_CHROMIUM_PATH = envstr("BROWSER_CHROMIUM_PATH", "/usr/bin/chromium")
BROWSER_LIGHTHOUSE_BIN = envstr("BROWSER_LIGHTHOUSE_BIN") or str(
    BASE_DIR / "node_modules" / ".bin" / "lighthouse"
)
BROWSER_MEMORY_MB = envint("BROWSER_MEMORY_MB", 1536)  # all processes of one run, summed RSS
LIGHTHOUSE_DEADLINE_SECONDS = envint("LIGHTHOUSE_DEADLINE_SECONDS", 120)  # one route's audit
LIGHTHOUSE_STALE_SECONDS = envint("LIGHTHOUSE_STALE_SECONDS", 300)
# Pages are audited over https unless this says http (a staging site without TLS).
LIGHTHOUSE_SCHEME = envstr("LIGHTHOUSE_SCHEME", "https")
JOURNEY_DEADLINE_SECONDS = envint("JOURNEY_DEADLINE_SECONDS", 60)  # one journey, all steps
JOURNEY_CONCURRENCY = envint("JOURNEY_CONCURRENCY", 2)  # browsers at once per consumer
JOURNEY_MARKER_HEADER = envstr("JOURNEY_MARKER_HEADER", "X-LaunchReady-Test")
JOURNEY_MARKER_VALUE = envstr("JOURNEY_MARKER_VALUE", "launchready-journey")
# A hidden field added to each form a journey submits, so a CRM can drop test leads.
JOURNEY_MARKER_FIELD = envstr("JOURNEY_MARKER_FIELD", "launchready_test")
BROWSER_RETENTION_DAYS = envint("BROWSER_RETENTION_DAYS", 30)  # screenshots, reports, runs

# --- secrets (inventory, scanning, deploy gate)
# Folders on the worker whose git repositories may be scanned by path; empty = clone URLs only.
SECRETS_SCAN_LOCAL_ROOTS = envlist("SECRETS_SCAN_LOCAL_ROOTS", [])
SECRETS_SCAN_TIMEOUT = envint("SECRETS_SCAN_TIMEOUT_SECONDS", 900)  # clone + scan wall clock
# Progress is reported per commit, but cloning reports nothing: a scan may be quiet up to
# its wall clock before the reaper may call its worker dead.
SECRETS_SCAN_STALE_SECONDS = envint("SECRETS_SCAN_STALE_SECONDS", SECRETS_SCAN_TIMEOUT + 60)
SECRETS_SCAN_MAX_MB = envint("SECRETS_SCAN_MAX_MB", 2000)  # mirror clone size cap
# Key for scan fingerprints (HMAC); empty = derived from SECRET_KEY. Set it to keep
# fingerprints (and the allowlist) stable across a SECRET_KEY rotation.
SECRETS_FINGERPRINT_KEY = envstr("SECRETS_FINGERPRINT_KEY")
# Deploy gate: calls allowed per client and address per window (fixed window, Django cache).
SECRETS_GATE_RATE = envint("SECRETS_GATE_RATE", 30)
SECRETS_GATE_WINDOW_SECONDS = envint("SECRETS_GATE_WINDOW_SECONDS", 60)

# --- handover (signed PDF)
# The consultant's X.509 certificate and private key (PEM paths). `handover_keygen`
# writes a self-signed pair to these defaults for a laptop or demo. The key may be
# encrypted: HANDOVER_SIGNER_PASSPHRASE (or HANDOVER_SIGNER_PASSPHRASE_FILE).
HANDOVER_SIGNER_CERT_FILE = Path(
    envstr("HANDOVER_SIGNER_CERT_FILE", str(VAR_DIR / "signing" / "signer.pem"))
)
HANDOVER_SIGNER_KEY_FILE = Path(
    envstr("HANDOVER_SIGNER_KEY_FILE", str(VAR_DIR / "signing" / "signer.key"))
)
HANDOVER_SIGNER_PASSPHRASE = envstr("HANDOVER_SIGNER_PASSPHRASE")
# Intermediate certificates to embed beside the signer's (comma-separated PEM paths).
HANDOVER_SIGNER_CHAIN_FILES = envlist("HANDOVER_SIGNER_CHAIN_FILES", [])
# A handover issue reports twice (writing the PDF, signing); quiet longer than this, its
# worker is taken for dead.
HANDOVER_STALE_SECONDS = envint("HANDOVER_STALE_SECONDS", 300)
# RFC 3161 timestamp authority for PAdES B-T signatures. Empty: no timestamp, and the
# PDF and the app say the signing time is the signer's own claim.
HANDOVER_TSA_URL = envstr("HANDOVER_TSA_URL")
HANDOVER_TSA_TIMEOUT = envint("HANDOVER_TSA_TIMEOUT", 10)
# PEM files of the authorities the verifier trusts for timestamps (comma-separated).
HANDOVER_TSA_TRUST_FILES = envlist("HANDOVER_TSA_TRUST_FILES", [])
# How the founder reaches the consultant (name and email come from the sprint's consultant).
CONSULTANT_PHONE = envstr("CONSULTANT_PHONE")
CONSULTANT_EMAIL = envstr("CONSULTANT_EMAIL")
# Largest PDF the verification page accepts.
HANDOVER_VERIFY_MAX_BYTES = envint("HANDOVER_VERIFY_MAX_MB", 10) * 1024 * 1024

# Fernet keys for the few secrets the app must hold (a monitor's webhook URL), newest
# first; `manage.py reencrypt_fields` moves stored values to the newest. Unset on a laptop:
# one is generated into var/field-encryption.key.
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS", [])

# --- after launch: status pages, renewal calendar, weekly reports
STATUS_PAGE_MAX_AGE = envint("STATUS_PAGE_MAX_AGE", 30)
STATUS_SUBSCRIBE_RATE = envstr("STATUS_SUBSCRIBE_RATE", "5/h")
RDAP_BASE_URL = envstr("RDAP_BASE_URL", "https://rdap.org/domain/")
RDAP_TIMEOUT_SECONDS = envint("RDAP_TIMEOUT_SECONDS", 8)
RENEWALS_HORIZON_DAYS = envint("RENEWALS_HORIZON_DAYS", 400)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Last line of defence: anything the secret rules flag is redacted before it is written.
    "filters": {"redact_secrets": {"()": "launchready.guard.logfilter.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A handler of its own stops run_huey adding a second one (each line printed twice).
        "huey": {
            "handlers": ["console"],
            "level": envstr("HUEY_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        # WeasyPrint logs every layout step at INFO, from import time on.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
