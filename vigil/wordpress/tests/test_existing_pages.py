"""A WordPress page that Vigil already has (same title, same address): --existing-pages."""

import pytest
from django.core.management.base import CommandError
from wagtail.models import Locale, Page

from vigil.pages.models import StandardPage
from vigil.pages.tests.factories import StandardPageFactory
from vigil.wordpress.models import WordPressItem

from .helpers import run_import
from .wxr_builder import export_file, item


@pytest.fixture
def background(home):
    """The page editors made in Vigil, and its Russian translation."""
    page = StandardPageFactory(parent=home, title="Case background", slug="case-background")
    russian, _made = Locale.objects.get_or_create(language_code="ru")
    home.copy_for_translation(russian).save_revision().publish()
    translation = page.copy_for_translation(russian)
    translation.save_revision().publish()
    return page


@pytest.fixture
def export(tmp_path):
    return export_file(
        tmp_path,
        item(
            wp_id=41,
            post_type="page",
            title="Case background",
            slug="case-background",
            content="<p>The background as WordPress had it.</p>",
        ),
        item(
            wp_id=42,
            post_type="page",
            title="Timeline",
            slug="timeline",
            parent=41,
            content="<p>What happened when.</p>",
        ),
    )


def _backgrounds():
    return list(StandardPage.objects.filter(locale__language_code="en", title="Case background"))


def test_by_default_the_existing_page_is_left_alone_and_reported(
    client, background, updates_index, export
):
    dry = run_import(export, dry_run=True)
    output = run_import(export)
    for report in (dry, output):
        assert (
            "page #41 Case background: a page with this title is already at /case-background/: "
            "left as it is" in report
        )
    assert [p.pk for p in _backgrounds()] == [background.pk]
    background.refresh_from_db()
    assert "Background text." in str(background.body.raw_data)
    # Its child goes under the page that is already there, and the old address leads to it.
    timeline = StandardPage.objects.get(slug="timeline")
    assert timeline.get_parent().pk == background.pk
    assert timeline.url == "/case-background/timeline/"
    response = client.get("/?page_id=41")
    assert response.status_code == 301 and response["Location"] == "/case-background/"
    assert not WordPressItem.objects.filter(wp_id=41).exists()


def test_replace_publishes_a_new_revision_of_the_existing_page(background, updates_index, export):
    revisions = background.revisions.count()
    translation_key = background.translation_key
    output = run_import(export, existing_pages="replace")
    assert (
        "page #41 Case background: replaces the page already at /case-background/ "
        "(a new revision, same address)" in output
    )
    [page] = _backgrounds()
    assert page.pk == background.pk and page.url == "/case-background/"
    assert page.translation_key == translation_key
    assert page.get_translations().filter(locale__language_code="ru").exists()
    assert "The background as WordPress had it." in str(page.body.raw_data)
    assert page.live and not page.has_unpublished_changes
    assert page.revisions.count() == revisions + 1
    assert WordPressItem.objects.get(wp_id=41).page_id == page.pk
    # A second import sees an imported page: unchanged, nothing written.
    assert "0 created, 0 updated, 2 skipped" in run_import(export, existing_pages="replace")


def test_beside_imports_a_second_page_as_before(background, updates_index, export):
    output = run_import(export, existing_pages="beside")
    assert (
        "page #41 Case background: a page with this title is already at /case-background/: "
        "imported beside it at /case-background-2/" in output
    )
    assert sorted(p.slug for p in _backgrounds()) == ["case-background", "case-background-2"]


def test_a_page_of_another_kind_is_never_replaced(home, updates_index, tmp_path):
    """Same title and address as the updates list: replacing it would turn a list of
    updates into a standard page."""
    export = export_file(
        tmp_path,
        item(wp_id=43, post_type="page", title="Latest updates", slug="updates", content="x"),
    )
    output = run_import(export, existing_pages="replace")
    assert "it is not a standard page, so it is left as it is" in output
    assert Page.objects.filter(slug__startswith="updates").count() == 1


def test_an_unknown_choice_is_refused(home, updates_index, export):
    with pytest.raises(CommandError):
        run_import(export, existing_pages="merge")
