"""Fixtures shared by the backup tests."""

import pytest

from vigil.testing.demo import database_kept as database_put_back


@pytest.fixture
def database_kept(django_db_setup, django_db_blocker):
    """Put the test database back as it was after a test that commits (set up before and
    torn down after `transactional_db`'s flush), as the browser tests do."""
    with database_put_back(django_db_blocker):
        yield
