"""Signers' and subscribers' data never appears in any public output: the canary test.

A signer with a unique name, address and comment is planted in the demo campaign,
confirmed and consenting to be shown; every public page, feed, export, search answer
and error page is fetched and searched for them. Only the first name, which the
signer agreed to show, may appear.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from wagtail.models import Site
from wagtail.search.models import IndexEntry

from vigil.actions import services
from vigil.actions.models import PetitionPage
from vigil.actions.tests.factories import SignatureFactory, SubscriberFactory
from vigil.demo.services import demo_load
from vigil.news.models import UpdatePage
from vigil.search.services import search_query_clean

pytestmark = pytest.mark.django_db

CANARY_EMAIL = "canary-5b1e9c@example.org"
CANARY_SURNAME = "Quillfeather"
CANARY_COMMENT = "canary-comment-8d2f"
SECRETS = [CANARY_EMAIL, CANARY_EMAIL.split("@")[0], CANARY_SURNAME, CANARY_COMMENT]


@pytest.fixture
def planted(tmp_path, smtp):
    demo_load(var_dir=tmp_path)
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "testserver", 80
    site.save()
    petition = PetitionPage.objects.get(locale__language_code="en")
    SignatureFactory(
        petition=petition,
        name=f"Zephyrine {CANARY_SURNAME}",
        email=CANARY_EMAIL,
        comment=CANARY_COMMENT,
        show_publicly=True,
        consent_updates=True,
        confirmed_at=timezone.now(),
    )
    SubscriberFactory(email=CANARY_EMAIL)
    update = UpdatePage.objects.live().filter(locale__language_code="en").order_by("-date").first()
    mailing = services.mailing_create(page=update, user=None)
    services.mailing_send(mailing=mailing)
    return petition


def public_urls(client) -> set[str]:
    """Every URL in the sitemap, the links of every page found there, and the extras."""
    sitemap = client.get("/sitemap.xml").content.decode()
    urls = {urlsplit(u).path for u in re.findall(r"<loc>([^<]+)</loc>", sitemap)}
    found = set(urls)
    for url in urls:
        response = client.get(url)
        if response.status_code == 200 and "html" in response["Content-Type"]:
            for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
                if not href.startswith(("/admin", "/static", "/media", "/documents")):
                    found.add(href.split("?")[0] if "sign/" in href else href)
    return found | {
        "/robots.txt",
        "/act/subscribe/",
        "/no-such-page/",
        f"/search/?q={CANARY_SURNAME}",
        f"/search/?q={CANARY_EMAIL}",
        "/search/?q=Zephyrine",
    }


def test_canary_never_appears_publicly(client, planted):
    """No public response, and nothing in the search index, names the planted signer beyond
    the first name they allowed."""
    urls = public_urls(client)
    assert len(urls) > 60, "the crawl reached the whole demo site"
    assert planted.url in urls
    assert any(url.endswith("/feed/rss/") for url in urls)
    assert any(url.endswith("case.json") for url in urls)
    leaks = []
    for url in sorted(urls):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        if "?q=" in url:
            # A search page repeats what the reader typed; only its results may not name them.
            typed = url.split("?q=", 1)[1]
            cleaned, _changed = search_query_clean(raw=typed)
            text = text.replace(typed, "").replace(cleaned, "")
        for secret in SECRETS:
            if secret.lower() in text.lower():
                leaks.append((url, secret))
    assert leaks == []
    # Nor the search index behind every reader's query (one demo load for both checks).
    for secret in SECRETS:
        assert not IndexEntry.objects.filter(body__icontains=secret).exists(), secret
        assert not IndexEntry.objects.filter(title__icontains=secret).exists(), secret
    petition_html = client.get(planted.url).content.decode()
    assert "Zephyrine, United Kingdom" in petition_html, "the consented first name is shown"
