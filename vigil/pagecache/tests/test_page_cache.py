"""The page cache: hits before Django, and exact invalidation after every kind of change."""

import datetime as dt
import gzip
import threading
import time
import zoneinfo
from http.server import BaseHTTPRequestHandler, HTTPServer

import brotli
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone as django_timezone
from wagtail.models import Locale

from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory
from vigil.core.models import CampaignSettings
from vigil.news.tests.factories import UpdatePageFactory
from vigil.pagecache import wsgi
from vigil.pagecache.models import CachedPage, Invalidation
from vigil.pagecache.services import (
    _InvalidateOnCommit,
    page_cache_expiry,
    page_cache_key,
    page_cache_store,
)
from vigil.pages.tests.factories import StandardPageFactory
from vigil.support.models import Statement
from vigil.support.tests.factories import StatementFactory, SupportRegisterPageFactory

from .helpers import get, make_app


@pytest.fixture
def cache_dir(settings, tmp_path):
    settings.PAGE_CACHE_DIR = str(tmp_path / "page-cache")
    settings.WAGTAILFRONTENDCACHE = {}
    return tmp_path / "page-cache"


@pytest.fixture
def app(cache_dir):
    return make_app()


@pytest.fixture
def site(home, updates_index, django_capture_on_commit_callbacks):
    # Committed, as far as the cache can tell: each test's own changes start clean.
    for _sids, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _InvalidateOnCommit) and not callback.done:
            callback()
    with django_capture_on_commit_callbacks(execute=True):
        return _site(home, updates_index)


def _site(home, updates_index):
    # Made on the first render otherwise, inside that request's own transaction.
    CampaignSettings.for_site(home.get_site())
    about = StandardPageFactory(parent=home, title="About the campaign", slug="about")
    about.show_in_menus = True
    about.save_revision().publish()
    updates = [UpdatePageFactory(parent=updates_index) for _ in range(3)]
    case = CasePageFactory(parent=CaseIndexPageFactory(parent=home), slug="test-person")
    home.featured_case = case
    home.save_revision().publish()
    register = SupportRegisterPageFactory(parent=home, case=case)
    StatementFactory(case=case, who="Norwegian Helsinki Committee")
    return {
        "case": case,
        "home": home,
        "index": updates_index,
        "about": about,
        "updates": updates,
        "register": register,
    }


def warm(app, *paths):
    for path in paths:
        first = get(app, path)
        assert first.status == 200, path
        assert first.cache == "miss", (path, first.cache)
        assert get(app, path).cache == "hit", path


def test_second_request_is_served_from_the_cache_with_the_same_page(app, site):
    """The cached answer has the same body and security headers as Django's own."""
    first = get(app, "/about/")
    second = get(app, "/about/")
    assert (first.cache, second.cache) == ("miss", "hit")
    assert second.body == first.body
    assert "About the campaign" in second.text
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Content-Type", "ETag"):
        assert second.headers[header] == first.headers[header]
    assert second.headers["Cache-Control"].startswith("public, max-age=0, must-revalidate")
    assert "s-maxage=" in second.headers["Cache-Control"]


def test_conditional_requests_get_304(app, site):
    """A browser holding the page gets 304 by ETag or by date, with no body."""
    etag = get(app, "/about/").headers["ETag"]
    answer = get(app, "/about/", if_none_match=etag)
    assert (answer.status, answer.body) == (304, b"")
    assert answer.headers["ETag"] == etag
    modified = get(app, "/about/").headers["Last-Modified"]
    assert get(app, "/about/", if_modified_since=modified).status == 304
    assert get(app, "/about/", if_none_match='"something-else"').status == 200


def test_a_render_that_crossed_a_second_still_gets_304_by_date(app, site, monkeypatch):
    """Last-Modified is when the render began; the file is written later. A browser
    sending that date back is answered 304 even when the two fall in different seconds."""

    class _StartedEarlier:
        """wsgi.py's clock, three seconds behind: the render "began" before it stored."""

        @staticmethod
        def time():
            return time.time() - 3

    Invalidation.objects.all().delete()  # the fixture's edits are older than that render
    monkeypatch.setattr(wsgi, "time", _StartedEarlier)
    modified = get(app, "/about/").headers["Last-Modified"]
    monkeypatch.undo()
    assert get(app, "/about/").cache == "hit"
    assert get(app, "/about/", if_modified_since=modified).status == 304


def test_compressed_copies_are_served_to_browsers_that_accept_them(app, site):
    plain = get(app, "/about/").body
    assert get(app, "/about/").cache == "hit"
    br = get(app, "/about/", accept_encoding="gzip, deflate, br")
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.body) == plain
    gz = get(app, "/about/", accept_encoding="gzip")
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.body) == plain
    assert int(gz.headers["Content-Length"]) == len(gz.body) < len(plain)
    refused = get(app, "/about/", accept_encoding="br;q=0, gzip;q=0")
    assert "Content-Encoding" not in refused.headers
    head = get(app, "/about/", method="HEAD")
    assert (head.status, head.body, head.cache) == (200, b"", "hit")


def test_answers_never_stored_are_compressed_too(app, site):
    """A form (it sets a CSRF cookie), a search, a 404 and a page's first render reach a
    reader compressed as a stored page does; a HEAD and a refused encoding do not."""
    for path, status in (
        ("/act/subscribe/", 200),
        ("/search/?q=detention", 200),
        ("/no-such-page/", 404),
        ("/about/", 200),  # the miss that stores it
    ):
        br = get(app, path, accept_encoding="gzip, deflate, br")
        assert (br.status, br.headers["Content-Encoding"]) == (status, "br"), path
        html = brotli.decompress(br.body)
        assert html.startswith(b"<!DOCTYPE html>"), path
        assert int(br.headers["Content-Length"]) == len(br.body) < len(html), path
        assert "Accept-Encoding" in br.headers["Vary"], path
        gz = get(app, path, accept_encoding="gzip")
        assert gz.headers["Content-Encoding"] == "gzip", path
        assert gzip.decompress(gz.body).startswith(b"<!DOCTYPE html>"), path
    plain = get(app, "/act/subscribe/", accept_encoding="br;q=0, gzip;q=0")
    assert "Content-Encoding" not in plain.headers
    assert plain.body.startswith(b"<!DOCTYPE html>")
    head = get(app, "/act/subscribe/", method="HEAD", accept_encoding="br")
    assert head.status == 200
    assert "Content-Encoding" not in head.headers


def test_an_answer_with_a_browser_lifetime_of_its_own_keeps_it(app, site):
    """A partner's widget is kept by browsers for a day: the cache passes it on as made,
    instead of storing it and answering max-age=0."""
    for path in ("/widgets/days.svg", "/widgets/campaign.json"):
        answer = get(app, path)
        assert answer.status == 200, path
        assert answer.headers["Cache-Control"] == "public, max-age=86400", path
        assert answer.cache is None, path
        assert get(app, path).cache is None, path
    assert not CachedPage.objects.filter(url__contains="widgets").exists()


def test_a_new_signature_leaves_cached_pages_in_place(
    app, site, django_capture_on_commit_callbacks
):
    """Every page's top counts everyone who signed, as of its render: a signing wave
    must not empty the cache with each signature (the petition itself is never stored)."""
    from django.utils import timezone

    from vigil.actions.tests.factories import PetitionPageFactory, SignatureFactory

    with django_capture_on_commit_callbacks(execute=True):
        petition = PetitionPageFactory(
            parent=site["home"], case=site["case"], slug="sign", show_count_from=5
        )
        site["home"].action_page = petition
        site["home"].save_revision().publish()
    warm(app, "/about/")
    assert "hero__figure" in get(app, "/about/").text
    with django_capture_on_commit_callbacks(execute=True):
        SignatureFactory(petition=petition, confirmed_at=timezone.now())
    assert get(app, "/about/").cache == "hit"


def test_personal_requests_and_answers_are_never_cached(app, site, client):
    """A session cookie skips the cache; a page with a CSRF form is never stored."""
    warm(app, "/about/")
    with_session = get(app, "/about/", cookie="sessionid=abc")
    assert with_session.cache is None
    form = get(app, "/act/subscribe/")
    assert form.status == 200
    assert form.cache is None
    assert "private" in form.headers["Cache-Control"]
    assert get(app, "/act/subscribe/").cache is None
    assert not CachedPage.objects.filter(url__contains="subscribe").exists()


def test_addresses_with_a_query_are_not_stored(app, site):
    """Random query strings cannot fill the cache; the answer is Django's, public."""
    answer = get(app, "/search/?q=detention")
    assert answer.status == 200 and answer.cache is None
    assert "s-maxage" in answer.headers["Cache-Control"]
    assert CachedPage.objects.count() == 0


def test_publishing_an_update_refreshes_its_listings_and_nothing_else(
    app, site, django_capture_on_commit_callbacks
):
    """Home, the index and the feed show the new update at once; About stays cached."""
    warm(app, "/", "/updates/", "/updates/feed/rss/", "/about/", "/support/")
    with django_capture_on_commit_callbacks(execute=True):
        new = UpdatePageFactory(parent=site["index"], title="Hearing date announced", live=False)
        new.save_revision().publish()
    for path in ("/", "/updates/", "/updates/feed/rss/"):
        answer = get(app, path)
        assert answer.cache == "miss", path
        assert "Hearing date announced" in answer.text, path
    assert get(app, "/about/").cache == "hit"


def test_editing_an_update_refreshes_every_page_showing_it(
    app, site, django_capture_on_commit_callbacks
):
    update = site["updates"][0]
    warm(app, "/updates/", update.url, "/about/")
    with django_capture_on_commit_callbacks(execute=True):
        update.title = "Corrected headline"
        update.save_revision().publish()
    assert "Corrected headline" in get(app, update.url).text
    assert "Corrected headline" in get(app, "/updates/").text
    assert get(app, "/about/").cache == "hit"


def test_unpublishing_and_deleting_remove_a_page_everywhere(
    app, site, django_capture_on_commit_callbacks
):
    first, second = site["updates"][0], site["updates"][1]
    warm(app, "/updates/", first.url, second.url)
    with django_capture_on_commit_callbacks(execute=True):
        first.unpublish()
    assert get(app, first.url).status == 404
    assert first.title not in get(app, "/updates/").text
    assert get(app, "/updates/").cache == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        second.delete()
    assert get(app, second.url).status == 404
    assert second.title not in get(app, "/updates/").text


def test_moving_a_page_changes_its_address_on_every_page(
    app, site, django_capture_on_commit_callbacks
):
    """The menu on every page links to the moved page's new address; the old one redirects."""
    about = site["about"]
    warm(app, "/about/", "/updates/")
    with django_capture_on_commit_callbacks(execute=True):
        about.move(site["register"], pos="last-child")
    moved = get(app, "/about/")
    assert (moved.status, moved.headers["Location"]) == (301, "/support/about/")
    assert get(app, "/support/about/").status == 200
    assert 'href="/about/"' not in get(app, "/updates/").text


def test_a_new_menu_page_appears_on_every_cached_page(
    app, site, django_capture_on_commit_callbacks
):
    warm(app, "/about/", "/updates/")
    with django_capture_on_commit_callbacks(execute=True):
        privacy = StandardPageFactory(
            parent=site["home"], title="Privacy notice", slug="privacy", live=False
        )
        privacy.show_in_menus = True
        privacy.save_revision().publish()
    for path in ("/about/", "/updates/"):
        assert 'href="/privacy/"' in get(app, path).text, path


def test_a_new_statement_refreshes_the_pages_that_count_or_list_them(
    app, site, django_capture_on_commit_callbacks
):
    warm(app, "/support/", "/", "/about/")
    with django_capture_on_commit_callbacks(execute=True):
        StatementFactory(case=site["case"], who="European Parliament")
    assert "European Parliament" in get(app, "/support/").text
    assert get(app, "/").cache == "miss"
    assert get(app, "/about/").cache == "hit"


def test_bulk_updates_invalidate_too(app, site, django_capture_on_commit_callbacks):
    """queryset.update() sends no signal; the SQL-level watch still sees it."""
    warm(app, "/support/")
    with django_capture_on_commit_callbacks(execute=True):
        Statement.objects.update(who="Renamed supporter")
    assert "Renamed supporter" in get(app, "/support/").text


def test_a_setting_shown_on_every_page_refreshes_every_page(
    app, site, django_capture_on_commit_callbacks
):
    warm(app, "/about/", "/updates/")
    with django_capture_on_commit_callbacks(execute=True):
        campaign = CampaignSettings.for_site(site["home"].get_site())
        campaign.campaign_name = "Free the Test Person now"
        campaign.save()
    for path in ("/about/", "/updates/"):
        assert "Free the Test Person now" in get(app, path).text, path


def test_publishing_a_translation_updates_the_language_switcher(
    app, site, django_capture_on_commit_callbacks
):
    russian = Locale.objects.get_or_create(language_code="ru")[0]
    with django_capture_on_commit_callbacks(execute=True):
        home_ru = site["home"].copy_for_translation(russian)
        home_ru.save_revision().publish()
    warm(app, "/about/")
    assert 'href="/ru/about/"' not in get(app, "/about/").text
    with django_capture_on_commit_callbacks(execute=True):
        about_ru = site["about"].copy_for_translation(russian)
        about_ru.title = "О кампании"
        about_ru.save_revision().publish()
    answer = get(app, "/about/")
    assert answer.cache == "miss"
    assert 'href="/ru/about/"' in answer.text
    assert "О кампании" in get(app, "/ru/about/").text


def test_a_page_rendered_during_a_change_is_not_stored(app, site):
    """A render that read old rows while a change committed is dropped, not kept stale."""
    url = "http://testserver/about/"
    Invalidation.objects.create(tags=["page:99"], at=1000.0)
    kept = page_cache_store(
        url=url, tags=["page:99"], headers=[], etag='"x"', body=b"old", render_started=999.0
    )
    assert kept is None
    assert not CachedPage.objects.filter(key=page_cache_key(url=url)).exists()
    assert get(app, "/about/").cache == "miss"


def test_cached_pages_expire_at_midnight(app, site):
    """Day counts change at midnight where the person is held: no page outlives the day
    (every page names that day's share image, vigil/sharing)."""
    get(app, "/about/")
    entry = CachedPage.objects.get()
    local = entry.expires_at.astimezone(zoneinfo.ZoneInfo(site["case"].time_zone))
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert 0 < (entry.expires_at - entry.stored_at).total_seconds() <= 86400


def test_expiry_is_the_earliest_midnight_of_the_time_zones_a_page_counts_days_in():
    """At 18:30 UTC it is 23:30 in Almaty: a page counting days there expires in half an
    hour (Almaty's midnight), not at UTC midnight five and a half hours later."""
    now = dt.datetime(2026, 12, 6, 18, 30, tzinfo=dt.UTC)
    almaty = zoneinfo.ZoneInfo("Asia/Almaty")
    assert page_cache_expiry(now=now) == dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
    assert page_cache_expiry(now=now, time_zones=["Asia/Almaty"]) == dt.datetime(
        2026, 12, 7, tzinfo=almaty
    )
    assert page_cache_expiry(now=now, time_zones=["Asia/Almaty"]) == now + dt.timedelta(minutes=30)
    # West of UTC, UTC's midnight comes first; an unknown zone is no reason to fail.
    assert page_cache_expiry(now=now, time_zones=["America/New_York", "Nowhere/City"]) == (
        dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
    )


def test_a_case_page_expires_at_midnight_where_the_person_is_held(app, site, monkeypatch):
    """The clock reads 18:30 UTC, 23:30 in Almaty: the case page (its day count turns at
    Almaty's midnight) is kept until 19:00 UTC, and so is the About page, whose share
    image (vigil/sharing) is the featured case's day's; a site with no featured case
    keeps it until UTC midnight."""
    frozen = dt.datetime(2026, 12, 6, 18, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(django_timezone, "now", lambda: frozen)
    assert site["case"].time_zone == "Asia/Almaty"
    get(app, site["case"].url)
    get(app, "/about/")
    expiry = dict(CachedPage.objects.values_list("url", "expires_at"))
    assert expiry[f"http://testserver{site['case'].url}"] == dt.datetime(
        2026, 12, 6, 19, tzinfo=dt.UTC
    )
    assert expiry["http://testserver/about/"] == dt.datetime(2026, 12, 6, 19, tzinfo=dt.UTC)
    site["home"].featured_case = None
    site["home"].save_revision().publish()
    get(app, "/about/")
    expiry = dict(CachedPage.objects.values_list("url", "expires_at"))
    assert expiry["http://testserver/about/"] == dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


class _PurgeRecorder(BaseHTTPRequestHandler):
    seen: list = []

    def do_PURGE(self):  # noqa: N802 - the HTTP method's name
        self.seen.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_configured_cdn_is_purged_of_exactly_the_stale_addresses(
    app, site, settings, django_capture_on_commit_callbacks
):
    server = HTTPServer(("127.0.0.1", 0), _PurgeRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _PurgeRecorder.seen = []
    try:
        settings.WAGTAILFRONTENDCACHE = {
            "local": {
                "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                "LOCATION": f"http://127.0.0.1:{server.server_port}",
            }
        }
        warm(app, "/support/", "/about/")
        with django_capture_on_commit_callbacks(execute=True):
            StatementFactory(case=site["case"], who="A parliament")
    finally:
        server.shutdown()
    assert ("testserver", "/support/") in _PurgeRecorder.seen
    assert ("testserver", "/about/") not in _PurgeRecorder.seen


def test_clear_page_cache_command(app, site, capsys, settings):
    warm(app, "/about/")
    call_command("clear_page_cache")
    assert "1 cached page removed" in capsys.readouterr().out
    assert get(app, "/about/").cache == "miss"
    settings.PAGE_CACHE_DIR = ""
    call_command("clear_page_cache")
    assert "The page cache is off" in capsys.readouterr().out


def test_django_answers_carry_cache_control(client, site):
    """Without the cache layer: public pages may sit in a CDN; forms are private."""
    assert "s-maxage" in client.get("/about/")["Cache-Control"]
    assert "private" in client.get("/act/subscribe/")["Cache-Control"]
    assert "ETag" in client.get("/about/")


def test_another_nodes_copies_of_stale_pages_are_deleted_by_its_follower(
    app, site, cache_dir, tmp_path, django_capture_on_commit_callbacks
):
    """Node B keeps its own folder: the change made on node A names the stale keys in
    the shared invalidation record, and B's follower deletes exactly its copies of them."""
    import shutil

    from vigil.pagecache import follow, store

    warm(app, "/", "/updates/", "/about/")
    node_b = tmp_path / "node-b"
    shutil.copytree(cache_dir, node_b)
    about_key = page_cache_key(url="http://testserver/about/")
    home_key = page_cache_key(url="http://testserver/")
    with django_capture_on_commit_callbacks(execute=True):
        new = UpdatePageFactory(parent=site["index"], title="Hearing date announced", live=False)
        new.save_revision().publish()
    assert store.entry_path(node_b, home_key).exists(), "B knows nothing until it follows"
    seen: set[int] = set()
    assert follow.invalidations_apply(root=node_b, after=0, seen=seen) >= 1
    assert not store.entry_path(node_b, home_key).exists()
    assert store.entry_path(node_b, about_key).exists(), "what did not change stays"
    assert follow.invalidations_apply(root=node_b, after=0, seen=seen) == 0, "once each"
    # Past its midnight a copy goes too, so nginx there never serves it.
    CachedPage.objects.filter(key=about_key).update(expires_at=django_timezone.now())
    assert follow.expired_delete(root=node_b) == 1
    assert not store.entry_path(node_b, about_key).exists()
