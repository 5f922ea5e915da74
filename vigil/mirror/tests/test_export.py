"""The demo campaign exported as a static copy: complete, linked, private, signed, checkable."""

import datetime as dt
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from vigil.mirror import services
from vigil.mirror.models import MirrorExport
from vigil.mirror.services.paths import url_file
from vigil.news.models import UpdatePage

from .helpers import BASE_URL, CANARY_COMMENT, CANARY_EMAIL, CANARY_SURNAME, broken_links


def test_export_has_every_language_and_kind_of_file(exported):
    """Pages in three languages, feeds, sitemaps, robots.txt, documents, assets and a 404."""
    directory, summary = exported
    for name in (
        "index.html",
        "ru/index.html",
        "kk/index.html",
        "updates/index.html",
        "ru/updates/feed/rss/index.xml",
        "updates/feed/atom/index.xml",
        "sitemap.xml",
        "kk/sitemap.xml",
        "robots.txt",
        "404.html",
        "search/index.html",
        "ru/search/search-index.js",
        "mirrors/index.html",
        "static/css/vigil.css",
        "static/js/day-count.js",
        "static/js/mirror-search.js",
        "MANIFEST.sha256",
        "MANIFEST.sha256.sig",
    ):
        assert (directory / name).is_file(), name
    assert list(directory.glob("documents/*/*.pdf")), "library documents are copied"
    assert list(directory.glob("cases/*/case.json"))
    assert summary.files > 500 and not summary.broken
    robots = (directory / "robots.txt").read_text()
    assert f"Sitemap: {BASE_URL}/ru/sitemap.xml" in robots


def test_no_internal_link_is_broken(exported):
    """Every relative link, script, stylesheet and form target names a file of the copy."""
    directory, _summary = exported
    assert broken_links(directory) == []
    for page in directory.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'\s(?:href|src|action)="/(?!/)', text), page


def test_every_sitemap_url_is_a_file(exported):
    """Each language's sitemap lists only URLs the copy holds, at the copy's address."""
    directory, _summary = exported
    for sitemap in ("sitemap.xml", "ru/sitemap.xml", "kk/sitemap.xml"):
        locations = re.findall(r"<loc>([^<]+)</loc>", (directory / sitemap).read_text())
        assert len(locations) > 5
        for location in locations:
            assert location.startswith(BASE_URL + "/"), location
            path = urlsplit(location).path[len(urlsplit(BASE_URL).path) :]
            assert (directory / url_file(path)).is_file(), location


def test_no_personal_data_no_admin_no_forms(exported):
    """No signer's or subscriber's data, no admin link, no form that needs the server."""
    directory, _summary = exported
    secrets = [
        CANARY_EMAIL,
        CANARY_EMAIL.split("@")[0],
        CANARY_SURNAME,
        CANARY_COMMENT,
        "Quintessa",
    ]
    for path in directory.rglob("*"):
        if path.is_file() and path.suffix not in (".pdf", ".png", ".jpg", ".ico", ".sig"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for secret in secrets:
                assert secret not in text, (secret, path)
            assert "/admin" not in text, path
            assert "csrfmiddlewaretoken" not in text, path
            assert 'method="post"' not in text, path
    petition = (directory / "petition/index.html").read_text()
    assert "cannot take signatures" in petition
    assert "http://" in petition.split("cannot take signatures")[1][:300]
    subscribe = (directory / "ru/act/subscribe/index.html").read_text()
    assert 'lang="ru"' in subscribe and 'class="action-form"' not in subscribe


def test_verify_passes_then_finds_each_kind_of_tampering(exported, signing_key, tmp_path):
    """verify_mirror accepts the copy and names a changed byte, a removed and an added file."""
    directory, _summary = exported
    copy = tmp_path / "copy"
    shutil.copytree(directory, copy)
    public_key = services.mirror_public_key(path=signing_key)
    assert services.mirror_verify(directory=copy, public_key=public_key).ok

    page = copy / "ru/index.html"
    data = bytearray(page.read_bytes())
    data[500] ^= 1
    page.write_bytes(bytes(data))
    (copy / "updates/index.html").unlink()
    (copy / "updates/extra.html").write_text("<p>added</p>")
    report = services.mirror_verify(directory=copy, public_key=public_key)
    assert report.signature_ok and not report.ok
    assert report.changed == ["ru/index.html"]
    assert report.missing == ["updates/index.html"]
    assert report.added == ["updates/extra.html"]

    manifest = copy / "MANIFEST.sha256"
    manifest.write_text(manifest.read_text().replace("ru/index.html", "ru/index.htm"))
    assert not services.mirror_verify(directory=copy, public_key=public_key).signature_ok


def test_verify_command(exported, signing_key, tmp_path, settings, capsys):
    """The command prints what it found and fails, naming the file, when anything is off."""
    directory, _summary = exported
    settings.MIRROR_SIGNING_KEY = signing_key
    call_command("verify_mirror", str(directory))
    assert "Good" not in capsys.readouterr().err
    copy = tmp_path / "copy"
    shutil.copytree(directory, copy)
    (copy / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    with pytest.raises(CommandError, match="1 changed"):
        call_command("verify_mirror", str(copy))
    assert "Changed: robots.txt" in capsys.readouterr().out

    other = tmp_path / "other-key"
    services.mirror_key_create(path=other)
    with pytest.raises(CommandError, match="signature is not valid"):
        call_command("verify_mirror", str(directory), public_key=str(other) + ".pub")
    with pytest.raises(CommandError, match="not a directory"):
        call_command("verify_mirror", str(tmp_path / "nothing-here"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CommandError):
        call_command("verify_mirror", str(empty))
    (tmp_path / "bad.pub").write_text("not a key")
    with pytest.raises(CommandError, match="OpenSSH public key"):
        call_command("verify_mirror", str(directory), public_key=str(tmp_path / "bad.pub"))


def _mtimes(directory: Path) -> dict[str, int]:
    return {
        p.relative_to(directory).as_posix(): p.stat().st_mtime_ns
        for p in directory.rglob("*")
        if p.is_file()
    }


def test_incremental_export_rewrites_only_what_an_update_touches(demo, signing_key, tmp_path):
    """After one update is republished, only its pages, listings, feeds, sitemaps, homes,
    case page and search indexes are rewritten; every other file is left as it was."""
    directory = tmp_path / "copy"
    services.site_export(directory=directory, key=signing_key)
    before = _mtimes(directory)

    update = UpdatePage.objects.live().filter(locale__language_code="en").order_by("-date").first()
    update.title = "A corrected headline for the mirror test"
    update.save_revision().publish()
    summary = services.site_export(directory=directory, key=signing_key, incremental=True)

    assert summary.incremental
    changed = {name for name, mtime in _mtimes(directory).items() if before.get(name) != mtime}
    assert set(summary.written) <= changed
    update_file = url_file(update.url)
    assert update_file in changed
    assert "A corrected headline" in (directory / update_file).read_text()
    assert "A corrected headline" in (directory / "updates/index.html").read_text()
    allowed = re.compile(
        r"^(?:(?:ru|kk)/)?(?:index\.html|sitemap\.xml|updates/(?:index\.html|page/|tag/|year/|feed/)"
        r"|updates/" + re.escape(update.slug) + r"/|cases/|search/search-index\.js)"
        r"|^MANIFEST\.sha256(?:\.sig)?$"
    )
    unexpected = sorted(name for name in changed if not allowed.match(name))
    assert unexpected == []
    other = (
        UpdatePage.objects.live().filter(locale__language_code="en").exclude(pk=update.pk).first()
    )
    assert url_file(other.url) not in changed
    assert "privacy/index.html" not in changed and "static/css/vigil.css" not in changed
    public_key = services.mirror_public_key(path=signing_key)
    assert services.mirror_verify(directory=directory, public_key=public_key).ok


def test_incremental_edit_rewrites_only_the_listing_page_it_is_on(demo, signing_key, tmp_path):
    """Editing an old update rewrites the index page it is listed on, not the others:
    nothing moves in a listing when no update appears, goes or changes date."""
    directory = tmp_path / "copy"
    services.site_export(directory=directory, key=signing_key)
    before = _mtimes(directory)
    oldest = UpdatePage.objects.live().filter(locale__language_code="en").order_by("date").first()
    oldest.title = "An old update, corrected"
    oldest.save_revision().publish()
    summary = services.site_export(directory=directory, key=signing_key, incremental=True)
    changed = {name for name, mtime in _mtimes(directory).items() if before.get(name) != mtime}
    last_pages = sorted(p for p in changed if re.match(r"^updates/page/\d+/index\.html$", p))
    assert len(last_pages) == 1, last_pages
    assert "An old update, corrected" in (directory / last_pages[0]).read_text()
    assert "updates/index.html" not in changed and "updates/page/2/index.html" not in changed
    assert "updates/feed/rss/index.xml" not in changed  # too old to be in the feed
    assert summary.rendered * 15 < summary.files  # a few dozen URLs of ~700 files


def test_an_edit_renders_home_and_case_pages_only_when_they_show_the_update(
    demo, signing_key, tmp_path
):
    """An edited update re-renders the home pages only when it is among their latest
    updates, and the case pages only when a timeline event links to it."""
    from wagtail.models import Site

    from vigil.cases.models import CasePage, TimelineEvent
    from vigil.mirror.services.export import _affected_urls

    services.site_export(directory=tmp_path / "copy", key=signing_key)
    previous = MirrorExport.objects.get()
    site = Site.objects.get(is_default_site=True)
    english = UpdatePage.objects.live().filter(locale__language_code="en")
    linked_ids = set(TimelineEvent.updates.through.objects.values_list("updatepage_id", flat=True))
    assert linked_ids
    case_urls = {case.url for case in CasePage.objects.live()}

    def affected(update):
        return _affected_urls(page_ids={update.pk}, previous=previous, site=site)

    newest = affected(english.order_by("-date").first())
    assert {"/", "/ru/", "/kk/"} <= newest
    old_unlinked = affected(english.exclude(pk__in=linked_ids).order_by("date").first())
    assert not {"/", "/ru/", "/kk/"} & old_unlinked
    assert not case_urls & old_unlinked
    linked = affected(english.filter(pk__in=linked_ids).order_by("date").first())
    assert case_urls <= linked


def _update_publish(*, slug: str, tags=()) -> UpdatePage:
    """A new English update, dated now, published as an editor would."""
    from vigil.news.models import UpdateIndexPage

    index = UpdateIndexPage.objects.get(locale__language_code="en")
    update = UpdatePage(
        title=f"Mirror test: {slug}", slug=slug, date=timezone.now(), summary="New."
    )
    index.add_child(instance=update)
    update.tags.add(*tags)
    update.save_revision().publish()
    return update


def test_incremental_export_adds_and_removes_pages(demo, signing_key, tmp_path):
    """A newly published update appears (with its listings); an unpublished one goes."""
    directory = tmp_path / "copy"
    services.site_export(directory=directory, key=signing_key)
    new = _update_publish(slug="mirror-test-new-update")
    summary = services.site_export(directory=directory, key=signing_key, incremental=True)
    assert summary.incremental
    assert (directory / "updates/mirror-test-new-update/index.html").is_file()
    assert "mirror-test-new-update" in (directory / "updates/index.html").read_text()
    assert "mirror-test-new-update" in (directory / "search/search-index.js").read_text()

    new.refresh_from_db()
    new.unpublish()
    summary = services.site_export(directory=directory, key=signing_key, incremental=True)
    assert not (directory / "updates/mirror-test-new-update/index.html").exists()
    assert "updates/mirror-test-new-update/index.html" in summary.removed
    assert "mirror-test-new-update" not in (directory / "updates/index.html").read_text()
    public_key = services.mirror_public_key(path=signing_key)
    assert services.mirror_verify(directory=directory, public_key=public_key).ok


def test_a_cyrillic_tag_is_exported_and_kept_up_to_date(demo, signing_key, tmp_path):
    """A tag named in Russian has its listing pages in the copy, linked from its updates;
    a new update with the tag moves every page of that listing, and all are rewritten."""
    from vigil.news.models import UpdateIndexPage

    index = UpdateIndexPage.objects.get(locale__language_code="en")
    updates = list(UpdatePage.objects.child_of(index).live().order_by("-date")[:12])
    for update in updates:
        update.tags.add("Здоровье")
        update.save_revision().publish()
    directory = tmp_path / "copy"
    summary = services.site_export(directory=directory, key=signing_key)
    assert not summary.broken
    first, second = "updates/tag/здоровье/index.html", "updates/tag/здоровье/page/2/index.html"
    assert (directory / first).is_file() and (directory / second).is_file()
    assert broken_links(directory) == []

    _update_publish(slug="mirror-test-health-update", tags=["Здоровье"])
    summary = services.site_export(directory=directory, key=signing_key, incremental=True)
    assert summary.incremental
    assert {first, second} <= set(summary.written)
    assert "mirror-test-health-update" in (directory / first).read_text()
    assert updates[9].slug in (directory / second).read_text()


def test_export_command_bad_input(demo, signing_key, tmp_path, settings):
    """A clear error and nothing written: no key, a foreign non-empty folder, a bad URL."""
    settings.MIRROR_SIGNING_KEY = tmp_path / "no-such-key"
    with pytest.raises(CommandError, match="mirror_key --create"):
        call_command("export_site", str(tmp_path / "a"), verbosity=0)
    assert not (tmp_path / "a").exists()
    settings.MIRROR_SIGNING_KEY = signing_key
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_site", str(busy), verbosity=0)
    assert [p.name for p in busy.iterdir()] == ["holiday.jpg"]
    with pytest.raises(CommandError, match="base-url"):
        call_command("export_site", str(tmp_path / "b"), base_url="ftp://x", verbosity=0)
    with pytest.raises(CommandError, match="--jobs"):
        call_command("export_site", str(tmp_path / "c"), jobs=0, verbosity=0)
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match="not a directory"):
        call_command("export_site", str(tmp_path / "file"), verbosity=0)
    assert not MirrorExport.objects.exists()


def test_export_command_prints_a_summary(demo, signing_key, tmp_path, settings, capsys, caplog):
    """files, bytes and seconds, and again after nothing changed (nothing rewritten); no
    warning about the 404 page it renders on purpose."""
    settings.MIRROR_SIGNING_KEY = signing_key
    with caplog.at_level("WARNING", logger="django.request"):
        call_command("export_site", str(tmp_path / "copy"), jobs=1)
    assert (tmp_path / "copy" / "404.html").exists()
    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == []
    out = capsys.readouterr().out
    assert re.search(r"Full export: \d+ files \([\d.]+ MB\) in [\d.]+ s", out)
    call_command("export_site", str(tmp_path / "copy"), jobs=1, incremental=True)
    out = capsys.readouterr().out
    assert "Incremental export" in out and "0 files written" in out


def test_serve_refreshes_the_configured_copy_after_a_publish(demo, signing_key, tmp_path, settings):
    """With MIRROR_EXPORT_DIR set, the background job exports only when something was published."""
    settings.MIRROR_SIGNING_KEY = signing_key
    settings.MIRROR_EXPORT_DIR = str(tmp_path / "copy")
    first = services.mirror_refresh()
    assert first is not None and not first.incremental
    assert services.mirror_refresh() is None  # nothing published since
    update = UpdatePage.objects.live().filter(locale__language_code="en").first()
    update.title = "Refreshed by the background job"
    update.save_revision().publish()
    summary = services.mirror_refresh()
    assert summary.incremental and url_file(update.url) in summary.written
    # A day after the last full export, the next refresh is a full one.
    MirrorExport.objects.update(full_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    daily = services.mirror_refresh()
    assert daily is not None and not daily.incremental
    settings.MIRROR_EXPORT_DIR = ""
    assert services.mirror_refresh() is None


def test_mirrors_page_lists_copies_and_the_key(
    demo, signing_key, client, settings, django_assert_num_queries
):
    """Readers see the official copies and the fingerprint to check them with, in a fixed
    number of queries."""
    from vigil.mirror.models import OfficialMirror

    settings.MIRROR_SIGNING_KEY = signing_key
    OfficialMirror.objects.create(name="Onion service", url="vigilxyz.onion", sort_order=1)
    OfficialMirror.objects.create(name="Hosted by a friend", url="https://friend.example/vigil/")
    fingerprint = services.key_fingerprint(services.mirror_public_key(path=signing_key))
    client.get("/mirrors/")  # warm the site and settings caches, as a live server has them
    # Eight: the home page's featured case (its share image, vigil/sharing, and the
    # banner every page shows) and the main action's figure (one query, issue 22).
    with django_assert_num_queries(8):
        response = client.get("/ru/mirrors/")
    text = response.content.decode()
    assert response.status_code == 200 and fingerprint in text
    assert text.index("Hosted by a friend") < text.index("Onion service")
    assert 'href="https://friend.example/vigil/"' in text and "<code>vigilxyz.onion</code>" in text
    settings.MIRROR_SIGNING_KEY = tmp_path_missing = signing_key.parent / "gone"
    assert not tmp_path_missing.exists()
    assert "No signing key" in client.get("/mirrors/").content.decode()


def test_an_address_that_fails_to_render_fails_the_export(
    updates_index, signing_key, tmp_path, settings, capsys
):
    """A sitemap answering 500 (a tag saved with an empty slug, as taggit saved tags of
    punctuation only) fails the command, naming the address; the export went on, and the
    copy it signed keeps the file the last export made (it exited 0 without sitemaps)."""
    from taggit.models import Tag

    from vigil.news.tests.factories import UpdatePageFactory

    settings.MIRROR_SIGNING_KEY = signing_key
    update = UpdatePageFactory(parent=updates_index, title="Outcry")
    update.tags.add("Outcry")
    update.save_revision().publish()
    directory = tmp_path / "copy"
    call_command("export_site", str(directory), jobs=1, verbosity=0)
    sitemap = (directory / "sitemap.xml").read_bytes()

    Tag.objects.filter(name="Outcry").update(slug="")
    with pytest.raises(CommandError) as failure:
        call_command("export_site", str(directory), jobs=1, verbosity=0)
    assert "/sitemap.xml answered 500" in str(failure.value)
    assert "incomplete" in str(failure.value)
    assert (directory / "sitemap.xml").read_bytes() == sitemap
    assert (directory / url_file(update.url)).is_file()
    public_key = services.mirror_public_key(path=signing_key)
    assert services.mirror_verify(directory=directory, public_key=public_key).ok
    # The next refresh renders everything again, the failed address included.
    assert MirrorExport.objects.get().full_at is None
