"""The actions' fixtures: a real SMTP server (vigil.testing.inbox), a petition, fresh limits."""

import pytest
from django.core.cache import cache

from vigil.actions.tests.factories import PetitionPageFactory
from vigil.testing.inbox import inbox_serving, smtp_nowhere_point


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; Django's SMTP backend sends to it."""
    with inbox_serving(settings) as inbox:
        yield inbox


@pytest.fixture
def no_smtp(settings):
    """Mail configured to a port where nothing listens: every send fails."""
    smtp_nowhere_point(settings)


@pytest.fixture
def fast_forms(settings):
    """Forms may be sent back at once (the minimum-time trap has its own tests)."""
    settings.ACTIONS_FORM_MIN_SECONDS = 0


@pytest.fixture
def petition(home):
    return PetitionPageFactory(parent=home)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The cache (purge stamp) starts empty; rate counters live in the
    database and go with each test's transaction."""
    cache.clear()
    yield
    cache.clear()
