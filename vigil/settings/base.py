"""Settings shared by every environment, safe for production.

Nothing here has a secret default: `production.py` demands what it needs and
`dev.py`/`test.py` supply throw-away values.
"""

from .env import BASE_DIR, VAR_DIR, database_from_env, email_from_env, env

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
    "vigil.search",
    "vigil.demo",
    "vigil.wordpress",
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
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "vigil.wordpress.middleware.WordPressQueryRedirectMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

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
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["vigil.formats"]

STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
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
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="campaign@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# A slow or dead mail server must not hold a signer's request for long.
EMAIL_TIMEOUT = 15

# Petitions and email updates (vigil/actions).
# Confirmation links work for a week; withdraw and unsubscribe links never expire.
ACTIONS_CONFIRM_MAX_AGE = 7 * 24 * 3600
# A form sent back sooner than this after it was shown is taken for a bot.
ACTIONS_FORM_MIN_SECONDS = env.float("ACTIONS_FORM_MIN_SECONDS", default=3.0)
# Signing and subscribing per IP address: (requests, seconds). Generous, because many
# readers in Kazakhstan share one address behind mobile carrier NAT.
ACTIONS_RATE_LIMIT = (env.int("ACTIONS_RATE_LIMIT", default=30), 600)
# Confirmation emails to one address per hour, so nobody can flood an inbox.
ACTIONS_EMAIL_LIMIT = 3
ACTIONS_RECENT_SIGNERS = 10

WAGTAIL_SITE_NAME = "Vigil"
# The static copy (manage.py export_site). The key is made by `manage.py mirror_key --create`
# (make run does); with MIRROR_EXPORT_DIR set, `serve` refreshes that copy after each publish.
MIRROR_SIGNING_KEY = env.path("MIRROR_SIGNING_KEY", default=VAR_DIR / "mirror-signing-key")
MIRROR_EXPORT_DIR = env.str("MIRROR_EXPORT_DIR", default="")
MIRROR_BASE_URL = env.str("MIRROR_BASE_URL", default="")

WAGTAILADMIN_BASE_URL = env.str("BASE_URL", default="http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "images.CampaignImage"
WAGTAILDOCS_DOCUMENT_MODEL = "library.LibraryDocument"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Library uploads are checked by content (vigil/library/services.py); this is the size cap.
LIBRARY_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
WAGTAILDOCS_MAX_UPLOAD_SIZE = LIBRARY_MAX_UPLOAD_BYTES
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt", "csv", "docx", "odt", "xlsx", "ods", "png", "jpg", "jpeg"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One text-search configuration per language (vigil/search/backends.py); PostgreSQL
    # has no Kazakh dictionary, so Kazakh is matched word for word.
    WAGTAILSEARCH_BACKENDS["default"] = {
        "BACKEND": "vigil.search.backends",
        "SEARCH_CONFIG": "english",
        "LANGUAGE_CONFIGS": {"en": "english", "ru": "russian", "kk": "simple"},
    }
WAGTAILEMBEDS_RESPONSIVE_HTML = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere on the public site. The Wagtail admin needs
# inline code of its own, so it is left out of the policy.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
