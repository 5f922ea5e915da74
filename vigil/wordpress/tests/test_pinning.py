"""The sticky post and the pinned update: the dry run says what the real run does."""

from vigil.accounts.tests.factories import SuperUserFactory
from vigil.news.models import UpdateIndexPage
from vigil.news.tests.factories import UpdatePageFactory

from .helpers import run_import
from .wxr_builder import export_file, item

PIN_LINES = ("Pinned update:", "Would pin:", "Kept the current pin:", "Not pinned:")


def _pin_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(PIN_LINES)]


def _export(tmp_path, *, sticky_id: int, name: str = "export.xml"):
    posts = [
        item(
            wp_id=wp_id,
            title=title,
            slug=title.lower().replace(" ", "-"),
            date=date,
            content=f"<p>{title}.</p>",
            sticky=wp_id == sticky_id,
        )
        for wp_id, title, date in (
            (31, "Sticky in WordPress", "2022-03-15 09:00:00"),
            (32, "Another post", "2022-03-16 09:00:00"),
        )
    ]
    return export_file(tmp_path, *posts, name=name)


def _pinned_title(index) -> str | None:
    pinned = UpdateIndexPage.objects.get(pk=index.pk).pinned_update
    return pinned.title if pinned else None


def test_an_editors_pin_is_kept_and_the_dry_run_says_so(home, updates_index, tmp_path):
    editor = SuperUserFactory()
    own = UpdatePageFactory(parent=updates_index, title="Our own news")
    updates_index.pinned_update = own
    updates_index.save_revision(user=editor).publish()
    path = _export(tmp_path, sticky_id=31)

    dry = _pin_lines(run_import(path, dry_run=True))
    real = _pin_lines(run_import(path))
    expected = [
        "Kept the current pin: Our own news; the sticky post Sticky in WordPress was not pinned."
    ]
    assert dry == real == expected
    assert _pinned_title(updates_index) == "Our own news"


def test_without_a_pin_the_sticky_post_is_pinned_as_announced(home, updates_index, tmp_path):
    path = _export(tmp_path, sticky_id=31)
    assert _pin_lines(run_import(path, dry_run=True)) == ["Would pin: Sticky in WordPress"]
    assert _pin_lines(run_import(path)) == ["Pinned update: Sticky in WordPress"]
    assert _pinned_title(updates_index) == "Sticky in WordPress"


def test_a_pin_an_earlier_import_set_follows_the_sticky_post(home, updates_index, tmp_path):
    """WordPress's sticky post changed between two imports and nobody pinned anything in
    Vigil since: the new sticky post takes the pin, in the dry run as in the real run."""
    run_import(_export(tmp_path, sticky_id=31))
    assert _pinned_title(updates_index) == "Sticky in WordPress"
    path = _export(tmp_path, sticky_id=32, name="again.xml")
    assert _pin_lines(run_import(path, dry_run=True)) == ["Would pin: Another post"]
    assert _pin_lines(run_import(path)) == ["Pinned update: Another post"]
    assert _pinned_title(updates_index) == "Another post"


def test_an_editor_who_pinned_an_imported_update_keeps_it(home, updates_index, tmp_path):
    """The pin is an editor's when the updates list was last saved by a person."""
    run_import(_export(tmp_path, sticky_id=31))
    index = UpdateIndexPage.objects.get(pk=updates_index.pk)
    index.intro = "Every update, newest first."
    index.save_revision(user=SuperUserFactory()).publish()
    path = _export(tmp_path, sticky_id=32, name="again.xml")
    dry = _pin_lines(run_import(path, dry_run=True))
    assert dry == _pin_lines(run_import(path))
    assert dry == [
        "Kept the current pin: Sticky in WordPress; the sticky post Another post was not pinned."
    ]
    assert _pinned_title(updates_index) == "Sticky in WordPress"
