"""The petition and subscription pages have pinned query counts that do not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vigil.actions.tests.factories import SignatureFactory, external_petition_add

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _grow(petition, n):
    now = timezone.now()
    SignatureFactory.create_batch(n, petition=petition, confirmed_at=now, show_publicly=True)
    for _ in range(n // 5):
        external_petition_add(title="Elsewhere", counts=[(now.date(), 10), (now.date(), 12)])


# Each names its share image (vigil/sharing): one query for the home page's featured case,
# whose day count and today the image's address and description carry.
@pytest.mark.parametrize(
    ("url", "expected"),
    [("PETITION", 11), ("/act/subscribe/", 4), ("PETITION_SENT", 7)],
    ids=["petition page", "subscribe page", "check your email page"],
)
def test_action_pages_query_count(client, petition, url, expected):
    """Same count with 10 signers and 2 external petitions as with 30 and 8."""
    target = {"PETITION": petition.url, "PETITION_SENT": petition.url + "sign/sent/"}.get(url, url)
    _grow(petition, 10)
    client.get(target)
    small = _count(client, target)
    _grow(petition, 30)
    large = _count(client, target)
    assert small == large
    assert large == expected, f"{large} queries, pinned at {expected}"
