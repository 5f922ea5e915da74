# The demo built once per module and restored for each test (test_load_demo.py has a
# `demo` of its own: a fresh load per test, which is what it tests).
from vigil.core.tests.browser import (  # noqa: F401
    demo,
    demo_copy,
    demo_var_dir,
    sync_orm_beside_playwright,
)
