"""A refused form says what is wrong first, links each error to its field, and every
field names its help and errors by ids that exist (aria-describedby)."""

import re

import pytest

from vigil.actions.tests.helpers import form_stamp, signature_post

pytestmark = pytest.mark.django_db

DESCRIBED_BY = re.compile(r'aria-describedby="([^"]+)"')
IDS = re.compile(r'\sid="([^"]+)"')
SUMMARY_LINKS = re.compile(r'<div class="error-summary".*?</div>', re.DOTALL)


def _missing_ids(html: str) -> set[str]:
    named = {name for names in DESCRIBED_BY.findall(html) for name in names.split()}
    return named - set(IDS.findall(html))


def test_the_blank_form_names_only_ids_that_exist(client, petition, fast_forms):
    html = client.get(petition.url).content.decode()
    assert DESCRIBED_BY.search(html), "the email field is described by its help"
    assert not _missing_ids(html)


def test_a_refused_signature_names_only_ids_that_exist(client, petition, fast_forms):
    response = signature_post(client, petition.url, name="  ", email="not-an-address")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="id_name_error"' in html
    assert not _missing_ids(html)


def test_a_refused_signature_opens_on_a_summary_linked_to_each_field(client, petition, fast_forms):
    response = signature_post(client, petition.url, name="  ", email="not-an-address")
    html = response.content.decode()
    summary = SUMMARY_LINKS.search(html)
    assert summary, "an error summary"
    assert html.index('class="error-summary"') < html.index("<h1"), "before the page's heading"
    assert "Please correct the errors below." in summary.group(0)
    targets = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))
    assert [target for target, _text in targets] == ["id_name", "id_email"]
    assert "Your name: This field is required." in [text for _target, text in targets]
    ids = set(IDS.findall(html))
    assert {target for target, _text in targets} <= ids


def test_a_refused_subscription_opens_on_a_summary(client, home, fast_forms):
    page = client.get("/act/subscribe/")
    response = client.post(
        "/act/subscribe/",
        {"email": "nope", "language": "en", "website": "", "stamp": form_stamp(page)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.index('class="error-summary"') < html.index("<h1")
    assert '<a href="#id_email">' in html
    assert not _missing_ids(html)
