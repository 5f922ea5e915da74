"""The mail worker `manage.py serve` runs every few seconds (registered in apps.py)."""

from .mailings import mailings_process
from .privacy import unconfirmed_purge, unconfirmed_purge_due


def mail_work() -> None:
    """Send queued email updates and purge stale unconfirmed signatures.

    Mailings live in the database, so a send cut off by a restart resumes here.
    """
    mailings_process()
    if unconfirmed_purge_due():
        unconfirmed_purge()
