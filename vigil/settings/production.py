"""Production: every secret comes from the environment, none has a default."""

from .base import *  # noqa: F403
from .env import env

SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The backup key has no default either: `manage.py backup` refuses to run without one.
BACKUP_KEY_FILE = env.str("BACKUP_KEY_FILE", default="")
BACKUP_KEY_CREATE = False

# HTTPS is the default; `make run` on loopback turns it off explicitly.
HTTPS = env.bool("HTTPS", default=True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    VIGIL_PROXY_COUNT = 1
