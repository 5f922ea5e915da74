"""Fixtures of the journey tests: one production server per module, a journey per test."""

import pytest

from vigil.core.tests.browser import browser, sync_orm_beside_playwright  # noqa: F401
from vigil.core.tests.conftest import pytest_runtest_makereport  # noqa: F401
from vigil.core.tests.live_site import (
    Mailbox,
    run_base,
    smtp_server,
    static_collect,
    template_build,
)
from vigil.journeys.harness import Journey, JourneySite


@pytest.fixture(scope="module")
def journey_mailbox():
    """The SMTP server every message of the module's site goes to (aiosmtpd)."""
    box = Mailbox()
    with smtp_server(box) as port:
        box.port = port
        yield box


@pytest.fixture(scope="module")
def journey_site(tmp_path_factory, journey_mailbox):
    """The module's production server; each journey restores the demo under it."""
    base = run_base(tmp_path_factory)
    template = template_build(base)
    static_root = static_collect(base)
    site = JourneySite(
        template,
        tmp_path_factory.mktemp("journey-site"),
        smtp_port=journey_mailbox.port,
        static_root=static_root,
    )
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture
def journey(journey_site, journey_mailbox, browser, request):  # noqa: F811 - the fixture
    """One person's journey, from the demo as `make run` loads it, in fresh profiles."""
    journey_site.restore()
    with journey_mailbox.lock:
        journey_mailbox.messages.clear()
    trip = Journey(
        site=journey_site, mailbox=journey_mailbox, browser=browser, name=request.node.name
    )
    failed = True
    try:
        yield trip
        failed = False
    finally:
        report = getattr(request.node, "rep_call", None)
        failed = failed or report is None or report.failed
        trip.close(failed=failed)
    assert not trip.problems, "The browser saw problems:\n" + "\n".join(trip.problems)
