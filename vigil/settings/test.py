"""Test settings: fast hashing, in-memory mail, no static manifest."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-" + "x" * 40
# A fixed key, so that a restore in another test process opens the test's backups.
BACKUP_KEY = "dGVzdC1vbmx5LWJhY2t1cC1rZXktbm90LXNlY3JldCE="
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
SERVE_MEDIA = True
WAGTAILADMIN_BASE_URL = "http://testserver"
# Static files straight from the app folders: no collectstatic before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests that check two-factor enforcement turn it on themselves.
VIGIL_REQUIRE_2FA = False
# The page cache is tested on its own (vigil/pagecache/tests), with a folder per test.
PAGE_CACHE_DIR = ""
