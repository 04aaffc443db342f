"""Settings for govhall, read from the environment (12-factor).

Every value has a local default so that `make run` works on a fresh machine; a
production deployment sets at least SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and
DEBUG=0. The README has the full table.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GOVHALL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "govhall-local-development-key-not-for-production"

# Django's English technical 404/500 pages instead of the hall's own, when DEBUG is on.
GOVHALL_DEBUG_ERROR_PAGES = DEBUG and env_bool("GOVHALL_DEBUG_ERROR_PAGES", False)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# A refused form (expired page, other origin) gets the hall's Chinese 403 page.
CSRF_FAILURE_VIEW = "govhall.portal.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "govhall.core",
    "govhall.regions",
    "govhall.accounts",
    "govhall.catalog",
    "govhall.search",
    "govhall.records",
    "govhall.cases",
    "govhall.licences",
    "govhall.exchange",
    "govhall.monitoring",
    "govhall.spaces",
    "govhall.supervision",
    "govhall.assistant",
    "govhall.sharing",
    "govhall.payments",
    "govhall.payments.gatewaysim",
    "govhall.mobile",
    "govhall.baselib",
    "govhall.analysis",
    "govhall.operations",
    "django_tasks",
    "django_tasks_db",
    "govhall.portal",
    "govhall.workbench",
    "govhall.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A strict Content-Security-Policy with a per-request nonce (core/csp.py).
    "govhall.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "govhall.core.middleware.RequestIdMiddleware",
    # Control characters and unreadable bodies refused before any view (core.inputs).
    "govhall.core.middleware.InputGuardMiddleware",
    # Django's, except that background polls do not save the session (core/sessions.py).
    "govhall.core.sessions.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "govhall.core.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Chinese 404/400/500 pages with DEBUG on too (GOVHALL_DEBUG_ERROR_PAGES=1 for Django's);
    # last, so the pages know the signed-in user and CommonMiddleware still appends slashes.
    "govhall.core.middleware.ErrorPageMiddleware",
]

ROOT_URLCONF = "govhall.urls"
WSGI_APPLICATION = "govhall.wsgi.application"

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
                "govhall.portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# DATABASE_URL selects the database; the embedded default is SQLite in WAL mode with
# IMMEDIATE transactions so that concurrent writers queue instead of failing.
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'govhall.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "DATABASE_JIT", False
):
    # No JIT compilation: the hall's queries are short or index-driven, and compiling
    # them cost more than running them (1.2 s of a 2.7 s indicator query over 10 M
    # records, docs/monitoring.md). DATABASE_JIT=1 turns it back on.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The process records' conclusions index covers three columns on PostgreSQL; SQLite
# keeps it as a plain partial index, which is what Django's W040 warns about.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "workbench:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "portal:home"

# --- Language and time ------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
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
MEDIA_ROOT = VAR_DIR / "media"

# --- Security --------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(30 * 60)))
# Use renews a session at most once a minute (core/sessions.py), not on every request.
SESSION_SAVE_EVERY_REQUEST = False
GOVHALL_SESSION_RENEW_SECONDS = int(os.environ.get("SESSION_RENEW_SECONDS", "60"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # nginx redirects too; the app redirects whatever reaches it over plain HTTP, except
    # the probes the load balancer and Prometheus make on the local port.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
GOVHALL_CSP_REPORT_URI = os.environ.get("GOVHALL_CSP_REPORT_URI", "")

# --- API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "govhall.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "govhall.core.api.errors.exception_handler",
    # JSON with bounded nesting and no NUL (core.api.parsers); forms are checked earlier,
    # by InputGuardMiddleware.
    "DEFAULT_PARSER_CLASSES": [
        "govhall.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "600/minute"),
        "licence_verify": os.environ.get("LICENCE_VERIFY_RATE", "60/minute"),
    },
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "govhall API",
    "DESCRIPTION": "网上办事大厅开放接口 — the public and partner API of the online service hall.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc are served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Caching: in the operations block at the end (Redis when REDIS_URL is set) -------

# --- Logging ---------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "govhall.core.logging.RequestIdFilter"},
        "mask_ids": {"()": "govhall.core.logging.MaskIdNumbersFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "mask_ids"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each font and stylesheet it loads at INFO (licence PDFs, guides).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # runserver's request lines carry paths, which may hold ID numbers: mask them too.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- govhall ---------------------------------------------------------------------
# The province this installation serves (GB/T 2260 code); its hall is the main hall.
GOVHALL_PROVINCE_CODE = os.environ.get("GOVHALL_PROVINCE_CODE", "440000")
GOVHALL_SITE_NAME = os.environ.get("GOVHALL_SITE_NAME", "广东政务服务网")

# --- Identity (§4): accounts, single sign-on (OIDC), second factor --------------------
# Owned by the identity subsystem; docs/identity.md explains every value.
from govhall.accounts import keys as _identity_keys  # noqa: E402

INSTALLED_APPS += ["oauth2_provider", "django_otp", "django_otp.plugins.otp_totp"]
_auth_mw = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
MIDDLEWARE[_auth_mw + 1 : _auth_mw + 1] = [
    "django_otp.middleware.OTPMiddleware",
    "govhall.accounts.middleware.SecondFactorMiddleware",  # staff TOTP before anything else
    # A newer 用户服务协议 / 个人信息保护说明 is accepted before the person goes on.
    "govhall.accounts.middleware.LegalConsentMiddleware",
]
# The acting identity (person or company) of the session, checked against grants each request.
_msg_mw = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware")
MIDDLEWARE.insert(_msg_mw + 1, "govhall.accounts.middleware.ActingIdentityMiddleware")
# Sign in with username, citizen ID number or mobile phone; locked accounts are refused.
AUTHENTICATION_BACKENDS = ["govhall.accounts.backends.IdentityBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    # Legacy accounts keep their bcrypt hash until first sign-in, then move to PBKDF2.
    "django.contrib.auth.hashers.BCryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS += [
    {"NAME": "govhall.accounts.passwords.CharacterKindsValidator"},
    {"NAME": "govhall.accounts.passwords.PersonalNumbersValidator"},
]
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# ID numbers at rest: Fernet keys (first encrypts) and the blind-index HMAC key.
GOVHALL_FIELD_KEYS = _identity_keys.field_keys(VAR_DIR, DEBUG)
GOVHALL_BLIND_INDEX_KEY = _identity_keys.blind_index_key(VAR_DIR, DEBUG)
# One-time codes by SMS: console (default), file (var/sms/), locmem (tests) or a gateway class.
GOVHALL_SMS_BACKEND = os.environ.get("GOVHALL_SMS_BACKEND", "govhall.accounts.sms.ConsoleBackend")
GOVHALL_SMS_FILE_PATH = Path(os.environ.get("GOVHALL_SMS_FILE_PATH", VAR_DIR / "sms"))
# Online real-name verification against a trusted source; the fake is for development.
GOVHALL_REALNAME_VERIFIER = os.environ.get(
    "GOVHALL_REALNAME_VERIFIER", "govhall.accounts.verifiers.FakeVerifier"
)
# Staff must enrol a TOTP authenticator (on in production); enrolled staff always use it.
GOVHALL_STAFF_TOTP_REQUIRED = env_bool("GOVHALL_STAFF_TOTP_REQUIRED", not DEBUG)
GOVHALL_LOGIN_LOCKOUT = {
    "account_failures": int(os.environ.get("GOVHALL_LOCKOUT_FAILURES", "5")),
    "address_failures": int(os.environ.get("GOVHALL_LOCKOUT_ADDRESS_FAILURES", "50")),
    "window_minutes": 15,
    "lock_minutes": int(os.environ.get("GOVHALL_LOCKOUT_MINUTES", "15")),
}
# Minutes before expiry when the page warns that the session is about to end.
GOVHALL_SESSION_WARNING_MINUTES = 3
OTP_TOTP_ISSUER = GOVHALL_SITE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # TOTP secrets never shown in the admin
# The toolkit's models are swappable; naming them lets our migrations point at them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
_oidc_schemes = ["https", "http"] if env_bool("GOVHALL_OIDC_ALLOW_HTTP", DEBUG) else ["https"]
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _identity_keys.oidc_private_key(VAR_DIR, DEBUG),
    # Issuer: the site root (discovery at /.well-known/openid-configuration); fixed in production.
    "OIDC_ISS_ENDPOINT": os.environ.get("GOVHALL_OIDC_ISSUER", ""),
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "govhall.accounts.oidc.validators.GovhallValidator",
    "SCOPES_BACKEND_CLASS": "govhall.accounts.oidc.scopes.ClientScopes",
    "SCOPES": {
        "openid": "OpenID Connect 登录",
        "profile": "姓名、实名等级",
        "phone": "手机号码",
        "email": "电子邮箱",
        "id_number": "身份证号码",
        "company": "当前代办的法人（企业）",
        "staff": "工作人员所属部门与岗位",
        # Exchange clients (client credentials) pushing process records (§8).
        "exchange": "数据交换：报送办件过程信息、查看数据质量反馈",
        # Department systems (client credentials) reading shared data under approvals (§11).
        "sharing": "数据共享：在获准范围内调用基础库共享数据",
    },
    "DEFAULT_SCOPES": ["openid"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 8 * 3600,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "auto",
    # Plain http redirect URIs only for development and tests (GOVHALL_OIDC_ALLOW_HTTP).
    "ALLOWED_REDIRECT_URI_SCHEMES": _oidc_schemes,
    "ALLOWED_SCHEMES": _oidc_schemes,
    # OAuth 2.0 Security BCP (RFC 9700): only code + PKCE S256, tokens stored hashed.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # Advertised in both discovery documents: what the token endpoint serves (no device
    # code endpoint exists; implicit and password are off by the RFC 9700 gates anyway).
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token", "client_credentials"],
}

# --- cases (§5): background work and notifications ------------------------------------
# The task queue's broker is the database by default (``manage.py db_worker`` runs the
# worker; ``make run`` starts one). Tests run tasks inline with the immediate backend.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("GOVHALL_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The hall's public address: printed in licence QR codes (verification links) and share
# links. Set it in production (README, "Production"). In development it is derived from
# the serving address: ``make run`` exports http://HOST:PORT to the server, the worker and
# the scheduler, and with DEBUG on and no setting, pages use the address they were
# requested at (``core.services.public_url``).
GOVHALL_PUBLIC_URL_SET = bool(os.environ.get("GOVHALL_PUBLIC_URL"))
GOVHALL_PUBLIC_URL = os.environ.get("GOVHALL_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# The parent hall's process-records endpoint (docs/exchange.md, "Pushing to a parent
# hall"); empty keeps the records local (the monitoring subsystem reads them here).
GOVHALL_EXCHANGE_URL = os.environ.get("GOVHALL_EXCHANGE_URL", "")
# OAuth2 client credentials at the parent's token endpoint; without a token URL the
# static bearer token GOVHALL_EXCHANGE_TOKEN is sent instead.
GOVHALL_EXCHANGE_TOKEN_URL = os.environ.get("GOVHALL_EXCHANGE_TOKEN_URL", "")
GOVHALL_EXCHANGE_CLIENT_ID = os.environ.get("GOVHALL_EXCHANGE_CLIENT_ID", "")
GOVHALL_EXCHANGE_CLIENT_SECRET = os.environ.get("GOVHALL_EXCHANGE_CLIENT_SECRET", "")
GOVHALL_EXCHANGE_SCOPE = os.environ.get("GOVHALL_EXCHANGE_SCOPE", "")
GOVHALL_EXCHANGE_TOKEN = os.environ.get("GOVHALL_EXCHANGE_TOKEN", "")
# Alert (and mail ADMINS) when a record has waited this long undelivered (§8: 12 hours).
# Data sharing (§11): days the owner has to answer a request, and the reminder before.
GOVHALL_SHARING_DECISION_DAYS = int(os.environ.get("GOVHALL_SHARING_DECISION_DAYS", "10"))
GOVHALL_SHARING_REMIND_DAYS = int(os.environ.get("GOVHALL_SHARING_REMIND_DAYS", "2"))
GOVHALL_EXCHANGE_ALERT_HOURS = float(os.environ.get("GOVHALL_EXCHANGE_ALERT_HOURS", "12"))
# How long a worker holds the batch it is sending; a killed worker's batch is sent again
# (the parent answers "duplicate" for what it already has) once this has passed.
GOVHALL_EXCHANGE_LEASE_SECONDS = int(os.environ.get("GOVHALL_EXCHANGE_LEASE_SECONDS", "300"))
# Who hears about undelivered process records and other operational alerts
# (mail_admins): "Name <address>, Name <address>".
ADMINS = [
    (name.strip() or address.strip(), address.strip().strip("<>"))
    for name, _, address in (
        entry.strip().rpartition(" ")
        for entry in os.environ.get("GOVHALL_ADMINS", "").split(",")
        if entry.strip()
    )
]
SERVER_EMAIL = os.environ.get("GOVHALL_SERVER_EMAIL", "govhall@localhost")
# Uploaded materials: largest file and accepted types.
GOVHALL_UPLOAD_MAX_BYTES = int(os.environ.get("GOVHALL_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
GOVHALL_UPLOAD_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
# Staff are reminded this many working days before a step is due (yellow-card lead time).
GOVHALL_REMINDER_WORKING_DAYS = int(os.environ.get("GOVHALL_REMINDER_WORKING_DAYS", "1"))

# --- operations (§13): shared state, client address, scheduler, metrics, backups --------
# Owned by govhall/operations; docs/deployment.md lists every variable.
# Cache, rate limits and the search vocabulary's version live in Redis when REDIS_URL is
# set (every app process then counts the same limits); without it each process keeps
# them in its own memory, which is right for one process only (`make run` says which).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("GOVHALL_CACHE_PREFIX", "govhall"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "govhall"}
    )
}
# The client address (rate limits, login lockout, audit log, logs): the TCP peer, unless
# it is a trusted proxy — then the address that proxy put in X-Forwarded-For. Either a
# count of proxies in front (nginx alone: 1) or their networks (CIDRs); default: none.
GOVHALL_TRUSTED_PROXY_COUNT = int(os.environ.get("GOVHALL_TRUSTED_PROXY_COUNT", "0"))
GOVHALL_TRUSTED_PROXIES = env_list("GOVHALL_TRUSTED_PROXIES", "")
MIDDLEWARE.insert(0, "govhall.operations.middleware.ClientAddressMiddleware")
_request_id_mw = MIDDLEWARE.index("govhall.core.middleware.RequestIdMiddleware")
MIDDLEWARE.insert(_request_id_mw + 1, "govhall.operations.middleware.RequestMetricsMiddleware")
REST_FRAMEWORK["NUM_PROXIES"] = 0  # DRF never reads X-Forwarded-For itself
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["govhall.operations.throttling.AnonRateThrottle"]
# Extra modules whose periodic jobs the scheduler runs (besides every app's jobs.py).
GOVHALL_JOB_MODULES = env_list("GOVHALL_JOB_MODULES", "")
GOVHALL_SCHEDULER_LEASE_SECONDS = float(os.environ.get("GOVHALL_SCHEDULER_LEASE_SECONDS", "60"))
GOVHALL_SCHEDULER_HEARTBEAT_SECONDS = float(
    os.environ.get("GOVHALL_SCHEDULER_HEARTBEAT_SECONDS", "10")
)
# Readiness fails when no scheduler has beaten for this long (0: not checked).
GOVHALL_SCHEDULER_STALE_SECONDS = float(os.environ.get("GOVHALL_SCHEDULER_STALE_SECONDS", "120"))
# /metrics: a bearer token, or a client address in these networks, or a staff session.
GOVHALL_METRICS_TOKEN = os.environ.get("GOVHALL_METRICS_TOKEN", "")
GOVHALL_METRICS_ALLOW = env_list("GOVHALL_METRICS_ALLOW", "127.0.0.1/32,::1/128")
# Logs: "json" (one object a line: request id, user id, route) or "plain".
GOVHALL_LOG_FORMAT = os.environ.get("GOVHALL_LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING["formatters"]["json"] = {"()": "govhall.operations.logs.JsonFormatter"}
LOGGING["handlers"]["console"]["formatter"] = GOVHALL_LOG_FORMAT
LOGGING["loggers"]["govhall.request"] = {
    "level": os.environ.get("GOVHALL_REQUEST_LOG", "WARNING" if DEBUG else "INFO")
}
# Read replica: dashboards and open data read there when DATABASE_REPLICA_URL is set.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"],
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        ),
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        "TEST": {"MIRROR": "default"},
    }
# The alias dashboards read from: "replica" when DATABASE_REPLICA_URL is set, else none.
GOVHALL_READ_REPLICA = "replica" if "replica" in DATABASES else ""
DATABASE_ROUTERS = ["govhall.operations.routers.ReplicaRouter"]
GOVHALL_REPLICA_PATHS = env_list(
    "GOVHALL_REPLICA_PATHS", "/workbench/monitoring/,/api/v1/monitoring/,/api/v1/open-data/"
)
MIDDLEWARE.append("govhall.operations.routers.ReplicaReadsMiddleware")
# Backups: the data key encrypts database and media; the key-files key encrypts the
# key files separately (docs/deployment.md, "Backups"). Both are secrets.
GOVHALL_BACKUP_KEY = os.environ.get("GOVHALL_BACKUP_KEY", "")
GOVHALL_BACKUP_KEYS_KEY = os.environ.get("GOVHALL_BACKUP_KEYS_KEY", "")
GOVHALL_BACKUP_DIR = Path(os.environ.get("GOVHALL_BACKUP_DIR", VAR_DIR / "backups"))
# Signed audit-chain checkpoints (JSON lines, append only): keep them where the database
# writer cannot rewrite them (own volume, chattr +a); docs/deployment.md.
GOVHALL_AUDIT_CHECKPOINTS = Path(
    os.environ.get("GOVHALL_AUDIT_CHECKPOINTS", VAR_DIR / "audit-checkpoints" / "checkpoints.jsonl")
)
# Alerts go out by mail (mail_admins): the SMTP relay; EMAIL_HOST_PASSWORD is a secret.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10

# Online consultation (govhall/assistant): the hours agents answer in real time on working
# days ("HH:MM-HH:MM", Asia/Shanghai); outside them a hand-over becomes a written
# consultation answered within GOVHALL_WRITTEN_ANSWER_DAYS working days.
GOVHALL_CONSULTATION_HOURS = os.environ.get("GOVHALL_CONSULTATION_HOURS", "08:30-17:30")
GOVHALL_WRITTEN_ANSWER_DAYS = int(os.environ.get("GOVHALL_WRITTEN_ANSWER_DAYS", "3"))

# --- payments (docs/payments.md) ---
GOVHALL_PAYMENT_PROVIDER = os.environ.get("GOVHALL_PAYMENT_PROVIDER", "sim")
GOVHALL_PAYMENT_PROVIDERS = {"sim": "govhall.payments.gateways.sim.SimGateway"}
# Where the platform reaches the gateway: a path is this process (the bundled gateway),
# an http(s) URL another one.
GOVHALL_PAYMENT_SIM_URL = os.environ.get("GOVHALL_PAYMENT_SIM_URL", "/gateway-sim")
# Where the payer's browser reaches the gateway's pages.
GOVHALL_PAYMENT_SIM_PUBLIC_URL = os.environ.get("GOVHALL_PAYMENT_SIM_PUBLIC_URL", "/gateway-sim")
GOVHALL_PAYMENT_SIM_PUBLIC_KEY = os.environ.get("GOVHALL_PAYMENT_SIM_PUBLIC_KEY", "")
# "job": the gateway's retry job sends its notifications; "drop": they never arrive.
GOVHALL_PAYMENT_SIM_NOTIFY = os.environ.get("GOVHALL_PAYMENT_SIM_NOTIFY", "job")
# The platform's address as the gateway calls it back ("" = this process, by path).
GOVHALL_PAYMENT_CALLBACK_BASE = os.environ.get("GOVHALL_PAYMENT_CALLBACK_BASE", "")

# Third-party channels (govhall/channels, docs/channels.md): OAuth2 clients of the hall's
# provider with their own scopes, a rate limit per channel and calls counted per day.
INSTALLED_APPS += ["govhall.channels"]
OAUTH2_PROVIDER["SCOPES"].update(
    {
        "cases": "以您的名义申办事项、查看您的办件进度和评价办件",
        "licences": "查看您的电子证照（仅在您同意时）",
        "payments": "查询和缴纳您办件的费用",
    }
)
MIDDLEWARE.append("govhall.channels.middleware.ChannelMiddleware")
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    *REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"],
    "govhall.channels.throttling.ChannelRateThrottle",
]

# Process records partitioned by month on PostgreSQL (records.services.partitions): off
# until lookups by case number are bounded by month (docs/performance.md); a deployment
# sets it before migrating, or runs `manage.py partition_records` later.
GOVHALL_RECORDS_PARTITIONED = env_bool("GOVHALL_RECORDS_PARTITIONED", False)
