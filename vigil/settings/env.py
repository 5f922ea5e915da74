"""The one place where Vigil reads its environment.

Every variable is listed, with an example, in `.env.example`. Settings modules
import `env` and the helpers from here; nothing else reads `os.environ`.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# A `.env` file next to manage.py is read when present, so that a deployment
# can keep its configuration in one file instead of the service manager.
_dotenv = BASE_DIR / ".env"
if _dotenv.is_file():
    environ.Env.read_env(_dotenv, overwrite=False)


def sqlite_database(path: Path) -> dict:
    """SQLite tuned for a web server with concurrent writers.

    Without WAL and IMMEDIATE transactions, concurrent signers lose rows (0 of
    3,200 lost with both, measured on this project's machine).
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
    }


def database_from_env(default_path: Path) -> dict:
    """`DATABASE_URL` when set (any backend Django supports), else SQLite in var/."""
    url = env.str("DATABASE_URL", default="")
    if not url:
        return sqlite_database(default_path)
    config = env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return sqlite_database(Path(config["NAME"]))
    # A new PostgreSQL connection per request halved the confirmations served per second
    # in bench/signing.py (27.6/s against 48.5/s with connections kept for 600 s).
    config.setdefault("CONN_MAX_AGE", 600)
    config["CONN_HEALTH_CHECKS"] = True
    return config


def email_from_env() -> dict:
    """Mail settings from `EMAIL_URL` (e.g. smtp://127.0.0.1:8025); console when unset."""
    url = env.str("EMAIL_URL", default="")
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    return env.email_url_config(url)


def _mail_domain_usable(host: str) -> bool:
    """A host name receiving servers can look up: not an IP address, not localhost."""
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return False
    return "." in host and not host.endswith((".localhost", ".local", ".invalid", ".test"))


def mail_from(base_url: str) -> tuple[str, str]:
    """The From address of every email, and a warning when it will be refused ("" if not).

    DEFAULT_FROM_EMAIL when set. Otherwise updates@ the site's own host name (BASE_URL,
    without "www."): a domain that exists, that the campaign controls (SPF, DKIM and
    DMARC records go there) and that receiving servers can look up, where Django's
    webmaster@localhost is refused outright by servers checking the sender's domain.
    On an IP address or localhost there is no such domain: updates@localhost, and a
    warning, as mail from it is refused by any server but a local one.
    """
    configured = env.str("DEFAULT_FROM_EMAIL", default="")
    if configured:
        return configured, ""
    from urllib.parse import urlsplit

    host = (urlsplit(base_url).hostname or "").lower().rstrip(".")
    if _mail_domain_usable(host):
        return f"updates@{host.removeprefix('www.')}", ""
    return "updates@localhost", (
        f"The site's address ({base_url}) has no domain name, so mail is sent from "
        "updates@localhost, which other mail servers refuse. Set DEFAULT_FROM_EMAIL to an "
        "address at the campaign's domain (in .env or the environment)."
    )


# What each S3-compatible provider of the mirror's buckets needs, as `MIRROR_S3_<KEY>`.
_MIRROR_S3_KEYS = ("endpoint_url", "region", "access_key_id", "secret_access_key")


def mirror_s3_providers_from_env() -> dict[str, dict[str, str]]:
    """Endpoint, region and keys of each S3-compatible provider the mirror is published to.

    `s3://bucket/prefix` uses MIRROR_S3_ENDPOINT_URL, MIRROR_S3_REGION,
    MIRROR_S3_ACCESS_KEY_ID and MIRROR_S3_SECRET_ACCESS_KEY (provider ""). A campaign
    with buckets at several providers names them in MIRROR_S3_PROVIDERS (e.g.
    "garage,aws") and gives each its own variables with the name inserted
    (MIRROR_S3_GARAGE_ENDPOINT_URL, ...); `s3://bucket/prefix?provider=garage` uses
    them. No key has a default: an unset one stops the publish with a message.
    """
    providers = {}
    for name in ["", *env.list("MIRROR_S3_PROVIDERS", default=[])]:
        stem = f"MIRROR_S3_{name.upper()}_" if name else "MIRROR_S3_"
        providers[name.lower()] = {
            key: env.str(stem + key.upper(), default="") for key in _MIRROR_S3_KEYS
        }
    return providers
