"""Concurrency benchmark for petition signing: no signature lost, none counted twice.

What it measures, against the production server (`manage.py serve`, granian, as
`make run` starts it) on a fresh throw-away database:

1. Signing: 1,000 people sign the demo petition at `/petition/` from 50 concurrent
   clients (each a thread with its own cookie jar: GET the form, POST it). Meanwhile
   100 more addresses are each signed twice at the same moment by two clients (half
   of them the second time in upper case), which the UNIQUE constraint must turn into
   one row. Every POST must answer 303.
2. Confirming: every confirmation email is caught by an SMTP server inside this
   process, and every link in it is opened and its button pressed (GET, then POST),
   again by 50 clients.
3. Checking: the database holds exactly 1,100 confirmed signatures, one per address,
   every address of the run among them, and the petition page shows the same number.

It prints latency percentiles and throughput per kind of request, then PASS/FAIL
lines, saves the same text in `bench/results/signing-<date>-<host>-<db>.txt`, and
exits non-zero on any failure. Run it from the repo root:

    .venv/bin/python -m bench.signing             # SQLite (the default database)
    .venv/bin/python -m bench.signing --postgres  # PostgreSQL
    .venv/bin/python -m bench.signing --both      # both, one after the other (make bench-signing)

PostgreSQL is BENCH_DATABASE_URL when set (an empty database the bench may fill; it is
left as it is afterwards). Otherwise the local Debian cluster is started if it is down
(and stopped again afterwards), and a database and role `vigil_bench` are created and
dropped at the end. That needs root or sudo.

Nothing is written into the repo except the results file: the database, media, cache,
static files and the demo's admin password all live in a temp dir that is removed at the
end, also on failure. See bench/README.md.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bench.postgres import postgres_database
from vigil.testing.commands import ROOT, demo_site_build, manage, manage_spawn
from vigil.testing.forms import form_inputs
from vigil.testing.mail import confirm_links, mailbox_serving
from vigil.testing.servers import answer_wait, free_port, group_stop

RESULTS_DIR = ROOT / "bench" / "results"
SETTINGS = "bench.settings"
PETITION_PATH = "/petition/"
HTTP_TIMEOUT = 60
PUBLIC_COUNT = re.compile(r"<strong>([\d,.\s]+)</strong> confirmed signatures? of")
COUNTRIES = ["KZ", "GB", "DE", "FR", "US", "RU", "PL", "NL", "SE", "IT"]
FIRST_NAMES = ["Aigerim", "Daniyar", "Zoë", "Mary", "José", "Айгерим", "Nurlan", "Anna", "Léa"]
LAST_NAMES = ["Seitkali", "O'Brien", "Müller", "Smith", "Дюсенов", "Nowak", "Rossi", "Berg"]


# --- HTTP --------------------------------------------------------------------------------


def notice_of(response: requests.Response) -> str:
    """A short reason for an unexpected answer: the page's notice, else its title."""
    text = response.text
    for pattern in (r'role="alert">(.*?)<', r"<title>(.*?)</title>"):
        match = re.search(pattern, text, re.S)
        if match:
            return " ".join(unescape(match.group(1)).split())[:160]
    return " ".join(text.split())[:160]


@dataclass
class Sample:
    op: str
    status: int
    seconds: float
    ok: bool
    note: str = ""


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[Sample] = []

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def of(self, op: str) -> list[Sample]:
        return [s for s in self.samples if s.op == op]


class Clients:
    """One requests.Session per worker thread: each thread is one browser."""

    def __init__(self, base: str, recorder: Recorder):
        self.base = base
        self.recorder = recorder
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def request(self, op: str, method: str, url: str, expect: int, **kwargs):
        """Send one request and record it: (the response or None, its mutable Sample)."""
        start = time.perf_counter()
        try:
            response = self.session.request(
                method, url, timeout=HTTP_TIMEOUT, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            sample = Sample(op, 0, time.perf_counter() - start, False, repr(exc))
            self.recorder.add(sample)
            return None, sample
        elapsed = time.perf_counter() - start
        ok = response.status_code == expect
        sample = Sample(op, response.status_code, elapsed, ok, "" if ok else notice_of(response))
        self.recorder.add(sample)
        return response, sample


# --- Phase 1: signing --------------------------------------------------------------------


@dataclass
class Signer:
    email: str  # as typed into the form
    name: str
    country: str
    comment: str
    show_publicly: bool
    consent_updates: bool
    barrier: threading.Barrier | None = None  # shared by the two clients of a duplicate

    @property
    def address(self) -> str:
        return self.email.strip().lower()


def make_signers(count: int, duplicates: int, run: str, rng: random.Random) -> list[Signer]:
    """Distinct signers and duplicate pairs, shuffled together so both happen at once."""

    def signer(address: str) -> Signer:
        return Signer(
            email=address,
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            country=rng.choice(COUNTRIES),
            comment=rng.choice(["", "", "Free him now.", "Свободу! «Now»"]),
            show_publicly=rng.random() < 0.5,
            consent_updates=rng.random() < 0.3,
        )

    units = [[signer(f"signer{i:04d}.{run}@example.org")] for i in range(count)]
    for i in range(duplicates):
        first = signer(f"twice{i:04d}.{run}@example.org")
        second = signer(first.email.upper() if i % 2 else first.email)
        first.barrier = second.barrier = threading.Barrier(2, timeout=HTTP_TIMEOUT)
        units.append([first, second])
    rng.shuffle(units)
    return [signer for unit in units for signer in unit]


def sign(clients: Clients, signer: Signer) -> None:
    base = clients.base
    page, sample = clients.request("sign: GET form", "GET", base + PETITION_PATH, 200)
    inputs = form_inputs(page.text, PETITION_PATH + "sign/") if sample.ok else None
    if inputs is None:
        if sample.ok:
            sample.ok, sample.note = False, "no signing form on the page"
        if signer.barrier:
            signer.barrier.abort()  # do not leave the other client waiting
        return
    data = {
        **inputs,
        "website": "",
        "name": signer.name,
        "email": signer.email,
        "country": signer.country,
        "comment": signer.comment,
    }
    if signer.show_publicly:
        data["show_publicly"] = "on"
    if signer.consent_updates:
        data["consent_updates"] = "on"
    if signer.barrier:
        # Both clients hold a filled-in form; release them together so their
        # inserts race for the same UNIQUE key.
        with contextlib.suppress(threading.BrokenBarrierError):
            signer.barrier.wait()
    response, sample = clients.request(
        "sign: POST",
        "POST",
        base + PETITION_PATH + "sign/",
        303,
        data=data,
        headers={"Referer": base + PETITION_PATH},
    )
    location = response.headers.get("Location", "") if sample.ok else ""
    if sample.ok and not location.endswith(PETITION_PATH + "sign/sent/"):
        sample.ok, sample.note = False, f"303 to {location!r}"


# --- Phase 2: confirming -----------------------------------------------------------------


def confirm(clients: Clients, link: str, outcomes: Counter, lock: threading.Lock) -> None:
    page, sample = clients.request("confirm: GET link", "GET", link, 200)
    if not sample.ok:
        return
    inputs = form_inputs(page.text, urlsplit(link).path)
    if inputs is None:
        # The other link of a duplicate pair got there first: no button to press.
        outcome = "already (seen on GET)" if "Already confirmed" in page.text else "no button"
        with lock:
            outcomes[outcome] += 1
        return
    response, sample = clients.request(
        "confirm: POST",
        "POST",
        link,
        200,
        data={"csrfmiddlewaretoken": inputs.get("csrfmiddlewaretoken", "")},
        headers={"Referer": link},
    )
    if not sample.ok:
        return
    if "is confirmed and now counts" in response.text:
        outcome = "confirmed"
    elif "already confirmed" in response.text:
        outcome = "already (seen on POST)"
    else:
        outcome = "unexpected page"
    with lock:
        outcomes[outcome] += 1


def run_all(clients: int, job, items: list) -> None:
    """`job` for every item, `clients` at a time; on Ctrl-C, drop the ones not started."""
    pool = ThreadPoolExecutor(clients)
    try:
        list(pool.map(job, items))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --- Server, database, commands ----------------------------------------------------------


# Run inside the server's environment: what the database holds for the petition.
DB_STATE = """
import json
from django.db import connection
from django.db.models import Count
from vigil.actions.models import PetitionPage, Signature
# The English petition: the demo has Russian and Kazakh copies of it too.
petition = PetitionPage.objects.get(url_path__endswith="/petition/", locale__language_code="en")
rows = Signature.objects.filter(petition=petition)
with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("SHOW server_version")
        version = "PostgreSQL " + cursor.fetchone()[0]
    else:
        cursor.execute("SELECT sqlite_version()")
        version = "SQLite " + cursor.fetchone()[0]
print(json.dumps({
    "version": version,
    "rows": rows.count(),
    "confirmed": list(rows.filter(confirmed_at__isnull=False).values_list("email", flat=True)),
    "twice": list(
        rows.values("email").annotate(n=Count("pk")).filter(n__gt=1).values_list("email", flat=True)
    ),
}))
"""


def db_state(env: dict) -> dict:
    return json.loads(manage("shell", "-c", DB_STATE, env=env).strip().splitlines()[-1])


@contextlib.contextmanager
def server(env: dict, port: int, log_path: Path):
    """`manage.py serve` and one `manage.py worker` (which sends the confirmation mail) as
    `make run` starts them, each in its own process group."""
    process = manage_spawn(
        "serve", "--host", "127.0.0.1", "--port", str(port), env=env, log=log_path
    )
    worker = manage_spawn("worker", "--interval", "0.2", env=env, log=log_path)
    try:
        url = f"http://127.0.0.1:{port}{PETITION_PATH}"
        answer_wait(url=url, process=process, timeout=90)
        yield process
    finally:
        group_stop(process)
        group_stop(worker)


# --- Report ------------------------------------------------------------------------------


class Report:
    """Prints as it goes and keeps the lines for the results file."""

    def __init__(self):
        self.lines: list[str] = []
        self.failed = False

    def __call__(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def check(self, ok: bool, what: str) -> None:
        self.failed |= not ok
        self(f"{'PASS' if ok else 'FAIL'}  {what}")


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def table(report: Report, recorder: Recorder, phases: dict[str, tuple[list[str], float]]) -> None:
    head = f"{'request':<20}{'count':>7}{'bad':>6}{'req/s':>9}"
    head += f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    report(head)
    report("-" * len(head))
    for ops, seconds in phases.values():
        for op in ops:
            samples = recorder.of(op)
            times = [s.seconds * 1000 for s in samples]
            bad = sum(not s.ok for s in samples)
            rate = len(samples) / seconds if seconds else 0.0
            report(
                f"{op:<20}{len(samples):>7}{bad:>6}{rate:>9.1f}"
                f"{percentile(times, 50):>9.0f}{percentile(times, 95):>9.0f}"
                f"{percentile(times, 99):>9.0f}{max(times, default=0):>9.0f}"
            )
    report("(req/s: requests of that kind over the wall time of their phase)")


# --- One run -----------------------------------------------------------------------------


def run(db: str, args) -> bool:
    """One complete run against `db` ("sqlite" or "postgresql"); True when all passed."""
    report = Report()
    tmp = Path(tempfile.mkdtemp(prefix=f"vigil-bench-{db}-"))
    run_id = secrets.token_hex(3)
    rng = random.Random(args.seed)
    started_at = dt.datetime.now(dt.UTC)
    try:
        with contextlib.ExitStack() as stack:
            if db == "sqlite":
                database_url = f"sqlite:///{tmp / 'db.sqlite3'}"
            else:
                database_url = stack.enter_context(postgres_database())
            mailbox = stack.enter_context(mailbox_serving())
            smtp_port = mailbox.port
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": SETTINGS,
                "BENCH_VAR_DIR": str(tmp),
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "HTTPS": "false",
                "SERVE_MEDIA": "true",
                "BASE_URL": base,
                "DATABASE_URL": database_url,
                "MEDIA_ROOT": str(tmp / "media"),
                "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
                "ACTIONS_FORM_MIN_SECONDS": "0",
                "ACTIONS_RATE_LIMIT": "1000000",
                # 1,200 confirmations to example.org in about a minute: the production
                # ceilings (120 a minute, 30 to one domain) would stretch the run to 40
                # minutes; they have tests of their own (test_outbox).
                "ACTIONS_MAIL_PER_MINUTE": "1000000",
                "ACTIONS_MAIL_PER_DOMAIN_PER_MINUTE": "1000000",
                "PYTHONUNBUFFERED": "1",
            }
            print(f"[{db}] migrate, demo, site_url, collectstatic in {tmp}", flush=True)
            # load_demo would write the new admin's password over the repo's
            # var/admin-password.txt; the loader itself lets us keep it in tmp.
            demo_site_build(env=env, var_dir=tmp, base_url=base, static=True)
            baseline = db_state(env)
            log_path = tmp / "server.log"
            try:
                stack.enter_context(server(env, port, log_path))
                ok = measure(report, db, args, env, base, mailbox, baseline, run_id, rng)
            finally:
                server_log = log_path.read_text(errors="replace") if log_path.exists() else ""
            tracebacks = server_log.count("Traceback (most recent call last)")
            report.check(tracebacks == 0, f"server log has no tracebacks ({tracebacks})")
            if report.failed or not ok:
                print(f"--- server log (last 150 lines of {len(server_log.splitlines())}) ---")
                print("\n".join(server_log.splitlines()[-150:]))
    except Exception:
        report.failed = True
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if report.lines:
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            name = f"signing-{started_at:%Y-%m-%d}-{socket.gethostname()}-{db}.txt"
            (RESULTS_DIR / name).write_text("\n".join(report.lines) + "\n")
            print(f"[{db}] results written to {(RESULTS_DIR / name).relative_to(ROOT)}")
    return not report.failed


@dataclass
class Phases:
    """What the two phases did: signing attempts, mail received, confirmations."""

    signers: list[Signer]
    sign_seconds: float = 0.0
    sign_cpu: float = 0.0
    mail_count: int = 0
    received: Counter = field(default_factory=Counter)
    subjects: Counter = field(default_factory=Counter)
    links: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    confirm_seconds: float = 0.0
    confirm_cpu: float = 0.0


def signing_phase(db: str, args, clients: Clients, phases: Phases) -> None:
    signers = phases.signers
    print(f"[{db}] phase 1: {len(signers)} signing attempts from {args.clients} clients")
    start, cpu = time.perf_counter(), time.process_time()
    try:
        run_all(args.clients, lambda s: sign(clients, s), signers)
    except BaseException:
        for signer in signers:  # free clients waiting for a partner that will not come
            if signer.barrier:
                signer.barrier.abort()
        raise
    phases.sign_seconds = time.perf_counter() - start
    # The clients share the machine with the server: say how much CPU they took.
    phases.sign_cpu = time.process_time() - cpu


def mail_collect(db: str, mailbox, accepted: int, phases: Phases) -> None:
    """Wait for the confirmation emails; count them per recipient and subject, and
    collect their links."""
    # A signature is only accepted once its email is sent, so every 303 should have its
    # message here already; waiting covers a mail server slower than this one.
    print(f"[{db}] waiting for {accepted} emails")
    deadline = time.monotonic() + 60
    while mailbox.count() < accepted and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # a late extra message would be a bug too: give it a moment
    messages = mailbox.all()
    for recipients, message in messages:
        phases.subjects[str(message["Subject"] or "").split(":")[0]] += 1
        for recipient in recipients:
            phases.received[recipient.lower()] += 1
        phases.links.extend(confirm_links(message))
    phases.mail_count = len(messages)


def confirming_phase(db: str, args, clients: Clients, rng, phases: Phases) -> None:
    links = phases.links
    print(f"[{db}] phase 2: confirming {len(links)} links from {args.clients} clients")
    lock = threading.Lock()
    rng.shuffle(links)
    start, cpu = time.perf_counter(), time.process_time()
    run_all(args.clients, lambda link: confirm(clients, link, phases.outcomes, lock), links)
    phases.confirm_seconds = time.perf_counter() - start
    phases.confirm_cpu = time.process_time() - cpu


def public_count(base: str) -> int | None:
    """The confirmed signatures the petition page shows."""
    page = requests.get(base + PETITION_PATH, timeout=HTTP_TIMEOUT)
    match = PUBLIC_COUNT.search(page.text)
    return int(re.sub(r"\D", "", match.group(1))) if match else None


def figures_report(
    report: Report, db: str, args, recorder: Recorder, phases: Phases, state: dict
) -> None:
    signers, links = phases.signers, phases.links
    sign_seconds, confirm_seconds = phases.sign_seconds, phases.confirm_seconds
    report(f"Petition signing benchmark, {db}: {state['version']}")
    report(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, host {socket.gethostname()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    report(
        "server: manage.py serve as make run starts it (granian, 1 worker, 4 threads); "
        f"{args.clients} client threads in this process"
    )
    report(
        f"phase 1: {args.signers} distinct signers + {args.duplicates} addresses signed twice at "
        f"once = {len(signers)} signatures in {sign_seconds:.1f} s "
        f"({len(signers) / sign_seconds:.1f} signatures/s, "
        f"{2 * len(signers) / sign_seconds:.1f} HTTP req/s; "
        f"clients used {phases.sign_cpu:.0f} CPU-s)"
    )
    n_confirm = len(recorder.of("confirm: GET link")) + len(recorder.of("confirm: POST"))
    report(
        f"phase 2: {len(links)} links from {phases.mail_count} emails confirmed in "
        f"{confirm_seconds:.1f} s ({len(links) / confirm_seconds:.1f} links/s, "
        f"{n_confirm / confirm_seconds:.1f} HTTP req/s; "
        f"clients used {phases.confirm_cpu:.0f} CPU-s)"
    )
    report()
    table(
        report,
        recorder,
        {
            "sign": (["sign: GET form", "sign: POST"], sign_seconds),
            "confirm": (["confirm: GET link", "confirm: POST"], confirm_seconds),
        },
    )
    report()


def checks_report(
    report: Report, recorder: Recorder, phases: Phases, state: dict, baseline: dict, public
) -> None:
    signers, links, outcomes = phases.signers, phases.links, phases.outcomes
    mail_count, received, subjects = phases.mail_count, phases.received, phases.subjects
    expected_mail = Counter(s.address for s in signers)
    expected = set(expected_mail)
    confirmed = Counter(state["confirmed"])
    run_confirmed = {address for address in confirmed if address in expected}
    new_confirmed = len(confirmed) - len(baseline["confirmed"])
    sign_posts = recorder.of("sign: POST")
    confirm_requests = recorder.of("confirm: GET link") + recorder.of("confirm: POST")
    report(f"emails received        {mail_count} (expected {len(signers)}); {dict(subjects)}")
    report(f"confirm answers        {dict(outcomes)}")
    report(f"signature rows         {state['rows']} (before the run: {baseline['rows']})")
    report(f"confirmed in database  {len(state['confirmed'])} (expected {len(expected)} new)")
    report(f"count on /petition/    {public}")
    report()

    bad_posts = [s for s in sign_posts if not s.ok]
    report.check(
        len(sign_posts) == len(signers) and not bad_posts,
        f"all {len(signers)} signing POSTs answered 303 ({len(bad_posts)} did not, "
        f"{len(signers) - len(sign_posts)} never sent)",
    )
    for (status, note), n in Counter((s.status, s.note) for s in bad_posts).most_common(5):
        report(f"      {n} x {status}: {note}")
    bad_confirms = [s for s in confirm_requests if not s.ok]
    report.check(
        not bad_confirms, f"all confirmation GETs and POSTs answered 200 ({len(bad_confirms)} not)"
    )
    for (op, status, note), n in Counter(
        (s.op, s.status, s.note) for s in bad_confirms
    ).most_common(5):
        report(f"      {n} x {op} {status}: {note}")
    wrong_mail = {
        address
        for address in expected | set(received)
        if received[address] != expected_mail[address]
    }
    report.check(
        mail_count == len(signers) and not wrong_mail,
        f"one email per signing attempt ({len(wrong_mail)} addresses got a wrong number)",
    )
    report.check(len(links) == mail_count, f"every email has a confirm link ({len(links)})")
    report.check(
        outcomes["confirmed"] == len(expected),
        f"each signature confirmed exactly once ({outcomes['confirmed']} of {len(expected)})",
    )
    report.check(
        new_confirmed == len(expected) and run_confirmed == expected,
        f"no signature lost: {new_confirmed} new confirmed, {len(expected - run_confirmed)} "
        "addresses missing",
    )
    report.check(
        not state["twice"] and max(confirmed.values(), default=1) == 1,
        f"no address twice ({len(state['twice'])} duplicated)",
    )
    report.check(
        public == len(state["confirmed"]),
        f"/petition/ shows the database's count ({public} vs {len(state['confirmed'])})",
    )


def measure(report, db, args, env, base, mailbox, baseline, run_id, rng) -> bool:
    recorder = Recorder()
    clients = Clients(base, recorder)
    phases = Phases(signers=make_signers(args.signers, args.duplicates, run_id, rng))
    signing_phase(db, args, clients, phases)
    accepted = sum(s.ok for s in recorder.of("sign: POST"))
    mail_collect(db, mailbox, accepted, phases)
    confirming_phase(db, args, clients, rng, phases)
    state = db_state(env)
    public = public_count(base)
    figures_report(report, db, args, recorder, phases, state)
    checks_report(report, recorder, phases, state, baseline, public)
    return not report.failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--postgres", action="store_true", help="use PostgreSQL, not SQLite")
    which.add_argument("--both", action="store_true", help="run on SQLite, then PostgreSQL")
    parser.add_argument("--signers", type=int, default=1000, help="distinct signers")
    parser.add_argument("--duplicates", type=int, default=100, help="addresses signed twice")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seed", type=int, default=2026, help="seed for names and order")
    args = parser.parse_args()
    # Turn `kill` into an exception too, so that the cleanup in `finally` blocks runs.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    databases = (
        ["sqlite", "postgresql"] if args.both else ["postgresql" if args.postgres else "sqlite"]
    )
    results = {}
    for db in databases:
        try:
            results[db] = run(db, args)
        except Exception as exc:  # noqa: BLE001 - report it and go on to the next database
            print(f"[{db}] ERROR: {exc}", file=sys.stderr, flush=True)
            results[db] = False
        print()
    for db, ok in results.items():
        print(f"{db}: {'PASS' if ok else 'FAIL'}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
