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
# Behind reverse proxies: how many (each appends the address it saw to X-Forwarded-For),
# and optionally their addresses. A system check refuses to start with a setting that
# would let a client pick its own address (vigil/accounts/checks.py).
VIGIL_BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
VIGIL_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
VIGIL_TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if VIGIL_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
