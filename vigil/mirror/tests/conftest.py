from pathlib import Path

import pytest
from django.utils import timezone

from vigil.actions.models import PetitionPage
from vigil.actions.tests.factories import SignatureFactory, SubscriberFactory
from vigil.mirror import services
from vigil.mirror.tests.helpers import BASE_URL, CANARY_COMMENT, CANARY_EMAIL, CANARY_SURNAME


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory) -> Path:
    key = tmp_path_factory.mktemp("key") / "mirror-key"
    services.mirror_key_create(path=key)
    return key


@pytest.fixture(scope="module")
def exported(demo_copy, django_db_blocker, signing_key, tmp_path_factory):
    """The demo, with a consenting canary signer and subscriber, exported once for the module."""
    directory = tmp_path_factory.mktemp("export") / "copy"
    with django_db_blocker.unblock():
        demo_copy.restore()
        SignatureFactory(
            petition=PetitionPage.objects.get(locale__language_code="en"),
            name=f"Quintessa {CANARY_SURNAME}",
            email=CANARY_EMAIL,
            comment=CANARY_COMMENT,
            show_publicly=True,
            consent_updates=True,
            confirmed_at=timezone.now(),
        )
        SubscriberFactory(email=CANARY_EMAIL)
        summary = services.site_export(directory=directory, base_url=BASE_URL, key=signing_key)
        demo_copy.restore()
    return directory, summary
