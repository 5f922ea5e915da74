"""An empty campaign site to import into (the real export imported, for some tests)."""

import pytest

from vigil.wordpress.tests.helpers import EXPORT, UPLOADS, run_import


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Imported files go to a throw-away folder, never the developer's media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def imported(home, updates_index):
    """The real export imported once, with its uploads."""
    output = run_import(EXPORT, uploads=str(UPLOADS))
    return {"home": home, "index": updates_index, "output": output}
