"""Broken exports, non-exports, missing uploads: a clear error and nothing written."""

import pytest
from django.core.management.base import CommandError

from vigil.wordpress.tests.helpers import (
    EXPORT,
    FIXTURES,
    UPLOADS,
    database_counts,
    media_files,
    run_import,
)

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version><item><title>&b;</title></item></channel></rss>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version><item><title>&secret;</title></item></channel></rss>
"""
OLD_VERSION = """<?xml version="1.0"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.0/"><channel>
<wp:wxr_version>1.0</wp:wxr_version></channel></rss>
"""


def _refused(*args, **options) -> str:
    with pytest.raises(CommandError) as error:
        run_import(*args, **options)
    message = str(error.value)
    assert message.endswith("Nothing was imported.")
    return message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("truncated.xml", "is not well-formed XML (line"),
        ("not-wxr.xml", "is not a WordPress export (WXR): it has no wp:wxr_version"),
        ("missing-upload.xml", "These attachments are missing from"),
    ],
)
def test_broken_inputs_are_refused_and_nothing_is_written(
    home, updates_index, media_root, name, expected
):
    before = database_counts()
    message = _refused(FIXTURES / name, uploads=str(UPLOADS))
    assert expected in message
    assert database_counts() == before
    assert media_files(media_root) == []


def test_missing_upload_is_named(home, updates_index):
    message = _refused(FIXTURES / "missing-upload.xml", uploads=str(UPLOADS))
    assert "2022/03/family-photo-lost.jpg" in message


def test_refused_after_a_good_import_leaves_it_as_it_was(imported, media_root):
    """A broken second file changes nothing the first import wrote."""
    before = database_counts()
    files = media_files(media_root)
    _refused(FIXTURES / "missing-upload.xml", uploads=str(UPLOADS))
    assert database_counts() == before
    assert media_files(media_root) == files


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (BILLION_LAUGHS, "declares a DTD or entities"),
        (EXTERNAL_ENTITY, "declares a DTD or entities"),
        (OLD_VERSION, "is WXR version 1.0"),
        ("", "is not well-formed XML"),
        ("\x89PNG\r\n\x1a\n", "is not well-formed XML"),
    ],
)
def test_hostile_or_unsupported_files_are_refused(home, updates_index, tmp_path, content, expected):
    path = tmp_path / "export.xml"
    path.write_text(content, encoding="utf-8")
    before = database_counts()
    assert expected in _refused(path)
    assert database_counts() == before


def test_missing_file_and_missing_uploads_folder(home, updates_index, tmp_path):
    assert "There is no file" in _refused(tmp_path / "nothing.xml")
    assert "The uploads folder" in _refused(EXPORT, uploads=str(tmp_path / "nowhere"))
    assert "is a folder, not a WordPress export" in _refused(tmp_path)


def test_upload_that_is_not_what_it_claims_is_refused(home, updates_index, tmp_path, media_root):
    uploads = tmp_path / "uploads"
    for relative in (
        "2022/03/court-steps.png",
        "2022/03/family-photo.jpg",
        "2023/03/un-opinion.pdf",
    ):
        (uploads / relative).parent.mkdir(parents=True, exist_ok=True)
        (uploads / relative).write_bytes((UPLOADS / relative).read_bytes())
    (uploads / "2022/03/court-steps.png").write_bytes(b"<html><script>alert(1)</script></html>")
    before = database_counts()
    assert "is not a readable image" in _refused(EXPORT, uploads=str(uploads))
    assert database_counts() == before
    assert media_files(media_root) == []


def test_attachment_outside_the_uploads_folder_is_refused(home, updates_index, tmp_path):
    hostile = tmp_path / "export.xml"
    text = EXPORT.read_text(encoding="utf-8").replace(
        "<![CDATA[2022/03/court-steps.png]]>", "<![CDATA[../../../../etc/passwd.png]]>", 1
    )
    hostile.write_text(text, encoding="utf-8")
    assert "names a file outside the uploads folder" in _refused(hostile, uploads=str(UPLOADS))


def test_unknown_language_and_missing_tree(home, updates_index):
    assert "Unknown language xx" in _refused(EXPORT, locale="xx")
    assert "There is no home page in Русский" in _refused(EXPORT, locale="ru")


def test_site_without_updates_index(home):
    assert "has no updates index" in _refused(EXPORT)
