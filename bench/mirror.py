#!/usr/bin/env python
"""Static-mirror export times for the demo scaled to 1,000 updates in three languages.

Builds a fresh SQLite database in a temp dir with production settings (as `make run`
does), loads the demo, grows it to N updates (`manage.py demo_scale`; Russian and
Kazakh copies follow by synchronisation), then times with `manage.py export_site`:

  full         an export into an empty folder (--jobs = cores), three times
  unchanged    an --incremental export right after the last (nothing published)
  one edited   an --incremental export after an update (on page 5, 15, 25 of the listing)
               is edited and republished, three times
  one new      an --incremental export after a new update is published with its Russian
               and Kazakh copies (every listing page of the index, and of its tag, in
               each language shifts by one item)

Targets (issue 7): full >= 300 pages/s on 2 cores; one-update incremental <= 1 s.
Figures are printed and written to bench/results/mirror-DATE-HOST.txt.
"""

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from vigil.testing.commands import ROOT, manage

RESULTS_DIR = ROOT / "bench" / "results"
SUMMARY = re.compile(
    r"(?P<kind>Full|Incremental) export: (?P<files>\d+) files \((?P<mb>[\d.]+) MB\) in "
    r"(?P<seconds>[\d.]+) s; (?P<rendered>\d+) URLs rendered \((?P<rate>\d+)/s\), "
    r"(?P<written>\d+) files written"
)
EDIT = (
    "from vigil.news.models import UpdatePage\n"
    "p = UpdatePage.objects.live().filter(locale__language_code='en').order_by('-date')[{n}]\n"
    "p.title = p.title + ' (corrected)'\n"
    "p.save_revision().publish()\n"
)
REPEATS = 3
NEW = (
    "from django.utils import timezone\n"
    "from vigil.news.models import UpdateIndexPage, UpdatePage\n"
    "index = UpdateIndexPage.objects.get(locale__language_code='en')\n"
    "p = UpdatePage(title='A new update for the bench', slug='bench-new-update',\n"
    "    date=timezone.now(), summary='New.', body=[])\n"
    "index.add_child(instance=p)\n"
    "p.tags.add('court')\n"
    "p.save_revision().publish()\n"
    "# As the admin does (wagtail-localize's after_create_page hook): ru/kk copies.\n"
    "from wagtail.models import Locale\n"
    "from wagtail_localize.synctree import synchronize_tree\n"
    "for other in Locale.objects.exclude(pk=index.locale_id):\n"
    "    synchronize_tree(index.locale, other)\n"
)


def export(env, directory: Path, *extra) -> dict:
    began = time.monotonic()
    out = manage("export_site", str(directory), *extra, env=env)
    wall = time.monotonic() - began
    match = SUMMARY.search(out)
    if not match:
        raise SystemExit(f"Unexpected export output:\n{out}")
    figures = match.groupdict()
    figures["wall"] = f"{wall:.2f}"
    return figures


def bench_environment(tmp: Path) -> dict:
    """Production settings with every file of the site in the bench's temp dir."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_VAR_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "MEDIA_ROOT": str(tmp / "media"),
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HTTPS": "false",
        "MIRROR_SIGNING_KEY": str(tmp / "mirror-key"),
        "PAGE_CACHE_DIR": str(tmp / "page-cache"),
    }


def results_write(*, kind: str, lines: list[str]) -> None:
    """Print a bench's report and keep it as bench/results/KIND-DATE-HOST.txt."""
    report = "\n".join(lines) + "\n"
    print(report)
    RESULTS_DIR.mkdir(exist_ok=True)
    name = f"{kind}-{dt.date.today()}-{platform.node()}.txt"
    (RESULTS_DIR / name).write_text(report)
    print(f"Written to bench/results/{name}", file=sys.stderr)


def site_build(env: dict, *, updates: int) -> None:
    """The demo campaign grown to `updates` updates, with ru/kk copies, and a signing key."""
    print(f"Building the demo with {updates} updates (a few minutes)...", flush=True)
    began = time.monotonic()
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    manage("load_demo", "-v", "0", env=env)
    manage("demo_scale", str(updates), "-v", "0", env=env)
    manage("site_url", "http://127.0.0.1:8000", "-v", "0", env=env)
    manage("mirror_key", "--create", "-v", "0", env=env)
    print(f"Built in {time.monotonic() - began:.0f} s.", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigil-bench-mirror-") as tmp:
        tmp = Path(tmp)
        env = bench_environment(tmp)
        site_build(env, updates=args.updates)
        jobs = ["--jobs", str(args.jobs)]
        runs = []
        # Three of each timed run; the table shows each and the median.
        for number in range(REPEATS):
            runs.append(("full", export(env, tmp / f"copy{number}", *jobs)))
        copy = tmp / f"copy{REPEATS - 1}"
        runs.append(("unchanged", export(env, copy, "--incremental", *jobs)))
        for number in range(REPEATS):
            manage("shell", "-c", EDIT.format(n=45 + 100 * number), env=env)
            runs.append(("one edited", export(env, copy, "--incremental", *jobs)))
        manage("shell", "-c", NEW, env=env)
        runs.append(("one new", export(env, copy, "--incremental", *jobs)))

    lines = [
        f"Vigil static mirror export, {dt.date.today()}, {platform.node()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite",
        f"Demo scaled to {args.updates} updates (en) + synchronised ru/kk copies; "
        f"--jobs {args.jobs}",
        "",
        f"{'run':<12}{'URLs':>7}{'pages/s':>9}{'seconds':>9}{'wall s':>8}"
        f"{'written':>9}{'files':>7}{'MB':>7}",
    ]
    for name, f in runs:
        lines.append(
            f"{name:<12}{f['rendered']:>7}{f['rate']:>9}{float(f['seconds']):>9.2f}"
            f"{float(f['wall']):>8.2f}{f['written']:>9}{f['files']:>7}{float(f['mb']):>7.1f}"
        )
    full = [f for name, f in runs if name == "full"]
    edited = [f for name, f in runs if name == "one edited"]
    lines += [
        "",
        f"Median of {REPEATS}: full {statistics.median(int(f['rate']) for f in full)} pages/s "
        f"({statistics.median(float(f['seconds']) for f in full):.2f} s); one edited "
        f"{statistics.median(float(f['seconds']) for f in edited):.2f} s.",
        "Targets: full >= 300 pages/s; one-update incremental <= 1 s (seconds column: the",
        "export itself; wall s adds starting Python and Django for the command).",
    ]
    results_write(kind="mirror", lines=lines)


if __name__ == "__main__":
    main()
