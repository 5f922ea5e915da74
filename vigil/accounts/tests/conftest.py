import pytest


@pytest.fixture
def require_2fa(settings):
    settings.VIGIL_REQUIRE_2FA = True
    return settings
