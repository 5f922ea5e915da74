"""Settings shared by every environment, safe for production.

Nothing here has a secret default: `production.py` demands what it needs and
`dev.py`/`test.py` supply throw-away values.
"""

import datetime as dt
import zoneinfo

from .env import (
    BASE_DIR,
    VAR_DIR,
    database_from_env,
    email_from_env,
    env,
    mail_from,
    mirror_s3_providers_from_env,
)

PROJECT_DIR = BASE_DIR / "vigil"

DEBUG = False

INSTALLED_APPS = [
    "vigil.core",
    "vigil.images",
    "vigil.library",
    "vigil.pages",
    "vigil.news",
    "vigil.cases",
    "vigil.support",
    "vigil.actions",
    "vigil.languages",
    "vigil.sources",
    "vigil.mirror",
    "vigil.partners",
    "vigil.press",
    "vigil.search",
    "vigil.demo",
    "vigil.wordpress",
    "vigil.accounts",
    "vigil.ratelimits",
    "vigil.backups",
    "vigil.pagecache",
    "vigil.sharing",
    "django_tasks",
    "django_tasks_db",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_countries",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "vigil.core.middleware.PermissionsPolicyMiddleware",
    "vigil.core.middleware.CrossOriginResourcePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vigil.pagecache.middleware.CacheHeadersMiddleware",
    "vigil.pagecache.middleware.QueryParametersMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "vigil.accounts.language.AdminDoorLanguageMiddleware",
    "vigil.core.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "vigil.accounts.middleware.AdminAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "vigil.core.middleware.PreviewFramingMiddleware",
    "vigil.core.middleware.AdminContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "vigil.wordpress.middleware.WordPressQueryRedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vigil.urls"
WSGI_APPLICATION = "vigil.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "vigil.mirror.context_processors.mirror",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(VAR_DIR / "vigil.sqlite3")}

# Background work (vigil/core/tasks.py): tasks are rows in the database, enqueued in the
# transaction of the change that needs them and run by `manage.py worker` (Wagtail's own
# run at once: vigil/core/task_backend.py).
TASKS = {
    "default": {
        "BACKEND": "vigil.core.task_backend.TaskBackend",
        "QUEUES": ["default", "mailings", "slow"],
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

# Argon2id first; older hashes still verify and are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English is the default and is served without a URL prefix;
# Russian at /ru/ and Kazakh at /kk/. Names are endonyms: the language switcher shows
# each language in itself.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("kk", "Қазақша")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# The editor's account page offers these. Debian's tz database also lists file names
# such as "localtime" and "posixrules", which browsers refuse ("Invalid time zone"),
# and Wagtail's page then stops labelling the zones.
WAGTAIL_USER_TIME_ZONES = sorted(
    zone
    for zone in zoneinfo.available_timezones()
    if zone not in {"localtime", "posixrules", "Factory"}
)
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["vigil.formats"]

STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATIC_URL = "/static/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media is served by Django only where no front server does it (make run).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)

vars().update(email_from_env())
# updates@ the site's host unless set (vigil/settings/env.py says why).
DEFAULT_FROM_EMAIL = mail_from(env.str("BASE_URL", default="http://127.0.0.1:8000"))[0]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Request bodies: public forms are small, so anything larger outside the admin is refused
# with 413 before it is read; the admin takes uploads up to the library and image caps.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
VIGIL_MAX_REQUEST_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE
# `manage.py serve` reads request bodies before Django does (vigil/core/server.py): a
# body may take this long, then must keep coming at SERVER_BODY_MIN_RATE bytes a second
# on average, or it is cut off with 408. A worker reads at most SERVER_BODIES_READING
# bodies at once (SERVER_BODIES_READING_PER_PEER from one address) and answers 503
# beyond: a waiting body costs memory, never one of Django's threads.
SERVER_BODY_GRACE_SECONDS = env.float("SERVER_BODY_GRACE_SECONDS", default=10.0)
SERVER_BODY_MIN_RATE = env.int("SERVER_BODY_MIN_RATE", default=4096)
SERVER_BODIES_READING = env.int("SERVER_BODIES_READING", default=64)
SERVER_BODIES_READING_PER_PEER = env.int("SERVER_BODIES_READING_PER_PEER", default=8)
# A slow or dead mail server must not hold a signer's request for long.
EMAIL_TIMEOUT = 15

# Petitions and email updates (vigil/actions).
# Confirmation links work for a week; withdraw and unsubscribe links never expire.
ACTIONS_CONFIRM_MAX_AGE = 7 * 24 * 3600
# A form sent back sooner than this after it was shown is taken for a bot.
ACTIONS_FORM_MIN_SECONDS = env.float("ACTIONS_FORM_MIN_SECONDS", default=3.0)
# A form's stamp works once, for this long after the form was shown (seconds).
ACTIONS_FORM_MAX_AGE = 24 * 3600
# Mail queued by the public forms (the outbox) per sliding minute, site-wide and to one
# recipient domain: beyond them mail waits in the queue, so the petition cannot be used
# to spam one domain (or the world) from many addresses.
ACTIONS_MAIL_PER_MINUTE = env.int("ACTIONS_MAIL_PER_MINUTE", default=120)
ACTIONS_MAIL_PER_DOMAIN_PER_MINUTE = env.int("ACTIONS_MAIL_PER_DOMAIN_PER_MINUTE", default=30)
# Sent (or given-up) outbox rows, already emptied of address and content, are deleted
# after this many seconds.
ACTIONS_OUTBOX_RETENTION = 3600
# Signing and subscribing per IP address: (requests, seconds). Generous, because many
# readers in Kazakhstan share one address behind mobile carrier NAT.
ACTIONS_RATE_LIMIT = (env.int("ACTIONS_RATE_LIMIT", default=30), 600)
# Confirmation emails to one address per hour, so nobody can flood an inbox.
ACTIONS_EMAIL_LIMIT = 3
ACTIONS_RECENT_SIGNERS = 10
# Searches per IP address: (requests, seconds).
SEARCH_RATE_LIMIT = (env.int("SEARCH_RATE_LIMIT", default=60), 60)
# Renders of public pages for addresses whose query string the page uses (search,
# filters, old WordPress links) per IP address: (requests, seconds). Counted and
# refused with 429 before Django (vigil/pagecache/wsgi.py); cached pages are not counted.
PAGE_CACHE_QUERY_RATE_LIMIT = (env.int("PAGE_CACHE_QUERY_RATE_LIMIT", default=60), 60)

# Editors (vigil/accounts). Two-factor authentication (TOTP, recovery codes) before any
# admin page; dev and test settings turn it off.
VIGIL_REQUIRE_2FA = True
OTP_TOTP_ISSUER = "Vigil"
# An admin session left alone this long is signed out.
VIGIL_ADMIN_IDLE_SECONDS = 30 * 60
# Password reset requests per sliding hour, for one address and from one IP address.
VIGIL_PASSWORD_RESET_PER_ADDRESS = 3
VIGIL_PASSWORD_RESET_PER_IP = 10
# Sign-in attempts per IP address, whatever the user name: (requests, seconds).
VIGIL_SIGNIN_RATE_LIMIT = (30, 600)
# Failed sign-ins never lock an account (a stranger could then lock an editor out):
# after AXES_FAILURE_LIMIT failures for one user name from one address, or
# VIGIL_SIGNIN_ACCOUNT_CEILING for one user name from all addresses together (within
# AXES_COOLOFF_TIME of the last), the sign-in asks for a two-factor code *before* it
# checks the password (vigil/accounts/signin.py). django-axes only counts the failures.
AXES_FAILURE_LIMIT = 5
VIGIL_SIGNIN_ACCOUNT_CEILING = 10
AXES_LOCK_OUT_AT_FAILURE = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "vigil.core.services.axes_client_ip"
# The audit log records sign-ins; axes' own log of them (with browsers' user agents) is
# not kept, and the code typed at a code-first sign-in is masked like the password.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["code"]
# Reverse proxies in front of Vigil whose X-Forwarded-For is trusted (production reads
# BEHIND_PROXY, PROXY_COUNT and TRUSTED_PROXIES); limits key on the reader's address.
VIGIL_BEHIND_PROXY = False
VIGIL_PROXY_COUNT = 0
VIGIL_TRUSTED_PROXIES: list[str] = []
# New editors set up two-factor through a one-time link (sent to their address); it
# lasts this long.
VIGIL_ENROLMENT_LINK_DAYS = 7
# Retention (`manage.py accounts_purge`, hourly in `serve`): editors' IP addresses are
# removed from audit-log entries older than this, and django-axes' rows older than this
# are deleted (failure counts themselves expire after AXES_COOLOFF_TIME).
VIGIL_AUDIT_IP_DAYS = 30
VIGIL_AXES_LOG_DAYS = 30

WAGTAIL_SITE_NAME = "Vigil"
# The static copy (manage.py export_site). The key is made by `manage.py mirror_key --create`
# (make run does); with MIRROR_EXPORT_DIR set, `serve` refreshes that copy after each publish.
MIRROR_SIGNING_KEY = env.path("MIRROR_SIGNING_KEY", default=VAR_DIR / "mirror-signing-key")
MIRROR_EXPORT_DIR = env.str("MIRROR_EXPORT_DIR", default="")
# Buckets a copy is published to (`export_site --publish s3://bucket/prefix`): each
# provider's endpoint, region and keys, from MIRROR_S3_* (see env.py).
MIRROR_S3_PROVIDERS = mirror_s3_providers_from_env()

# Backups (manage.py backup) are encrypted and authenticated with this key: the key itself
# (BACKUP_KEY, base64 of 32 random bytes) or a file holding it (BACKUP_KEY_FILE, mode 0600).
# Without the key a backup cannot be restored: keep a copy off the machine. Outside
# production a missing key file is created on the first backup; production refuses.
BACKUP_KEY = env.str("BACKUP_KEY", default="")
BACKUP_KEY_FILE = env.path("BACKUP_KEY_FILE", default=VAR_DIR / "backup-key")
BACKUP_KEY_CREATE = True

# Public pages are kept as files here and served before Django's middleware
# (vigil/pagecache); every change deletes exactly the pages that showed it. Empty: off.
PAGE_CACHE_DIR = env.str("PAGE_CACHE_DIR", default=str(VAR_DIR / "page-cache"))
# How long a CDN or protective proxy may keep a public page (browsers always revalidate).
PAGE_CACHE_SHARED_MAX_AGE = env.int("PAGE_CACHE_SHARED_MAX_AGE", default=60)
# A CDN to purge when pages change: an HTTP cache that accepts PURGE (Varnish, nginx
# cache_purge), or Cloudflare with an API token and zone.
WAGTAILFRONTENDCACHE = {}
if env.str("FRONTEND_CACHE_PURGE_URL", default=""):
    WAGTAILFRONTENDCACHE["http"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env.str("FRONTEND_CACHE_PURGE_URL"),
    }
if env.str("CLOUDFLARE_API_TOKEN", default=""):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "BEARER_TOKEN": env.str("CLOUDFLARE_API_TOKEN"),
        "ZONEID": env.str("CLOUDFLARE_ZONE_ID"),
    }
MIRROR_BASE_URL = env.str("MIRROR_BASE_URL", default="")

WAGTAILADMIN_BASE_URL = env.str("BASE_URL", default="http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "images.CampaignImage"
WAGTAILDOCS_DOCUMENT_MODEL = "library.LibraryDocument"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Library uploads are checked by content (vigil/library/services.py); this is the size cap.
LIBRARY_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
WAGTAILDOCS_MAX_UPLOAD_SIZE = LIBRARY_MAX_UPLOAD_BYTES
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Pixels of a picture (all frames), read from its header before it is decoded: 40 MP
# takes every phone's and most cameras' pictures; decoding one costs a worker ~120 MB
# (Wagtail's default, 128 MP, let a 121 MP PNG take a worker from 170 to 511 MB).
# vigil/images/apps.py gives Pillow the same limit.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_IMAGE_FORM_BASE = "vigil.images.forms.CampaignImageForm"
# The admin's cap on a request body: the largest upload and room for the form around it.
VIGIL_ADMIN_MAX_REQUEST_BYTES = (
    max(LIBRARY_MAX_UPLOAD_BYTES, WAGTAILIMAGES_MAX_UPLOAD_SIZE) + 1024 * 1024
)
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt", "csv", "docx", "odt", "xlsx", "ods", "png", "jpg", "jpeg"]
# Wagtail's database backend, ranking every match in one pass on SQLite
# (vigil/search/database.py).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "vigil.search.database"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One text-search configuration per language (vigil/search/backends.py); PostgreSQL
    # has no Kazakh dictionary, so Kazakh is matched word for word.
    WAGTAILSEARCH_BACKENDS["default"] = {
        "BACKEND": "vigil.search.backends",
        "SEARCH_CONFIG": "english",
        "LANGUAGE_CONFIGS": {"en": "english", "ru": "russian", "kk": "simple"},
    }
# Every rich text field and block in the admin cleans what is posted (vigil/core/widgets.py).
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "vigil.core.widgets.SanitisingDraftailRichTextArea"}
}
WAGTAILEMBEDS_RESPONSIVE_HTML = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Avatars are the admin's own picture or one uploaded: Gravatar would be sent each
# editor's email hash and address. Nothing in the admin calls a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_MODERATION_ENABLED = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of Vigil uses (vigil/core/middleware.py).
PERMISSIONS_POLICY = {
    "accelerometer": "()",
    "camera": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "magnetometer": "()",
    "microphone": "()",
    "payment": "()",
    "usb": "()",
    # FLoC's "interest-cohort" is gone from browsers (Chromium logs it as unknown); its
    # successor is Topics.
    "browsing-topics": "()",
}

# No inline script or style anywhere on the public site. The admin has its own policy,
# below (vigil/core/middleware.py AdminContentSecurityPolicyMiddleware).
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

# The strictest policy Wagtail's admin was measured to work under (README, Security):
# the main screens driven in a browser under it (vigil/core/tests/test_admin_csp.py).
ADMIN_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    # Wagtail 8's admin starts its settings forms, page editor, chooser modals and date
    # pickers with inline scripts carrying page data, and jQuery UI sets inline styles:
    # without 'unsafe-inline' those screens break (measured in test_admin_csp.py). Every
    # other directive stays at 'self', so an injected script can load nothing and send
    # nothing anywhere but this site.
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Cross-Origin-Resource-Policy (vigil/core/middleware.py): same-origin, except for the
# public files under these prefixes, which other sites may embed.
CROSS_ORIGIN_EMBEDDABLE_PREFIXES = ["/media/images/", "/share/"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Tokens of email links (confirm, withdraw, unsubscribe, password reset) never reach
    # the log, though Django logs the path of every 4xx.
    "filters": {"tokens": {"()": "vigil.actions.log_filters.TokenRedactFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["tokens"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
