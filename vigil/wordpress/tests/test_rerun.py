"""Importing again updates what changed in WordPress, duplicates nothing, respects editors."""

import datetime as dt

from vigil.news.models import UpdatePage
from vigil.wordpress.models import WordPressItem

from .helpers import EXPORT, FIXTURES, UPLOADS, database_counts, run_import

EDITED = FIXTURES / "wxr-1.2-edited.xml"


def test_second_import_creates_nothing(imported):
    before = database_counts()
    output = run_import(EXPORT, uploads=str(UPLOADS))
    assert "0 created, 0 updated, 16 skipped" in output
    assert "unchanged" in output
    after = database_counts()
    assert after == before
    assert UpdatePage.objects.filter(slug="hearing-postponed-again").count() == 1


def test_edited_export_updates_the_changed_post_and_adds_the_new_one(imported):
    before = database_counts()
    output = run_import(EDITED, uploads=str(UPLOADS))
    assert "1 created, 1 updated, 15 skipped" in output
    hearing = UpdatePage.objects.get(slug="hearing-postponed-again")
    assert "19 April" in hearing.body[-1].value.source
    assert hearing.live and not hearing.has_unpublished_changes
    assert hearing.updated_at == dt.datetime(2022, 3, 20, 3, 0, tzinfo=dt.UTC)
    assert UpdatePage.objects.filter(title="Letters from prison", live=True).count() == 1
    after = database_counts()
    assert after["items"] == before["items"] + 1
    assert after["images"] == before["images"]
    assert WordPressItem.objects.filter(wp_id=7).count() == 1


def test_page_changed_by_editors_is_left_alone(imported):
    """A page with a newer revision than the import's keeps the editors' work."""
    hearing = UpdatePage.objects.get(slug="hearing-postponed-again")
    hearing.title = "Hearing postponed for the third time"
    hearing.save_revision().publish()
    output = run_import(EDITED, uploads=str(UPLOADS))
    assert "editors have changed it in Vigil since" in output
    hearing.refresh_from_db()
    assert hearing.title == "Hearing postponed for the third time"
    assert "12 April" in hearing.body[-1].value.source


def test_page_deleted_in_vigil_is_not_created_again(imported):
    UpdatePage.objects.get(slug="how-you-can-help").delete()
    output = run_import(EXPORT, uploads=str(UPLOADS))
    assert "deleted in Vigil since the last import" in output
    assert not UpdatePage.objects.filter(slug="how-you-can-help").exists()


def test_dry_run_writes_nothing(home, updates_index, media_root):
    before = database_counts()
    output = run_import(EXPORT, uploads=str(UPLOADS), dry_run=True)
    assert "Would create (16):" in output
    assert "Dry run: nothing was written." in output
    assert database_counts() == before
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_dry_run_after_an_import_shows_what_would_change(imported):
    before = database_counts()
    output = run_import(EDITED, uploads=str(UPLOADS), dry_run=True)
    assert "Would update (1):" in output
    assert "update #7 Hearing postponed again: changed in WordPress" in output
    assert database_counts() == before
