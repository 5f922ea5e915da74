#!/usr/bin/env python
"""SQL queries and render time of every public page type, in English, Russian and Kazakh.

Runs in-process with Django's test client against the database of DATABASE_URL (build
one with `manage.py migrate && manage.py load_demo`, and `manage.py demo_scale N` for a
bigger campaign), with the test settings (local-memory cache, no page cache in front).
Each URL is requested once to warm per-process caches, then its queries are counted
(CaptureQueriesContext) and, with --renders N, N more requests are timed: the median CPU
time of this process per request (with SQLite the database work is in it too).

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python -m bench.page_queries
    DATABASE_URL=... .venv/bin/python -m bench.page_queries --renders 50 --only en
    DATABASE_URL=... .venv/bin/python -m bench.page_queries --show '/ru/'   # the SQL

Prints one row per page type: the count per language (and the median CPU ms per render).
Nothing is written to the database except the search rate-limit counter.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from vigil.testing.commands import ROOT

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings.test")
os.environ.setdefault("SEARCH_RATE_LIMIT", "100000000")

LANGUAGES = {"en": "", "ru": "/ru", "kk": "/kk"}


def page_urls() -> list[tuple[str, str]]:
    """(name, path without language prefix) for every public page type of the site."""
    from wagtail.models import Locale

    from vigil.cases.models import CasePage
    from vigil.library.models import LibraryPage, documents_visible
    from vigil.news.models import UpdateIndexPage, UpdatePage
    from vigil.pages.models import StandardPage
    from vigil.support.models import SupportRegisterPage

    english = Locale.objects.get(language_code="en")
    index = UpdateIndexPage.objects.live().get(locale=english)
    updates = UpdatePage.objects.live().child_of(index).filter(locale=english)
    in_series = updates.filter(series__isnull=False).order_by("-date").first()
    plain = updates.filter(series__isnull=True).order_by("-date").first()
    tag = in_series.tags.order_by("slug").first()
    case = CasePage.objects.live().filter(locale=english).first()
    case_url = case.relative_url(None)
    event_kind = case.events.values_list("kind", flat=True).first()
    library = LibraryPage.objects.live().filter(locale=english).first()
    document = documents_visible().first()
    support = SupportRegisterPage.objects.live().filter(locale=english).first()
    standard = StandardPage.objects.live().filter(locale=english).order_by("path").first()
    year = in_series.date.year
    rows = [
        ("home", "/"),
        ("updates index", "/updates/"),
        ("updates page 2", "/updates/page/2/"),
        ("updates tag", f"/updates/tag/{tag.slug}/"),
        ("updates year", f"/updates/year/{year}/"),
        ("update (series)", in_series.relative_url(None)),
        ("update", plain.relative_url(None)),
        ("standard page", standard.relative_url(None)),
        ("cases index", "/cases/"),
        ("case page", case_url),
        ("case timeline kind", f"{case_url}kind/{event_kind}/"),
        ("case.json", f"{case_url}case.json"),
        ("case.ics", f"{case_url}case.ics"),
        ("timeline.csv", f"{case_url}timeline.csv"),
        ("fact sheet", f"{case_url}fact-sheet/"),
        ("support register", support.relative_url(None)),
        ("support filtered", support.relative_url(None) + "type/ngo/"),
        ("library", library.relative_url(None)),
        ("library kind", library.relative_url(None) + f"kind/{document.kind}/"),
        ("library search", library.relative_url(None) + "?q=detention"),
        ("document", library.relative_url(None) + f"{document.slug}/"),
        ("petition", "/petition/"),
        ("subscribe", "/act/subscribe/"),
        ("search (no q)", "/search/"),
        ("search", "/search/?q=detention"),
        ("rss", "/updates/feed/rss/"),
        ("atom", "/updates/feed/atom/"),
        ("tag rss", f"/updates/tag/{tag.slug}/feed/rss/"),
        ("tag atom", f"/updates/tag/{tag.slug}/feed/atom/"),
        ("sitemap", "/sitemap.xml"),
        ("mirrors", "/mirrors/"),
        ("404", "/no-such-page/"),
    ]
    return rows


def _show(client, url) -> None:
    """Print each query of one request, shortened, with the project's frames that ran it."""
    import re
    import traceback

    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        frames = [
            f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} {f.name}"
            for f in traceback.extract_stack()[:-1]
            if str(ROOT / "vigil") in f.filename
        ]
        short = re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql, count=1, flags=re.S)
        print("  *", short[:300], params and tuple(params)[:6])
        for frame in frames[-4:]:
            print("       ", frame)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        client.get(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--renders", type=int, default=0, help="time N renders of each URL")
    parser.add_argument("--only", choices=list(LANGUAGES), action="append")
    parser.add_argument("--show", help="print the SQL of the URL with this exact path")
    parser.add_argument(
        "--match", action="append", help="only page types whose name contains this (repeatable)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    languages = args.only or list(LANGUAGES)
    rows = page_urls()
    if args.match:
        rows = [r for r in rows if any(m in r[0] for m in args.match)]
    extra = [("robots.txt", "/robots.txt")]
    header = f"{'page':22}" + "".join(f"{lang:>6}" for lang in languages)
    if args.renders:
        header += "".join(f"{lang + ' ms':>9}" for lang in languages)
    print(header)
    for name, path in rows + extra:
        counts, times = [], []
        for lang in languages:
            url = path if name == "robots.txt" else LANGUAGES[lang] + path
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            expected = 404 if name == "404" else 200
            if response.status_code != expected:
                print(f"{url}: {response.status_code}", file=sys.stderr)
            counts.append(len(queries))
            if args.show and args.show == url:
                _show(client, url)
            if args.renders:
                durations = []
                for _ in range(args.renders):
                    # CPU time of this process (SQLite runs in it): steadier than the
                    # wall clock on a machine shared with other work.
                    start = time.process_time()
                    client.get(url)
                    durations.append((time.process_time() - start) * 1000)
                times.append(statistics.median(durations))
        line = f"{name:22}" + "".join(f"{c:>6}" for c in counts)
        if times:
            line += "".join(f"{t:>9.1f}" for t in times)
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
