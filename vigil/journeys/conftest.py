"""Fixtures of the journey tests: one production server per module, a journey per test."""

import pytest

from vigil.journeys.harness import Journey, JourneySite
from vigil.testing.live_site import run_base, static_collect, template_build
from vigil.testing.mail import mailbox_serving


@pytest.fixture(scope="module")
def journey_mailbox():
    """The SMTP server every message of the module's site goes to (aiosmtpd)."""
    with mailbox_serving() as box:
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
def journey(journey_site, journey_mailbox, browser, request):
    """One person's journey, from the demo as `make run` loads it, in fresh profiles."""
    journey_site.restore()
    journey_mailbox.clear()
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
