"""Fixtures shared by the page cache tests."""

from vigil.core.tests.live_site import site_template  # noqa: F401 - the live-site fixture
