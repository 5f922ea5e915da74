"""Fixtures for the browser tests, and each test's outcome for fixtures to read."""

import pytest

from vigil.core.tests.browser import (  # noqa: F401
    browser,
    demo,
    demo_copy,
    open_page,
    sync_orm_beside_playwright,
)
from vigil.core.tests.live_site import (  # noqa: F401 - the fault tests' fixtures
    live_site,
    mailbox,
    site_template,
)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (`rep_setup`, `rep_call`, `rep_teardown`).

    Fixtures read `request.node.rep_call.failed` in their teardown, e.g. to save a
    screenshot of the page a failed browser test was looking at.
    """
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
