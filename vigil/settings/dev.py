"""Local development: Django's runserver, DEBUG on, a throw-away secret key."""

from .base import *  # noqa: F403
from .env import env

DEBUG = True
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-" + "x" * 40)
ALLOWED_HOSTS = ["*"]
SERVE_MEDIA = True
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Two-factor authentication would stand in the way of every local sign-in.
VIGIL_REQUIRE_2FA = False
