import datetime as dt
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Page

from vigil.demo.services import DATA_DIR, demo_load
from vigil.news.models import UpdateIndexPage, UpdatePage

# `demo` (conftest) is the demo loaded once for the module and restored for each test;
# the tests that load it again do so into the folder that load wrote to, as `make run`
# does on its second start.


def test_demo_has_the_campaign_the_issue_asks_for(demo):
    """30+ updates from January 2022 to May 2023, one pinned, a series, references, tags."""
    updates = list(UpdatePage.objects.live().filter(locale__language_code="en"))
    assert len(updates) >= 30
    dates = sorted(u.date.date() for u in updates)
    assert dates[0] >= dt.date(2022, 1, 1) and dates[-1] <= dt.date(2023, 5, 31)
    index = UpdateIndexPage.objects.get(locale__language_code="en")
    assert index.pinned_update is not None
    with_references = [u for u in updates if u.references.exists()]
    assert len(with_references) * 2 >= len(updates)
    chapters = UpdatePage.objects.filter(series__isnull=False, locale__language_code="en").order_by(
        "chapter"
    )
    assert chapters.count() >= 3
    assert not chapters.first().series.is_complete
    assert all(u.tags.exists() for u in updates)
    assert Page.objects.filter(slug="case-background", live=True).exists()


def test_second_run_changes_nothing(demo):
    """make run loads the demo every time: the second load creates and changes nothing."""
    before = {
        "pages": Page.objects.count(),
        "revisions": sorted(Page.objects.values_list("latest_revision_id", flat=True), key=str),
    }
    report = demo_load(var_dir=demo.var_dir)
    assert report.created == []
    assert Page.objects.count() == before["pages"]
    revisions = sorted(Page.objects.values_list("latest_revision_id", flat=True), key=str)
    assert revisions == before["revisions"]


def test_editors_changes_survive_a_reload(demo):
    update = UpdatePage.objects.live().first()
    update.title = "Edited by an editor"
    update.save_revision().publish()
    demo_load(var_dir=demo.var_dir)
    update.refresh_from_db()
    assert update.title == "Edited by an editor"


def test_admin_password_is_generated_and_kept_private(demo):
    password_file = demo.var_dir / "admin-password.txt"
    password = password_file.read_text().strip()
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert oct(password_file.stat().st_mode & 0o777) == "0o600"
    assert len(password) >= 16


def test_demo_rich_text_is_sanitised(db, tmp_path):
    """The loader cleans rich text before storing it: a script in the data never reaches a page."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    updates = (data / "updates.yaml").read_text()
    updates = updates.replace("<p>", '<p onclick="steal()"><script>alert(1)</script>', 1)
    (data / "updates.yaml").write_text(updates)
    demo_load(data_dir=data, var_dir=tmp_path)
    for update in UpdatePage.objects.all():
        raw = str(update.body.raw_data)
        assert "<script" not in raw and "onclick" not in raw


def test_missing_data_folder_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No demo data folder"):
        call_command("load_demo", "--data-dir", "/nonexistent/demo")


def test_broken_data_file_stores_nothing(db, tmp_path):
    """A broken YAML file stops the load with a message; the site is left as it was."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "updates.yaml").write_text("- slug: [unclosed\n")
    pages_before = Page.objects.count()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("load_demo", "--data-dir", str(data))
    assert Page.objects.count() == pages_before
    assert not UpdatePage.objects.exists()


def test_demo_does_not_read_shared_folder_at_run_time():
    """The demo ships its own data: nothing under vigil/ refers to ../shared."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        assert "shared/case-facts" not in path.read_text(), path


def test_demo_register_and_library(demo):
    """The ten statements with their register page, and five documents with checksums."""
    import hashlib

    from vigil.library.models import LibraryDocument
    from vigil.support.models import Statement, SupportRegisterPage

    assert Statement.objects.count() == 10
    assert SupportRegisterPage.objects.live().filter(locale__language_code="en").count() == 1
    assert Statement.objects.filter(updates__isnull=False).distinct().count() == 10
    documents = list(LibraryDocument.objects.all())
    assert len(documents) == 5
    for document in documents:
        with document.file.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == document.sha256
        assert document.page_count == 1
    wgad = LibraryDocument.objects.get(slug="wgad-opinion-57-2022")
    assert Statement.objects.get(who__startswith="UN Working Group").source_document == wgad
