"""Checking that the external sources the campaign cites can still be read.

Every `URLField` of every model in a Vigil app is a source address: new models are
picked up without changes here. Addresses inside rich text are not checked.
"""

import contextlib
import datetime as dt
import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from django.apps import apps
from django.db import models
from django.db.models import F, Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from .models import FAILING_STATUSES, LinkStatus, SourceLink

USER_AGENT = "Vigil source checker"
MAX_REDIRECTS = 5
BODY_LIMIT = 64 * 1024
MAX_CONCURRENCY = 64
MAX_TIMEOUT = 120.0
SCHEMES = ("http", "https")
_PERMANENT = (301, 308)
_REDIRECTS = (301, 302, 303, 307, 308)
_HEAD_REFUSED = (405, 501)
_ERROR_LENGTH = 300
_SAFE = ":/?#[]@!$&'()*+,;=%~"


@dataclass(frozen=True)
class SourceCheckResult:
    """What one check of one address found."""

    url: str
    status: str
    http_status: int | None = None
    final_url: str = ""
    error: str = ""


@dataclass
class SourceCheckSummary:
    """Counts of one run of `sources_check`, by status."""

    checked: int = 0
    ok: int = 0
    redirected: int = 0
    broken: int = 0
    timeout: int = 0
    error: int = 0
    removed: int = 0
    seconds: float = 0.0
    results: list[SourceCheckResult] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class SourceUsage:
    """One place an address is cited, with the admin page where an editor can change it."""

    label: str
    pk: object
    description: str
    edit_url: str | None


# --- Collecting ------------------------------------------------------------------------------


def source_url_is_web(*, url: str) -> bool:
    """Whether an address is an absolute http(s) address, the only kind that is checked."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in SCHEMES and bool(parts.netloc)


def _url_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete Vigil model with URL fields, and the names of those fields."""
    found = []
    for model in apps.get_models():
        config = model._meta.app_config
        if config is None or not config.name.startswith("vigil.") or config.label == "sources":
            continue
        if model._meta.proxy:
            continue
        # Local fields only: a multi-table child does not repeat its parent's rows.
        names = [f.name for f in model._meta.local_fields if isinstance(f, models.URLField)]
        if names:
            found.append((model, names))
    return found


def source_urls_collect() -> dict[str, list[tuple[str, object]]]:
    """Every distinct http(s) source address in use, with the (model label, pk) citing it."""
    collected: dict[str, list[tuple[str, object]]] = {}
    for model, names in _url_fields():
        rows = model._base_manager.values_list("pk", *names).order_by("pk")
        for pk, *urls in rows.iterator():
            for url in urls:
                url = (url or "").strip()
                if not url or not source_url_is_web(url=url):
                    continue
                places = collected.setdefault(url, [])
                if (model._meta.label, pk) not in places:
                    places.append((model._meta.label, pk))
    return collected


# --- Checking one address --------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand every 3xx back to the caller, which follows them itself and counts them."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _quoted(url: str) -> str:
    """The address with spaces and non-ASCII characters in its path and query escaped."""
    parts = urlsplit(url)
    host = parts.netloc
    with contextlib.suppress(UnicodeError):
        host = parts.netloc.encode("idna").decode("ascii")
    rest = url[len(parts.scheme) + 3 + len(parts.netloc) :]
    return f"{parts.scheme}://{host}" + quote(rest, safe=_SAFE)


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, TimeoutError | socket.timeout):
        return True
    return isinstance(getattr(exc, "reason", None), TimeoutError | socket.timeout)


def _request(url: str, method: str, timeout: float) -> tuple[int, str]:
    """Send one request and return its status code and `Location` header, if any."""
    request = urllib.request.Request(
        _quoted(url),
        method=method,
        headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"},
    )
    try:
        response = _opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as answer:  # 3xx, 4xx and 5xx all arrive here
        with answer:
            return answer.code, answer.headers.get("Location", "")
    with response:
        if method == "GET":
            response.read(BODY_LIMIT)  # Never more: the status is all that matters.
        return response.status, response.headers.get("Location", "")


def _short(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    text = str(reason if reason is not None else exc) or type(exc).__name__
    return text[:_ERROR_LENGTH]


def source_link_check(*, url: str, timeout: float) -> SourceCheckResult:
    """Request an address (HEAD, then GET if HEAD is refused), following up to 5 redirects.

    Never raises: what went wrong is in the result's status and error.
    """
    current, moved_permanently, redirects = url, False, 0
    code = None
    try:
        while True:
            code, location = _request(current, "HEAD", timeout)
            if code in _HEAD_REFUSED:
                code, location = _request(current, "GET", timeout)
            if code not in _REDIRECTS or not location:
                break
            if redirects == MAX_REDIRECTS:
                return SourceCheckResult(
                    url=url,
                    status=LinkStatus.ERROR,
                    http_status=code,
                    final_url=current if current != url else "",
                    error=ngettext(
                        "More than %(count)d redirect.",
                        "More than %(count)d redirects.",
                        MAX_REDIRECTS,
                    )
                    % {"count": MAX_REDIRECTS},
                )
            redirects += 1
            moved_permanently = moved_permanently or code in _PERMANENT
            current = urljoin(current, location)
            if not source_url_is_web(url=current):
                return SourceCheckResult(
                    url=url,
                    status=LinkStatus.ERROR,
                    http_status=code,
                    error=_("Redirected to an address that is not http(s): %(url)s")
                    % {"url": current[:200]},
                )
    except Exception as exc:  # noqa: BLE001 - any failure is a result, never a crash
        status = LinkStatus.TIMEOUT if _is_timeout(exc) else LinkStatus.ERROR
        return SourceCheckResult(
            url=url,
            status=status,
            http_status=None,
            final_url=current if current != url else "",
            error=_short(exc) if status == LinkStatus.ERROR else _("No answer in time."),
        )
    final_url = current if current != url else ""
    if 200 <= code < 300:
        status = LinkStatus.REDIRECTED if moved_permanently and final_url else LinkStatus.OK
        return SourceCheckResult(url=url, status=status, http_status=code, final_url=final_url)
    if 400 <= code < 600:
        return SourceCheckResult(
            url=url,
            status=LinkStatus.BROKEN,
            http_status=code,
            final_url=final_url,
            error=(http.client.responses.get(code, "") or "")[:_ERROR_LENGTH],
        )
    return SourceCheckResult(
        url=url,
        status=LinkStatus.ERROR,
        http_status=code,
        final_url=final_url,
        error=_("Unexpected HTTP status %(code)d.") % {"code": code},
    )


# --- Checking many and storing the results ---------------------------------------------------


def source_link_record(*, result: SourceCheckResult, now: dt.datetime) -> None:
    """Store one result: `first_failed_at` is kept while it fails and cleared on success."""
    failing = result.status in FAILING_STATUSES
    values = {
        "status": result.status,
        "http_status": result.http_status,
        "final_url": result.final_url[:1000],
        "error": result.error[:_ERROR_LENGTH],
        "last_checked_at": now,
    }
    SourceLink.objects.update_or_create(
        url=result.url,
        defaults={
            **values,
            "checked_count": F("checked_count") + 1,
            "first_failed_at": Coalesce(F("first_failed_at"), Value(now)) if failing else None,
        },
        create_defaults={**values, "checked_count": 1, "first_failed_at": now if failing else None},
    )


def _arguments_check(*, concurrency: int, timeout: float) -> None:
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(_("Concurrency must be between 1 and %(max)d.") % {"max": MAX_CONCURRENCY})
    if not 0 < timeout <= MAX_TIMEOUT:
        raise ValueError(
            _("The timeout must be more than 0 and at most %(max)d seconds.") % {"max": MAX_TIMEOUT}
        )


def sources_check(
    *,
    urls: Iterable[str] | None = None,
    concurrency: int = 8,
    timeout: float = 10.0,
    now: dt.datetime | None = None,
    progress: Callable[[int, int, SourceCheckResult], None] | None = None,
) -> SourceCheckSummary:
    """Check addresses (all those in use when `urls` is None) at most `concurrency` at a time.

    Results are stored as they arrive. A full run also forgets addresses no longer cited.
    `progress(done, total, result)` is called after each one.
    """
    _arguments_check(concurrency=concurrency, timeout=timeout)
    started = time.monotonic()
    full_run = urls is None
    targets = list(source_urls_collect()) if full_run else list(dict.fromkeys(urls))
    summary = SourceCheckSummary()
    if targets:
        with ThreadPoolExecutor(
            max_workers=min(concurrency, len(targets)), thread_name_prefix="source-check"
        ) as pool:
            # Worker threads only talk HTTP; the database is written from this thread.
            futures = [pool.submit(source_link_check, url=url, timeout=timeout) for url in targets]
            for future in as_completed(futures):
                result = future.result()
                source_link_record(result=result, now=now or timezone.now())
                summary.checked += 1
                setattr(summary, result.status, getattr(summary, result.status) + 1)
                summary.results.append(result)
                if progress:
                    progress(summary.checked, len(targets), result)
    if full_run:
        summary.removed, _deleted = SourceLink.objects.exclude(url__in=targets).delete()
    summary.seconds = time.monotonic() - started
    return summary


def sources_check_due(
    *, now: dt.datetime | None = None, every: dt.timedelta = dt.timedelta(days=1)
) -> bool:
    """Whether the regular check should run: nothing checked yet, or not for `every`."""
    newest = SourceLink.objects.aggregate(newest=Max("last_checked_at"))["newest"]
    return newest is None or (now or timezone.now()) - newest >= every


# --- For editors -----------------------------------------------------------------------------


def sources_broken() -> models.QuerySet[SourceLink]:
    """Sources that could not be read at the last check, longest failing first."""
    return SourceLink.objects.filter(status__in=FAILING_STATUSES).order_by(
        F("first_failed_at").asc(nulls_last=True), "url"
    )


def _parent_of(instance: models.Model) -> models.Model | None:
    """The object an inline row belongs to (its first parental or foreign key), if any."""
    from modelcluster.fields import ParentalKey

    keys = [f for f in instance._meta.fields if isinstance(f, ParentalKey)]
    keys = keys or [f for f in instance._meta.fields if isinstance(f, models.ForeignKey)]
    for key in keys:
        parent = getattr(instance, key.name, None)
        if parent is not None:
            return parent.specific if hasattr(parent, "specific") else parent
    return None


def source_usages_describe(*, urls: Iterable[str], user=None) -> dict[str, list[SourceUsage]]:
    """Where each address is cited, with the admin edit page of the row or what it belongs to."""
    from wagtail.admin.admin_url_finder import AdminURLFinder

    wanted = set(urls)
    places = {url: found for url, found in source_urls_collect().items() if url in wanted}
    by_label: dict[str, set] = {}
    for found in places.values():
        for label, pk in found:
            by_label.setdefault(label, set()).add(pk)
    objects = {
        (label, pk): instance
        for label, pks in by_label.items()
        for pk, instance in apps.get_model(label)._base_manager.in_bulk(pks).items()
    }
    finder = AdminURLFinder(user)
    described: dict[str, list[SourceUsage]] = {url: [] for url in wanted}
    for url, found in places.items():
        for label, pk in found:
            instance = objects.get((label, pk))
            if instance is None:
                continue
            described[url].append(_usage(label=label, pk=pk, instance=instance, finder=finder))
    return described


def _usage(*, label: str, pk, instance: models.Model, finder) -> SourceUsage:
    target = instance.specific if hasattr(instance, "specific") else instance
    name = str(instance._meta.verbose_name)
    edit_url = None
    for _depth in range(3):  # a row, what it belongs to, and what that belongs to
        edit_url = finder.get_edit_url(target)
        parent = None if edit_url else _parent_of(target)
        if parent is None:
            break
        target = parent
    if target is instance:
        description = _("%(type)s “%(name)s”") % {"type": name, "name": instance}
    else:
        description = _("%(type)s “%(name)s” in %(parent_type)s “%(parent)s”") % {
            "type": name,
            "name": instance,
            "parent_type": target._meta.verbose_name,
            "parent": target,
        }
    return SourceUsage(label=label, pk=pk, description=description, edit_url=edit_url)


@task(queue_name="slow")
def sources_check_daily() -> None:
    """Check external sources once a day (the workers' schedule asks hourly)."""
    if sources_check_due():
        sources_check()
