"""Fixtures shared by the backup tests."""

import pytest

from vigil.core.tests.live_site import site_template  # noqa: F401 - the live-site fixture


@pytest.fixture
def database_kept(django_db_setup, django_db_blocker):
    """Put the test database back as it was after a test that commits (set up before and
    torn down after `transactional_db`'s flush), as the browser tests do."""
    from vigil.core.tests.browser import database_kept

    with database_kept(django_db_blocker):
        yield
