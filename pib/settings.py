"""Settings for the ELIP portal, read from the environment through django-environ.

With no environment set this runs the embedded demo: SQLite in ``var/``, media
in ``var/media``, Celery tasks executed in-process (no broker). Every variable
is listed with its default in the README's settings table.
"""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab

from pib.keys import DEMO_READLOG_KEY, DEMO_SECRET_KEY
from pib.logs import configure_structlog, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The demo keys only run with DEBUG on: with DEBUG off, pib.checks refuses them (and weak keys).
SECRET_KEY = env.str("SECRET_KEY", default=DEMO_SECRET_KEY)
# HMAC key of BSNs in the read log, separate from SECRET_KEY; READLOG_KEY_ID is stored with each
# row, older keys stay usable for searching in READLOG_OLD_KEYS ("id:key,id:key"; docs/privacy.md).
READLOG_KEY = env.str("READLOG_KEY", default=DEMO_READLOG_KEY)
READLOG_KEY_ID = env.str("READLOG_KEY_ID", default="1")
READLOG_OLD_KEYS = dict(item.split(":", 1) for item in env.list("READLOG_OLD_KEYS", default=[]) if ":" in item)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # runserver (make demo) leaves static files to WhiteNoise, as gunicorn does in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tables2",
    "django_filters",
    "simple_history",
    "django_structlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "pib",
    "elip",
    "signals",
    "letters",
    "mijnduo",
    "accounts",
    "controlroom",
]

MIDDLEWARE = [
    # Outermost: its headers reach every response, including 400s made from exceptions below it.
    "pib.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from STATIC_ROOT (hashed names: cached for a year, immutable).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request_id (X-Request-ID or new) and user_id on every log line of the request.
    "django_structlog.middlewares.RequestMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pib.access.ChosenMunicipalityMiddleware",
    # Registry history (django-simple-history) records which DUO admin made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a locked-out sign-in into the lockout page (accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pib.urls"
WSGI_APPLICATION = "pib.wsgi.application"

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
                "pib.access.portal_context",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'elip.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo's web server read while a run writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL;")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.DutchMinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Django's common list plus Dutch common passwords, also with digits around them; >= 5 distinct characters.
    {"NAME": "accounts.validators.CommonPasswordBaseValidator"},
]
# AxesBackend first: refuses locked-out attempts before ModelBackend checks the password.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Letter and bundle PDFs hold personal data: owner read/write, group read, nobody else (0640 files,
# 0750 directories); FileSystemStorage applies these to every file and directory it creates.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes hashed names (css/portal.3f2a….css) and gzip/brotli copies beside them;
    # WhiteNoise serves those with a far-future Cache-Control. The flows that render pages run
    # collectstatic first (Dockerfile, make demo); the tests find files through the finders.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security -------------------------------------------------------------
SESSION_ENGINE = "accounts.sessions"  # database sessions with the user id beside each row
SESSION_COOKIE_HTTPONLY = True
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=15)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # every request moves the idle deadline
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Sign-in: lockout (django-axes) and second factor (django-otp) ----------------------------------
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account and per IP
AXES_COOLOFF_TIME = None  # a lockout stays until a DUO admin deletes the attempt in /beheer/
AXES_RESET_ON_SUCCESS = False  # see accounts.receivers.forget_own_failures
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed attempt, for DUO-beheer (Axes → toegangsfouten)
OTP_TOTP_ISSUER = "Portal Inburgering DUO"

# --- Single sign-on: OpenID Connect (mozilla-django-oidc; accounts/oidc.py; README "Inloggen / sign-in")
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("accounts.oidc.PortalOIDCBackend")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="sub")
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=True)
OIDC_ORGANISATION_CLAIM = env.str("OIDC_ORGANISATION_CLAIM", default="")
OIDC_ORGANISATION_MAP = env.dict("OIDC_ORGANISATION_MAP", default={})
OIDC_ROLE_MODE = env.str("OIDC_ROLE_MODE", default="check")  # check | grant
OIDC_GRANT_ROLES = env.list("OIDC_GRANT_ROLES", default=[])
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider logout (id_token_hint); holds no BSN
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
OIDC_CALLBACK_CLASS = "accounts.views.SsoCallbackView"
LOGIN_REDIRECT_URL_FAILURE = "/inloggen/"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# --- Celery ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Without a broker (the embedded demo) tasks run in-process, through the same code.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A batch held by a worker that died (acks_late) goes back to the queue after the visibility
# timeout; Redis' default of one hour would stall a run's letters for that long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=1800),
    "unacked_restore_interval": 60,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE = {
    # The weekly ELIP run: Wednesday 06:00 Europe/Amsterdam (the manual's runs fall on Wednesdays).
    "elip-weekly-run": {
        "task": "elip.tasks.weekly_run",
        "schedule": crontab(day_of_week="wed", hour=6, minute=0),
    },
    # Control room alerts (controlroom.tasks): the run must be complete by Wednesday 07:00.
    "controlroom-alerts": {
        "task": "controlroom.evaluate_alerts",
        "schedule": crontab(day_of_week="wed", hour=7, minute=0),
    },
    # Signal retention: every day at 02:30 Europe/Amsterdam.
    "signals-retention": {
        "task": "signals.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    # Expired sessions: every day at 03:15 Europe/Amsterdam.
    "clear-sessions": {
        "task": "accounts.tasks.clear_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
}

# Tasks queued (by name) after each scheduled weekly run: the control room evaluates its alerts.
ELIP_RUN_FOLLOW_UP_TASKS = ["controlroom.evaluate_alerts"]

# --- E-mail (activation codes of the Mijn DUO-beheerder) ------------------
# EMAIL_URL: smtp://user:password@host:587 (STARTTLS: smtp+tls://…, TLS: smtps://…); the embedded
# demo prints e-mails on the console.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Portal Inburgering <noreply@portal-inburgering.localhost>")
EMAIL_TIMEOUT = 10

# --- Application ----------------------------------------------------------
LETTER_BATCH_SIZE = env.int("LETTER_BATCH_SIZE", default=50)
# The sweeper (letters.tasks.sweep, docs/weekly-run.md "Sweeper"): how often beat runs it, and how
# long after it was made a letter must still be pending before it is queued again.
LETTER_SWEEP_INTERVAL_SECONDS = env.int("LETTER_SWEEP_INTERVAL_SECONDS", default=600)
LETTER_SWEEP_AFTER_SECONDS = env.int("LETTER_SWEEP_AFTER_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["letters-sweep"] = {
    "task": "letters.sweep",
    "schedule": dt.timedelta(seconds=LETTER_SWEEP_INTERVAL_SECONDS),
}
# /gezondheid/ reports the weekly run overdue this many hours after its scheduled time.
WEEKLY_RUN_GRACE_HOURS = env.int("WEEKLY_RUN_GRACE_HOURS", default=6)
# The portal's public address, for links in e-mails (the weekly digest): scheme and host, no path.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Bearer token for /gezondheid/metrics/ (and the health details); empty = staff users only.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Logs and error tracking (pib/logs.py, pib/sentry.py) --------------------------------
# JSON lines in production (LOG_FORMAT=json), readable text otherwise; BSNs and names scrubbed.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = logging_config(level=env.str("LOG_LEVEL", default="INFO"), fmt=LOG_FORMAT)
# django-axes logs every sign-in at INFO (usernames masked); failures and lockouts stay.
LOGGING.setdefault("loggers", {})["axes"] = {"level": "WARNING"}
configure_structlog()
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
# The proxy (deploy/Caddyfile) sets X-Request-ID, overwriting any a client sent: one id in both logs.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from .sentry import init as sentry_init

    sentry_init(SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))
