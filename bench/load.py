#!/usr/bin/env python
"""Requests per second under load: Vigil cached, Vigil uncached and nginx serving the export.

Builds the demo scaled to 1,000 updates in three languages in a temp dir (production
settings, SQLite, as `make run` does), exports the static mirror of it, then starts:

  Vigil cached     `manage.py serve` as `make run` starts it (page cache on, one worker)
  cached 2w        the same with two granian workers
  Vigil uncached   the same server with PAGE_CACHE_DIR empty
  nginx static     Debian's nginx serving the exported copy
  front            Debian's nginx with `manage.py nginx_conf`'s conf in front of `serve`
                   (cached pages straight from the page cache's files)

and loads each over loopback with wrk (a fixed number of connections: bounded load)
for home, the updates index, an update, a tag page, search, a feed and the case page.
It prints requests/s and p50/p95/p99 latency per page and server, the ratios, the
uncached update page at one connection, the full export time and the peak resident
memory of the Vigil servers (every process of each), and writes the same to
bench/results/load-DATE-HOST.txt.

Targets (issue 9): cached >= 0.20 of nginx's requests/s; uncached update page p50 <= 15 ms
at one connection; search p95 <= 50 ms; server RSS <= 150 MB under load. Issue 21: the
nginx front >= 0.8 of nginx serving the export.
"""

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import threading
import urllib.request
from pathlib import Path

from bench.mirror import bench_environment, export, results_write, site_build
from vigil.testing.commands import PYTHON, ROOT, manage
from vigil.testing.servers import (
    BROTLI_STATIC,
    NGINX,
    answer_wait,
    free_port,
    group_stop,
    nginx_start,
)

WRK = shutil.which("wrk") or "/usr/bin/wrk"
REPORT_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""
PAGES_QUERY = (
    "from vigil.news.models import UpdatePage, UpdateIndexPage\n"
    "from vigil.cases.models import CasePage\n"
    "from taggit.models import Tag\n"
    "u = UpdatePage.objects.live().filter(locale__language_code='en').order_by('-date')[10]\n"
    "c = CasePage.objects.live().filter(locale__language_code='en').first()\n"
    "i = UpdateIndexPage.objects.live().filter(locale__language_code='en').first()\n"
    "t = u.tags.first()\n"
    "print('PATHS', u.url, c.url, i.url, t.slug)\n"
)


def tree_memory_kb(pid: int) -> tuple[int, int, int]:
    """RSS sum, PSS sum and distinct memory of a process and its descendants (workers).

    RSS counts the pages granian's forked workers share with the main process once per
    process. PSS splits each shared page between all its sharers (other programs using
    the same libraries included). Distinct memory is the main process's RSS plus each
    worker's private pages: what the server holds, libraries counted once.
    """
    rss = pss = distinct = 0
    pending = [(pid, True)]
    while pending:
        current, is_main = pending.pop()
        try:
            fields = {}
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines()[1:]:
                name, value = line.split(":", 1)
                fields[name] = int(value.split()[0])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, ValueError):
            continue
        rss += fields["Rss"]
        pss += fields["Pss"]
        private = fields["Private_Clean"] + fields["Private_Dirty"]
        distinct += fields["Rss"] if is_main else private
        pending.extend((int(c), False) for c in children)
    return rss, pss, distinct


class PeakMemory:
    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, (0, 0, 0), threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self):
        while not self._stop.wait(0.2):
            now = tree_memory_kb(self.pid)
            self.peak = tuple(max(a, b) for a, b in zip(self.peak, now, strict=True))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def wrk(url: str, *, connections: int, seconds: int, script: Path) -> dict:
    threads = min(2, connections)
    out = subprocess.run(
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    requests, duration_us, p50, p95, p99, bad_status, errors = map(int, line.split()[1:])
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "bad": bad_status + errors,
    }


def start_server(env: dict, port: int, log: Path, workers: int = 1) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(PYTHON), "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(workers)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    answer_wait(url=f"http://127.0.0.1:{port}/", process=process, timeout=60)
    return process


# What Debian's /etc/nginx/nginx.conf sets in its http block, where both the export's
# server and nginx_conf's front are included in a deployment (the tests' nginx.conf,
# vigil/testing/servers.py, is minimal): both rows are measured with it.
DEBIAN_HTTP = "sendfile on;\ntcp_nopush on;\n"


def start_nginx(directory: Path, work: Path, port: int) -> subprocess.Popen:
    from_export = DEBIAN_HTTP + (
        f"server {{\n  listen 127.0.0.1:{port};\n  root {directory};\n"
        "  index index.html index.xml;\n  charset utf-8;\n"
        "  types { text/html html; application/xml xml; text/css css;\n"
        "          application/javascript js; image/svg+xml svg; }\n}\n"
    )
    return nginx_start(
        work=work,
        server=from_export,
        port=port,
        worker_processes="auto",
        worker_connections=1024,
        timeout=60,
    )


class Front:
    """`manage.py serve` (told it is behind one proxy) with nginx_conf's nginx in front;
    `pid` is the app's, whose memory is measured."""

    def __init__(self, env: dict, tmp: Path, port: int):
        app_port = free_port()
        env = {**env, "BEHIND_PROXY": "true", "PROXY_COUNT": "1"}
        self.app = start_server(env, app_port, tmp / "front-app.log")
        self.pid = self.app.pid
        conf = manage(
            "nginx_conf",
            *("--listen", f"127.0.0.1:{port}", "--app", f"127.0.0.1:{app_port}"),
            *("--server-name", "127.0.0.1", "--error-pages", str(tmp / "nginx-errors")),
            # wrk is one address: the per-address limits would refuse nearly all of it.
            *("--rate", "1000000r/s", "--burst", "1000000"),
            env=env,
        )
        (tmp / "front").mkdir()
        self.nginx = nginx_start(
            work=tmp / "front",
            server=DEBIAN_HTTP + conf,
            port=port,
            worker_processes="auto",
            worker_connections=1024,
            timeout=60,
            main=BROTLI_STATIC,
        )


def front_stop(front: Front) -> None:
    group_stop(front.nginx, timeout=20)
    group_stop(front.app, timeout=20)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    return parser.parse_args()


def site_ready(env: dict, copy: Path, args) -> tuple[dict, list[tuple[str, str]]]:
    """The scaled demo built and exported into `copy`: (the export's figures, the pages)."""
    site_build(env, updates=args.updates)
    print("Exporting...", flush=True)
    exported = export(env, copy, "--jobs", str(args.jobs))
    update, case, index, tag = (
        manage("shell", "-c", PAGES_QUERY, env=env).split("PATHS ")[1].split()
    )
    pages = [
        ("home", "/"),
        ("updates index", index),
        ("update", update),
        ("tag page", f"{index}tag/{tag}/"),
        ("search", "/search/?q=detention"),
        ("feed", f"{index}feed/rss/"),
        ("case page", case),
    ]
    return exported, pages


def single_connection_load(base: str, update: str, args, script: Path) -> tuple[dict, dict]:
    """The uncached update page and search at one connection: (update, search)."""
    urllib.request.urlopen(base + update, timeout=60).read()
    single = wrk(base + update, connections=1, seconds=args.seconds, script=script)
    single_search = wrk(
        base + "/search/?q=detention", connections=1, seconds=args.seconds, script=script
    )
    return single, single_search


def pages_load(name: str, base: str, pages: list, args, script: Path, results: dict) -> None:
    """Every page of `pages` under wrk's load, into `results[(name, page)]`."""
    for page, path in pages:
        url = f"{base}{path}"
        if name == "nginx" and page == "search":
            url = f"{base}/search/"
        # Fills the cache (the front's nginx finds it on the second request); for the
        # uncached server, waits out the last run.
        for _ in range(2):
            urllib.request.urlopen(url, timeout=120).read()
        print(f"  {name:<9}{page}", flush=True)
        results[(name, page)] = wrk(
            url, connections=args.connections, seconds=args.seconds, script=script
        )


def servers_load(env: dict, tmp: Path, copy: Path, pages: list, args) -> dict:
    """Each server in turn, loaded: its results per page, its peak memory, the single runs."""
    script = tmp / "report.lua"
    script.write_text(REPORT_LUA)
    (tmp / "nginx").mkdir()
    names = ("cached", "cached 2w", "uncached", "nginx", "front")
    ports = {name: free_port() for name in names}
    servers = {
        "cached": lambda: start_server(env, ports["cached"], tmp / "cached.log"),
        "cached 2w": lambda: start_server(env, ports["cached 2w"], tmp / "cached2.log", 2),
        "uncached": lambda: start_server(
            {**env, "PAGE_CACHE_DIR": ""}, ports["uncached"], tmp / "uncached.log"
        ),
        "nginx": lambda: start_nginx(copy, tmp / "nginx", ports["nginx"]),
        "front": lambda: Front(env, tmp, ports["front"]),
    }
    update = dict(pages)["update"]
    measured = {"results": {}, "memory": {}, "servers": list(servers)}
    measured["load_before"] = os.getloadavg()
    for name, start in servers.items():
        base = f"http://127.0.0.1:{ports[name]}"
        process = start()
        try:
            with PeakMemory(process.pid) as peak:
                if name == "uncached":
                    # At one connection first: after a 32-connection run the server
                    # is still answering wrk's abandoned requests for a while.
                    measured["single"], measured["single_search"] = single_connection_load(
                        base, update, args, script
                    )
                pages_load(name, base, pages, args, script, measured["results"])
            if name != "nginx":
                measured["memory"][name] = peak.peak
        finally:
            front_stop(process) if isinstance(process, Front) else group_stop(process, timeout=20)
    measured["load_after"] = os.getloadavg()
    return measured


def _ratio_lines(results: dict, pages: list) -> list[str]:
    """Each server's requests/s over nginx's (the export), median and min over pages."""
    lines = []
    for name in ("cached", "cached 2w", "front"):
        ratios = [
            results[(name, page)]["rps"] / results[("nginx", page)]["rps"]
            for page, _path in pages
            if page != "search"
        ]
        lines.append(
            f"{name + '/nginx':<16}requests/s, median over pages (search excluded): "
            f"{statistics.median(ratios):.3f} (min {min(ratios):.3f})"
        )
    return lines


def _memory_line(memory: dict) -> str:
    return "Peak memory of the Vigil server, all processes (RSS sum / PSS sum / distinct): " + (
        "; ".join(
            f"{name} " + " / ".join(f"{kb / 1024:.0f}" for kb in figures) + " MB"
            for name, figures in memory.items()
        )
    )


def report_lines(args, pages: list, exported: dict, measured: dict) -> list[str]:
    results, memory, servers = measured["results"], measured["memory"], measured["servers"]
    single, single_search = measured["single"], measured["single_search"]
    lines = [
        f"Vigil under load, {dt.date.today()}, {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite; wrk {args.connections} connections "
        f"x {args.seconds} s per row, loopback",
        f"Demo scaled to {args.updates} updates (en) + synchronised ru/kk copies",
        "Load average (1/5/15 min) at the start of the loads: "
        + " / ".join(f"{x:.2f}" for x in measured["load_before"])
        + "; at the end: "
        + " / ".join(f"{x:.2f}" for x in measured["load_after"]),
        "",
        f"{'page':<15}{'server':<11}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'non-2xx':>9}{'/nginx':>8}",
    ]
    for page, _path in pages:
        base = results[("nginx", page)]["rps"]
        for name in servers:
            r = results[(name, page)]
            lines.append(
                f"{page:<15}{name:<11}{r['rps']:>9.0f}{r['p50']:>9.2f}{r['p95']:>9.2f}"
                f"{r['p99']:>9.2f}{r['bad']:>9}{r['rps'] / base:>8.3f}"
            )
    lines += [
        "",
        "(search: Vigil answers every query itself, cached or not; nginx serves the copy's "
        "static search page, whose search runs in the browser; the front passes it to Vigil)",
        "(cached 2w: two granian workers; front: nginx_conf's nginx, cached pages from the "
        "page cache's files, in front of a one-worker serve)",
        *_ratio_lines(results, pages),
        f"Uncached update page at 1 connection: p50 {single['p50']:.2f} ms, "
        f"p99 {single['p99']:.2f} ms, {single['rps']:.0f} req/s",
        f"Search at 1 connection: p50 {single_search['p50']:.2f} ms, "
        f"p95 {single_search['p95']:.2f} ms; at {args.connections} connections p95 "
        f"{results[('cached', 'search')]['p95']:.2f} ms (queueing included)",
        _memory_line(memory),
        f"Full static export: {exported['rendered']} URLs in {float(exported['seconds']):.1f} s "
        f"({exported['rate']} pages/s, --jobs {args.jobs})",
        "",
        "Targets: cached >= 0.20 of nginx; front >= 0.8 of nginx; uncached update p50 <= 15 ms "
        "at 1 connection; search p95 <= 50 ms; RSS <= 150 MB.",
    ]
    return lines


def main() -> None:
    args = arguments()
    for tool in (NGINX, WRK):
        if not Path(tool).exists():
            raise SystemExit(f"{tool} is missing: apt-get install nginx wrk")
    with tempfile.TemporaryDirectory(prefix="vigil-bench-http-") as tmp:
        tmp = Path(tmp)
        env = {
            **bench_environment(tmp),
            "SERVE_MEDIA": "true",
            # wrk sends thousands of searches from one address: the per-address limit
            # (60 a minute) would answer 429 to nearly all of them.
            "SEARCH_RATE_LIMIT": "100000000",
            # The same for renders for a query string, counted before Django (and in the
            # database, so across the servers of the run).
            "PAGE_CACHE_QUERY_RATE_LIMIT": "100000000",
        }
        copy = tmp / "copy"
        exported, pages = site_ready(env, copy, args)
        measured = servers_load(env, tmp, copy, pages, args)
    results_write(kind="load", lines=report_lines(args, pages, exported, measured))


if __name__ == "__main__":
    main()
