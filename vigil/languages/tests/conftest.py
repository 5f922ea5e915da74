from vigil.core.tests.browser import (  # noqa: F401 - the demo on a live server, restored per test
    browser,
    demo,
    demo_copy,
    open_page,
    sync_orm_beside_playwright,
)
from vigil.core.tests.conftest import pytest_runtest_makereport  # noqa: F401
