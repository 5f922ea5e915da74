"""How long what identifies editors is kept (`manage.py accounts_purge`, hourly in serve).

- Audit-log entries of sign-ins, failures and two-factor events keep the address they
  came from for VIGIL_AUDIT_IP_DAYS (to look into a break-in noticed late); after that
  the address is removed and the entry itself kept (who did what, when).
- django-axes' failure counts (name, address, browser) are deleted once they no longer
  count (AXES_COOLOFF_TIME after the last failure); its access logs, no longer written
  (AXES_DISABLE_ACCESS_LOG), after VIGIL_AXES_LOG_DAYS.
- Enrolment links are deleted once expired, or VIGIL_AUDIT_IP_DAYS after use.
"""

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from wagtail.models import ModelLogEntry

from .models import EnrolmentInvitation

BATCH = 500


@dataclass
class PurgeReport:
    audit_addresses: int = 0
    axes_rows: int = 0
    enrolment_links: int = 0


def accounts_purge(*, now: dt.datetime) -> PurgeReport:
    """Remove what is past its retention; returns how much of each went."""
    report = PurgeReport()
    report.audit_addresses = _audit_addresses_remove(
        before=now - dt.timedelta(days=settings.VIGIL_AUDIT_IP_DAYS)
    )
    log_before = now - dt.timedelta(days=settings.VIGIL_AXES_LOG_DAYS)
    report.axes_rows = (
        AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME).delete()[0]
        + AccessLog.objects.filter(attempt_time__lt=log_before).delete()[0]
        + AccessFailureLog.objects.filter(attempt_time__lt=log_before).delete()[0]
    )
    used_before = now - dt.timedelta(days=settings.VIGIL_AUDIT_IP_DAYS)
    report.enrolment_links = EnrolmentInvitation.objects.filter(
        Q(used_at__isnull=True, expires_at__lt=now) | Q(used_at__lt=used_before)
    ).delete()[0]
    return report


def _audit_addresses_remove(*, before: dt.datetime) -> int:
    """Take the "ip" out of Vigil's audit entries older than `before`; how many."""
    entries = ModelLogEntry.objects.filter(
        action__startswith="vigil.", timestamp__lt=before, data__has_key="ip"
    )
    changed = 0
    while True:
        batch = list(entries.only("pk", "data")[:BATCH])
        if not batch:
            return changed
        for entry in batch:
            entry.data.pop("ip", None)
        with transaction.atomic():
            ModelLogEntry.objects.bulk_update(batch, ["data"])
        changed += len(batch)


@task()
def accounts_purge_task() -> None:
    """The hourly purge of editors' old addresses and sign-in records (the schedule)."""
    accounts_purge(now=timezone.now())
