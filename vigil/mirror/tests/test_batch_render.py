"""The export renders in batches with shared reads memoised: the copy must not change."""

import datetime as dt
import threading

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from vigil.core.snapshot import snapshot_memo, snapshot_reads
from vigil.demo.services import demo_scale
from vigil.mirror import services
from vigil.mirror.models import MirrorExport
from vigil.mirror.services import export
from vigil.mirror.services.export import _is_asset, _Worker
from vigil.news.models import UpdatePage


def _comparable(path) -> bytes:
    return path.read_bytes()


def _clock_stopped(monkeypatch) -> None:
    # Day counts change at the case's midnight: both renders must see the same moment.
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_batch_export_reads_shared_data_once_and_matches_rendering_each_url_alone(
    demo, signing_key, tmp_path, monkeypatch
):
    """Pages share their reads: growing the demo by over 30 updates (90 pages with their
    copies, and the listing pages they fill) adds at most two queries per new URL. And
    every file of that export (pages loaded by the batch, listings, tags, menus and
    related updates read once) is byte for byte what a request of its URL alone gives,
    with two updates at the same minute. (One test: the grown demo's export is the
    slowest step of both checks.)"""
    _clock_stopped(monkeypatch)
    with CaptureQueriesContext(connection) as before:
        small_summary = services.site_export(directory=tmp_path / "small", key=signing_key)
    assert demo_scale(updates=75) > 30
    tied = list(
        UpdatePage.objects.filter(locale__language_code="en", slug__startswith="campaign-update-")
        .order_by("date")
        .values_list("pk", flat=True)[:3]
    )
    UpdatePage.objects.filter(pk__in=tied).update(date=dt.datetime(2023, 3, 1, 9, 0, tzinfo=dt.UTC))
    copy = tmp_path / "copy"
    with CaptureQueriesContext(connection) as after:
        summary = services.site_export(directory=copy, key=signing_key)
    assert not summary.broken
    added_urls = summary.rendered - small_summary.rendered
    added_queries = len(after.captured_queries) - len(before.captured_queries)
    assert added_urls > 90
    assert added_queries <= 2 * added_urls, (added_queries, added_urls)

    record = MirrorExport.objects.get(directory=str(copy.resolve()))
    alone = _Worker(
        directory=tmp_path / "alone",
        site_id=Site.objects.get(is_default_site=True).pk,
        base_url="",
        made_at=record.started_at,
        page_ids={},  # nothing preloaded, no snapshot: each URL as a reader's request
    )
    compared = []
    different = []
    for file, url in sorted(record.sources.items()):
        if _is_asset(url):
            continue
        result = alone.do(url)
        assert result.status == 200, url
        compared.append(url)
        if _comparable(tmp_path / "alone" / file) != _comparable(copy / file):
            different.append(url)
    assert len(tied) == 3
    assert different == []
    assert len(compared) > 300
    assert any("/page/2/" in url for url in compared)
    assert any("/tag/" in url for url in compared)


def test_snapshot_memo_computes_once_inside_and_every_time_outside():
    """Outside `snapshot_reads` a memo computes each time (the live site); inside it,
    once per key; another thread keeps its own (serve exports beside live requests)."""
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert snapshot_memo("k", compute) == 1
    assert snapshot_memo("k", compute) == 2
    seen_in_thread = []
    with snapshot_reads():
        assert snapshot_memo("k", compute) == 3
        assert snapshot_memo("k", compute) == 3
        assert snapshot_memo("other", compute) == 4
        thread = threading.Thread(target=lambda: seen_in_thread.append(snapshot_memo("k", compute)))
        thread.start()
        thread.join()
    assert seen_in_thread == [5]
    assert snapshot_memo("k", compute) == 6


def test_two_workers_export_what_one_does(demo, signing_key, tmp_path, monkeypatch):
    """`--jobs 2` (worker processes fed links as they are found) writes the same files,
    byte for byte, as one process. On PostgreSQL the workers run; an in-memory SQLite
    test database cannot be shared with forked processes, so there it renders alone."""
    monkeypatch.setattr(export, "_POOL_MIN_URLS", 0)
    _clock_stopped(monkeypatch)
    one = services.site_export(directory=tmp_path / "one", key=signing_key, jobs=1)
    two = services.site_export(directory=tmp_path / "two", key=signing_key, jobs=2)
    files_one = {
        p.relative_to(tmp_path / "one").as_posix(): _comparable(p)
        for p in (tmp_path / "one").rglob("*")
        if p.is_file() and not p.name.startswith("MANIFEST")
    }
    files_two = {
        p.relative_to(tmp_path / "two").as_posix(): _comparable(p)
        for p in (tmp_path / "two").rglob("*")
        if p.is_file() and not p.name.startswith("MANIFEST")
    }
    assert one.rendered == two.rendered
    assert sorted(files_one) == sorted(files_two)
    assert [name for name in files_one if files_one[name] != files_two[name]] == []


def test_a_full_export_into_its_own_copy_rewrites_nothing(demo, signing_key, tmp_path):
    """A first export into an empty folder writes every file without comparing; a full
    export into that copy again (the daily one) leaves every unchanged file alone. The
    first export's search index, taken by its workers while they have each page loaded
    to render, is byte for byte the one made by loading every page."""
    copy = tmp_path / "copy"
    first = services.site_export(directory=copy, key=signing_key)
    assert len(first.written) == first.files
    _search_index_matches_loading_each_page(copy=copy, summary=first, tmp_path=tmp_path)
    again = services.site_export(directory=copy, key=signing_key)
    assert not again.incremental and again.files == first.files
    assert again.written == []
    public_key = services.mirror_public_key(path=signing_key)
    assert services.mirror_verify(directory=copy, public_key=public_key).ok


def _search_index_matches_loading_each_page(*, copy, summary, tmp_path) -> None:
    site = Site.objects.get(is_default_site=True)
    loaded = tmp_path / "loaded"
    files: dict[str, str] = {}
    export._search_indexes_write(
        directory=loaded,
        public=export.public_page_paths(site=site),
        files=files,
        sources={},
        page_ids=None,
        search_fields={},
        summary=services.ExportSummary(),
    )
    assert len(files) == 3
    for name in files:
        assert (copy / name).read_bytes() == (loaded / name).read_bytes(), name
        assert name in summary.written
    assert "Karim Massimov" in (copy / "search" / "search-index.js").read_text()
