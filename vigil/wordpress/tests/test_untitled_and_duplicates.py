"""Posts without a title become drafts with a title to correct; an export that lists one
WordPress ID twice is refused before anything is written."""

import pytest
from django.core.management import execute_from_command_line
from django.core.management.base import CommandError

from vigil.news.models import UpdatePage

from .helpers import database_counts, run_import
from .wxr_builder import export_file, item


def test_untitled_posts_become_drafts_titled_from_their_text_and_are_listed(
    home, updates_index, tmp_path
):
    export = export_file(
        tmp_path,
        item(
            wp_id=61,
            title="",
            slug="61",
            content="<p>The prison governor refused the lawyers a visit again today.</p>",
        ),
        item(wp_id=62, title="   ", slug="62", date="2022-04-02 10:00:00", content=""),
    )
    output = run_import(export)
    worded = UpdatePage.objects.get(title__startswith="The prison governor")
    assert worded.title == "The prison governor refused the lawyers a visit…"
    assert not worded.live and worded.latest_revision is not None
    dated = UpdatePage.objects.exclude(pk=worded.pk).get()
    assert dated.title == "Untitled, 2022-04-02"
    assert not dated.live
    assert "Untitled" not in worded.title
    for wp_id, title in ((61, worded.title), (62, dated.title)):
        assert (
            f"update #{wp_id} {title}: no title in WordPress: imported as a draft with this "
            "title, for editors to correct and publish" in output
        )


def _duplicated(tmp_path):
    return export_file(
        tmp_path,
        item(wp_id=71, title="First", slug="first", content="<p>One.</p>"),
        item(wp_id=72, title="Second", slug="second", content="<p>Two.</p>"),
        item(wp_id=71, title="First again", slug="first-again", content="<p>Three.</p>"),
    )


def test_an_export_with_one_id_twice_is_refused_naming_it(home, updates_index, tmp_path):
    before = database_counts()
    with pytest.raises(CommandError) as error:
        run_import(_duplicated(tmp_path))
    message = str(error.value)
    assert "WordPress ID 71" in message and "“First”, “First again”" in message
    assert message.endswith("Nothing was imported.")
    assert database_counts() == before


def test_the_command_exits_non_zero_on_a_refused_export(home, updates_index, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "import_wordpress", str(_duplicated(tmp_path))])
    assert exit_.value.code == 1
    assert "WordPress ID 71" in capsys.readouterr().err
