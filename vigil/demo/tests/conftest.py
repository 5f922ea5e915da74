# The demo built once per test process and restored for each test.
from vigil.core.tests.browser import (  # noqa: F401
    demo,
    demo_copy,
    sync_orm_beside_playwright,
)
