#!/usr/bin/env python
"""Site search times on the demo scaled to 1,000 updates in three languages, SQLite.

Builds the site as bench/mirror.py does (production settings, a temp dir), then, in one
process, requests `/search/?q=...` through Django's full request handling for a few
queries, common words and rare ones, alternating two search backends request by
request: Wagtail's own database backend (`wagtail.search.backends.database`, which
scores every match with the full-text match run again) and Vigil's
(`vigil.search.database`, every match scored in one pass). Prints the median and 95th
percentile per query and backend and their ratio, and writes
bench/results/search-DATE-HOST.txt.

Target (issue 9): search p95 <= 50 ms.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.mirror import bench_environment, results_write, site_build
from vigil.testing.commands import PYTHON, ROOT

QUERIES = ["court", "detention", "Massimov", "UN Working Group", "trial closed", "medical"]
BACKENDS = {
    "wagtail": "wagtail.search.backends.database",
    "vigil": "vigil.search.database",
}

# Runs inside the bench's site: prints "backend<TAB>query<TAB>milliseconds" per request.
TIMING = """
import sys, time
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings
queries, repeats, backends = sys.argv[1].split("|"), int(sys.argv[2]), sys.argv[3:]
client = Client(HTTP_HOST="127.0.0.1")
for number in range(repeats + 1):
    for query in queries:
        for name_path in backends:
            name, path = name_path.split("=")
            with override_settings(WAGTAILSEARCH_BACKENDS={"default": {"BACKEND": path}}):
                began = time.perf_counter()
                response = client.get("/search/", {"q": query})
                took = time.perf_counter() - began
            assert response.status_code == 200, response.status_code
            if number:  # the first round warms caches
                print(f"{name}\\t{query}\\t{1000 * took:.2f}")
"""


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigil-bench-search-") as tmp:
        env = {**bench_environment(Path(tmp)), "SEARCH_RATE_LIMIT": "100000000"}
        site_build(env, updates=args.updates)
        out = subprocess.run(
            [str(PYTHON), "-c", TIMING, "|".join(QUERIES), str(args.repeats),
             *(f"{name}={path}" for name, path in BACKENDS.items())],
            cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True,
        ).stdout  # fmt: skip
    times: dict[tuple[str, str], list[float]] = {}
    for line in out.splitlines():
        name, query, ms = line.split("\t")
        times.setdefault((name, query), []).append(float(ms))

    lines = [
        f"Vigil site search, {dt.date.today()}, {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite",
        f"Demo scaled to {args.updates} updates (en) + synchronised ru/kk copies; "
        f"{args.repeats} requests per query and backend, alternating; ms per request",
        "",
        f"{'query':<18}{'Wagtail p50':>12}{'p95':>8}{'Vigil p50':>11}{'p95':>8}{'p95 ratio':>11}",
    ]
    worst = 0.0
    for query in QUERIES:
        old, new = times[("wagtail", query)], times[("vigil", query)]
        worst = max(worst, p95(new))
        lines.append(
            f"{query:<18}{statistics.median(old):>12.1f}{p95(old):>8.1f}"
            f"{statistics.median(new):>11.1f}{p95(new):>8.1f}{p95(old) / p95(new):>10.1f}x"
        )
    lines += ["", f"Worst p95 with Vigil's backend: {worst:.1f} ms (target <= 50 ms)."]
    results_write(kind="search", lines=lines)


if __name__ == "__main__":
    main()
