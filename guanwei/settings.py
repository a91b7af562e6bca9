"""guanwei settings: one file, driven by the environment.

SQLite (WAL) under var/ by default; PostgreSQL when DATABASE_URL is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GUANWEI_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("GUANWEI_DEBUG")

# --- Deployment profile (issue #9 §16, sec-deploy) ---------------------------------------
# GUANWEI_ENV=production: behind a TLS-terminating proxy (docs/deploy.md). It refuses to
# start without a real secret key and allowed hosts, never writes a generated key, and turns
# on HSTS, the SSL redirect and secure cookies; `guanwei manage check --deploy` is silent.
# Anything else (default "embedded"): `make run` on loopback over plain http.
GUANWEI_ENV = os.environ.get("GUANWEI_ENV", "embedded").strip().lower() or "embedded"
GUANWEI_PRODUCTION = GUANWEI_ENV == "production"


def _refuse(message: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"GUANWEI_ENV=production: {message} (docs/deploy.md)")


SECRET_KEY = os.environ.get("GUANWEI_SECRET_KEY", "")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("GUANWEI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
if GUANWEI_PRODUCTION:
    # the same test as Django's security.W009, made fatal
    if (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
    ):
        _refuse("GUANWEI_SECRET_KEY must be set to a random value of at least 50 characters")
    if not os.environ.get("GUANWEI_ALLOWED_HOSTS", "").strip() or "*" in ALLOWED_HOSTS:
        _refuse("GUANWEI_ALLOWED_HOSTS must list the site's host names (no '*')")
    if DEBUG:
        _refuse("GUANWEI_DEBUG must be off")
    # TLS ends at the proxy, which must set X-Forwarded-Proto (and strip a client's own).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # `guanwei serve` (waitress) believes X-Forwarded-Proto/-For only from this address
    GUANWEI_TRUSTED_PROXY = os.environ.get("GUANWEI_TRUSTED_PROXY", "127.0.0.1")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("GUANWEI_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("GUANWEI_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = _env_bool("GUANWEI_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
elif not SECRET_KEY:
    # Embedded mode: a per-installation key kept under var/, never in the repo.
    _key_file = VAR_DIR / "secret-key.txt"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
        try:
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            # created 0600 (never readable by others, not even for a moment; issue #9 §17)
            _fd = os.open(_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(_fd, "w") as _fh:
                _fh.write(SECRET_KEY)
        except FileExistsError:  # another process made it first: use that key
            SECRET_KEY = _key_file.read_text().strip()
        except OSError:
            pass
# --- end of the deployment profile ------------------------------------------------------

# The address people reach the site at (issue #10 §1): every URL guanwei prints or stores
# (the demo's logins, the demo accounts' addresses) is built from it. Production sets it
# (https://gw.example.gov.cn behind the TLS proxy); the embedded demo builds it from
# `guanwei run --host/--port` when it is empty.
GUANWEI_BASE_URL = os.environ.get("GUANWEI_BASE_URL", "").strip().rstrip("/")
# The demo's login page lists 试用账号 from var/demo-logins.txt (issue #10 §1): never in the
# production profile, whatever the variable says; GUANWEI_DEMO_LOGINS=0 hides it elsewhere.
GUANWEI_DEMO_LOGINS = not GUANWEI_PRODUCTION and _env_bool("GUANWEI_DEMO_LOGINS", default=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # its Swagger UI templates and static files: /api/docs served from this site (CSP)
    "django_tasks_db",
    "guanwei.audit",
    "guanwei.notify",
    "guanwei.orgs",
    "guanwei.packs",
    "guanwei.channels",
    "guanwei.screening",
    "guanwei.content",
    "guanwei.workflow",
    "guanwei.publishing",
    "guanwei.oversight",
    "guanwei.interaction",
    "guanwei.vault",
    "guanwei.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "guanwei.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "guanwei.web.middleware.SecurityHeadersMiddleware",  # no-store, Permissions-Policy (§16)
    # issue #9 §15 (sec-files): 413 from Content-Length; innermost, so the answer carries
    # every header above, and still before CSRF's process_view or a view reads the body
    "guanwei.web.middleware.RequestSizeLimitMiddleware",
]

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

ROOT_URLCONF = "guanwei.urls"
WSGI_APPLICATION = "guanwei.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guanwei.web.context.shell",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        db: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
        return db
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("GUANWEI_SQLITE_PATH", str(VAR_DIR / "guanwei.sqlite3")),
        "OPTIONS": {
            # IMMEDIATE: every atomic block takes the write lock up front, so the
            # audit chain's read-last-then-append is serialised (no SQLITE_BUSY upgrades).
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
        "TEST": {"NAME": os.environ.get("GUANWEI_TEST_SQLITE_PATH") or None},
    }


DATABASES = {"default": _database()}

# --- issue #9 §17 (sec-files): files at rest -------------------------------------------
# What guanwei creates under var/ is its account's alone: the SQLite database (SQLite gives
# its -wal/-shm files the database file's mode) 0600, uploaded files 0600 in 0700
# directories, var/media itself 0700. A file an operator made is left as it is unless it
# is ours and wider than that.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700


def _private(path: Path, mode: int, *, directory: bool = False) -> None:
    try:
        if directory:
            path.mkdir(mode=mode, parents=True, exist_ok=True)
        elif not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, mode))
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 & ~mode:
            path.chmod(mode)
    except OSError:  # a read-only or foreign var/: the operator decides
        pass


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _db_file = Path(str(DATABASES["default"]["NAME"]))
    if str(_db_file) != ":memory:" and _db_file.parent.is_dir():
        for _suffix in ("", "-wal", "-shm"):
            _one = _db_file.with_name(_db_file.name + _suffix)
            if _suffix == "" or _one.exists():
                _private(_one, 0o600)
# --- end issue #9 §17 ------------------------------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS: list[dict[str, object]] = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "guanwei" / "locale"]
TIME_ZONE = os.environ.get("GUANWEI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("GUANWEI_STATIC_ROOT") or None  # collectstatic target in production
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
_private(MEDIA_ROOT, 0o700, directory=True)  # issue #9 §17
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Response headers (issue #9 §16, sec-deploy; guanwei.web.middleware.SecurityHeadersMiddleware):
# every answer is `Cache-Control: no-store` except the anonymous public website; the
# Permissions-Policy switches off what guanwei never uses ("()": nobody; "self": this site).
GUANWEI_PUBLIC_CACHEABLE_PREFIXES = ["/site/"]
GUANWEI_PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
} | {"fullscreen": ["self"]}

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
if os.environ.get("GUANWEI_TASKS_IMMEDIATE"):
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# Screening text in pictures (C-06) with RapidOCR: on in production, off by default in the
# embedded demo (about a second per picture on a small machine).
GUANWEI_OCR = _env_bool("GUANWEI_OCR", default=not os.environ.get("GUANWEI_EMBEDDED"))

# --- issue #9 §15 (sec-files): upload limits ---------------------------------------------
# 20 MB per upload (content.actions.MAX_ASSET_BYTES), enforced before the body is read:
# waitress refuses a larger body (guanwei serve: max_request_body_size), Django refuses a
# larger request early (Content-Length, guanwei.web.middleware.RequestSizeLimit); form
# fields without files are bounded too. Pictures above GUANWEI_MAX_IMAGE_PIXELS are refused
# from their header, before anything decodes or OCRs them.
GUANWEI_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
GUANWEI_MAX_REQUEST_BYTES = GUANWEI_MAX_UPLOAD_BYTES + 1024 * 1024  # the form around the file
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default: fields other than files
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files go to a temporary file, not memory
GUANWEI_MAX_IMAGE_PIXELS = int(os.environ.get("GUANWEI_MAX_IMAGE_PIXELS", "40000000"))
# OCR (C-06) runs as a task after the upload; a picture whose text no task has read after
# this long (worker down) goes to a person at submission instead of waiting for ever.
GUANWEI_OCR_WAIT_MINUTES = float(os.environ.get("GUANWEI_OCR_WAIT_MINUTES", "10"))
# --- end issue #9 §15 ---------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GUANWEI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx writes a line per platform request at INFO (each one through the secret
        # filter of publishing/adapters/http.py): the adapters log what a person needs
        # (errors, reconciliation), so request lines are off unless asked for
        # (GUANWEI_HTTP_LOG_LEVEL=INFO). Their cost was a tenth of a dispatcher's CPU.
        "httpx": {"level": os.environ.get("GUANWEI_HTTP_LOG_LEVEL", "WARNING")},
        "httpcore": {"level": os.environ.get("GUANWEI_HTTP_LOG_LEVEL", "WARNING")},
    },
}

# Publishing (issue #8 §2): a claim's or a send's lease, renewed by a heartbeat while the
# platform call is alive; MAX_CALL bounds each platform call in total (connect to last byte:
# past it the call is cut and the intent reconciled, never re-sent blindly); how long an
# asynchronous publish may stay "platform processing" before it becomes unknown and a
# person is told.
GUANWEI_DISPATCH_LEASE_SECONDS = float(os.environ.get("GUANWEI_DISPATCH_LEASE_SECONDS", "120"))
GUANWEI_DISPATCH_HEARTBEAT = os.environ.get("GUANWEI_DISPATCH_HEARTBEAT", "1") != "0"
GUANWEI_DISPATCH_MAX_CALL_SECONDS = float(
    os.environ.get("GUANWEI_DISPATCH_MAX_CALL_SECONDS", "300")
)
GUANWEI_REMOTE_PENDING_MAX_MINUTES = float(
    os.environ.get("GUANWEI_REMOTE_PENDING_MAX_MINUTES", "30")
)

# --- sec-mfa: two factors and API tokens (issue #9 §11, §14; docs/security.md) -------------
# GUANWEI_MFA: "required" (the default under GUANWEI_ENV=production) — reviewers, publishers,
# custodians, administrators (core.catalog.SECOND_FACTOR_PERMISSIONS) and Django staff enrol
# a TOTP authenticator before anything else; "optional" (the embedded demo, and any other
# profile) — offered on 账号安全, never forced; "off" — no gate. Whoever has enrolled is
# always asked for the code after the password (web.middleware.SecondFactorMiddleware).
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
_auth_mw = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
MIDDLEWARE[_auth_mw + 1 : _auth_mw + 1] = [
    "django_otp.middleware.OTPMiddleware",
    "guanwei.web.middleware.SecondFactorMiddleware",
]
GUANWEI_MFA = os.environ.get(
    "GUANWEI_MFA",
    "required" if GUANWEI_PRODUCTION else "optional",
).lower()
OTP_TOTP_ISSUER = os.environ.get("GUANWEI_OTP_ISSUER", "官微")
# API tokens: default lifetime in days (at most 365), see orgs.actions.create_api_token.
GUANWEI_API_TOKEN_DAYS = int(os.environ.get("GUANWEI_API_TOKEN_DAYS", "90"))
# --- end sec-mfa ----------------------------------------------------------------------------

# --- sec-tenancy: audit anchors (issue #9 §18; docs/security.md) ---------------------------
# The head of the audit chain (sequence, hash, time) is appended to this file, outside the
# database, by `guanwei audit anchor` and by the scheduler every hour; `guanwei audit verify`
# checks the chain against the last line (a deleted tail). Put it on other storage than the
# database (an append-only mount, another host's share). Optional webhook: each anchor is
# also POSTed there as JSON.
GUANWEI_AUDIT_ANCHOR_FILE = os.environ.get(
    "GUANWEI_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl")
)
GUANWEI_AUDIT_ANCHOR_WEBHOOK = os.environ.get("GUANWEI_AUDIT_ANCHOR_WEBHOOK", "")
# --- end sec-tenancy ----------------------------------------------------------------------

# --- the vault (issue 12 item 6; decision 0031, docs/deploy.md 密钥与凭据) -------------------
# The master key that wraps every secret's data key: GUANWEI_VAULT_KEY (base64 of 32 bytes)
# or GUANWEI_VAULT_KEY_FILE (a file holding that base64), never in the database. Outside
# the production profile, with neither set, var/vault-key.txt is made once (0600); the
# production profile refuses to pass its system check without one (vault.checks).
GUANWEI_VAULT_KEY = os.environ.get("GUANWEI_VAULT_KEY", "").strip()
GUANWEI_VAULT_KEY_FILE = os.environ.get("GUANWEI_VAULT_KEY_FILE", "").strip()
# aes (AES-256-GCM, the default) or sm4 (SM4-GCM; SM4-CBC with HMAC where GCM is missing)
GUANWEI_VAULT_CIPHER = os.environ.get("GUANWEI_VAULT_CIPHER", "aes").strip().lower() or "aes"
# --- end of the vault -----------------------------------------------------------------------

# ---------------------------------------------------------------- logins (issue 9 §10, §12, §13)
# sec-login's block: lockout (django-axes), session limits, password rules and hashing.
# MLPS 2.0 level 3 §8.1.4.1; docs/security.md "Logins", docs/deploy.md.
from datetime import timedelta  # noqa: E402

# §13 Argon2id first (argon2-cffi); PBKDF2 kept so that existing hashes are read and rewritten
# as Argon2 at their owner's next login (Django upgrades a hash made by a later hasher).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# §12 passwords: Django's validators, at least 12 characters; a password set by someone else
# (the pack loader's generated demo passwords, an administrator) must be changed by its owner
# at the first login — in the production profile, or wherever this is switched on.
GUANWEI_PASSWORD_MIN_LENGTH = int(os.environ.get("GUANWEI_PASSWORD_MIN_LENGTH", "12"))
for _validator in AUTH_PASSWORD_VALIDATORS:
    if str(_validator["NAME"]).endswith("MinimumLengthValidator"):
        _validator["OPTIONS"] = {"min_length": GUANWEI_PASSWORD_MIN_LENGTH}
GUANWEI_PASSWORD_CHANGE_AT_FIRST_LOGIN = _env_bool(
    "GUANWEI_PASSWORD_CHANGE_AT_FIRST_LOGIN",
    default=GUANWEI_PRODUCTION,  # the deployment profile above
)

# §12 sessions: logged out after GUANWEI_SESSION_IDLE_MINUTES without a request, and
# GUANWEI_SESSION_MAX_HOURS after the login whatever happens; the cookie dies with the browser.
GUANWEI_SESSION_IDLE_MINUTES = float(os.environ.get("GUANWEI_SESSION_IDLE_MINUTES", "30"))
GUANWEI_SESSION_MAX_HOURS = float(os.environ.get("GUANWEI_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = int(GUANWEI_SESSION_MAX_HOURS * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# §10 lockout (django-axes, on by default, the embedded demo too): GUANWEI_LOCKOUT_FAILURES
# failed logins for one login name, or from one address, lock that name or address for
# GUANWEI_LOCKOUT_MINUTES (a failure counts while it is less than that old); /login/ and
# /admin/login/ alike (the check is an authentication backend). Behind a reverse proxy set
# GUANWEI_PROXY_COUNT to the number of proxies that append to X-Forwarded-For.
GUANWEI_LOCKOUT = _env_bool("GUANWEI_LOCKOUT", default=True)
GUANWEI_LOCKOUT_FAILURES = int(os.environ.get("GUANWEI_LOCKOUT_FAILURES", "5"))
GUANWEI_LOCKOUT_MINUTES = float(os.environ.get("GUANWEI_LOCKOUT_MINUTES", "15"))
GUANWEI_PROXY_COUNT = int(os.environ.get("GUANWEI_PROXY_COUNT", "0"))
INSTALLED_APPS.append("axes")
AUTHENTICATION_BACKENDS = [
    "guanwei.web.logins.LockoutBackend",  # refuses a locked name or address before any hash
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "guanwei.web.logins.SessionLimitsMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes asks
AXES_ENABLED = GUANWEI_LOCKOUT
AXES_FAILURE_LIMIT = GUANWEI_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=GUANWEI_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_ON_SUCCESS = False  # a colleague's login from the same address resets nothing
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends when it said it would
AXES_LOCKOUT_CALLABLE = "guanwei.web.logins.lockout_response"
AXES_CLIENT_IP_CALLABLE = "guanwei.web.logins.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successes and logouts are in guanwei's own audit log
AXES_VERBOSE = False
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # type: ignore[index]
# ---------------------------------------------------------------- end of logins
