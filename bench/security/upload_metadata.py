"""`run.py --only upload-metadata`: what a stranger gets from an editor's uploads.

A throw-away demo site (migrate, demo, production settings, `manage.py serve` as
`make run` starts it, SERVE_MEDIA=true). An editor with an authenticator signs in at
the real door (password, then a TOTP code) and uploads, through the admin's forms:

1. a phone photo with GPS position, make and model and an EXIF orientation: is the
   stored original clean, do its original and its rendition answer a stranger, and what
   do they still tell;
2. PDFs with JavaScript run on opening, a launch action, a JavaScript name tree and an
   embedded file, and a plain one with a link: refused or taken, and with what message;
3. a 121-megapixel PNG (11,000 x 11,000, ~120 KB): refused or taken, and the peak
   resident memory of the server's workers before and after (VmHWM);
4. a document in a collection restricted to signed-in users: does its file answer at
   /media/documents/ or at /documents/<id>/<name>.
"""

import io
import re
import secrets
from pathlib import Path

import requests
from PIL import Image

from vigil.testing.commands import manage
from vigil.testing.forms import form_inputs
from vigil.testing.payloads import (
    geotagged_jpeg,
    has_location,
    huge_png,
    pdf_with,
    totp_code,
)

EDITOR = "bench-uploader"
TOTP_KEY = secrets.token_hex(20)
TIMEOUT = 120

EDITOR_CREATE = """
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
user = get_user_model().objects.create_superuser({name!r}, "bench@example.org", {password!r})
TOTPDevice.objects.create(user=user, name="phone", confirmed=True, key={key!r})
"""

PRIVATE_DOCUMENT = """
from django.core.files.base import ContentFile
from wagtail.models import Collection, CollectionViewRestriction
from vigil.library.models import LibraryDocument
private = Collection.get_first_root_node().add_child(name="Lawyers only")
CollectionViewRestriction.objects.create(
    collection=private, restriction_type=CollectionViewRestriction.LOGIN
)
document = LibraryDocument(title="Defence strategy", collection=private)
document.file.save("defence-strategy.pdf", ContentFile({pdf!r}), save=False)
document.save()
print(document.pk, document.file.name)
"""

ROW = """
from vigil.images.models import CampaignImage
image = CampaignImage.objects.filter(title={title!r}).first()
print(image.pk, image.file.name if image else "")
"""


def _csrf_post(session, base: str, path: str, data: dict, files=None) -> requests.Response:
    page = session.get(base + path, timeout=TIMEOUT)
    inputs = form_inputs(page.text, path) or {}
    token = inputs.get("csrfmiddlewaretoken") or session.cookies.get("csrftoken")
    return session.post(
        base + path,
        data={**inputs, "csrfmiddlewaretoken": token, **data},
        files=files,
        headers={"Referer": page.url},
        timeout=TIMEOUT,
    )


def _editor_session(base: str, password: str) -> requests.Session:
    session = requests.Session()
    signed = _csrf_post(session, base, "/admin/login/", {"username": EDITOR, "password": password})
    if "/two-factor/verify/" not in signed.url:
        raise RuntimeError(f"sign-in did not ask for the second factor: {signed.url}")
    passed = _csrf_post(session, base, "/admin/two-factor/verify/", {"code": totp_code(TOTP_KEY)})
    if "/two-factor/" in passed.url:
        raise RuntimeError("the TOTP code was refused")
    return session


def _errors(html: str) -> str:
    found = re.findall(r'class="error-message"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)', html)
    return " | ".join(" ".join(text.split()) for text in found)[:300] or "(no message found)"


def _peak_kb(pids: list[int]) -> dict[int, int]:
    peaks = {}
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks[pid] = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
    return peaks


def _workers(server_pid: int) -> list[int]:
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def _stranger(base: str, path: str) -> requests.Response:
    return requests.get(base + path, timeout=TIMEOUT, allow_redirects=False)


def photo_probe(report, base: str, editor, manage_shell, media_root: Path) -> None:
    report("1. geotagged JPEG (GPS, make, model, orientation 6) uploaded through the admin")
    answer = _csrf_post(
        editor,
        base,
        "/admin/images/add/",
        {"title": "kitchen.jpg"},
        files={"file": ("kitchen.jpg", geotagged_jpeg(), "image/jpeg")},
    )
    report.check(answer.ok and not answer.url.endswith("/add/"), "the photo is taken")
    image_id, original = manage_shell(ROW.format(title="kitchen.jpg")).split()
    stored = (media_root / original).read_bytes()
    size = Image.open(io.BytesIO(stored)).size
    report.check(not has_location(stored), f"stored original has no EXIF/XMP ({size[0]}x{size[1]})")
    # The edit page makes and shows the preview rendition a page would use.
    edit_page = editor.get(f"{base}/admin/images/{image_id}/", timeout=TIMEOUT).text
    rendition = re.search(r'src="(/media/images/[^"]+)"', edit_page)
    report.check(rendition is not None, "the edit page shows a rendition")
    if rendition:
        public = _stranger(base, rendition.group(1))
        report(f"   stranger GET {rendition.group(1)}: {public.status_code}")
        report.check(
            public.status_code == 200 and not has_location(public.content),
            "the rendition answers and tells no location or device",
        )
    answer = _stranger(base, "/media/" + original)
    report(f"   stranger GET /media/{original}: {answer.status_code}")
    report.check(answer.status_code == 404, "the original is not served")


def pdf_probe(report, base: str, editor) -> None:
    report("2. PDFs uploaded through the admin's document form")
    cases = [
        ("JavaScript on opening (/OpenAction)", pdf_with(open_action="/JavaScript"), False),
        ("launch action on opening", pdf_with(open_action="/Launch"), False),
        ("JavaScript name tree", pdf_with(names_js=True), False),
        ("embedded file", pdf_with(attachment=True), False),
        ("plain, with a web link", pdf_with(link=True), True),
    ]
    for number, (label, content, expected) in enumerate(cases):
        answer = _csrf_post(
            editor,
            base,
            "/admin/documents/add/",
            {"title": f"bench pdf {number}"},
            files={"file": (f"bench-{number}.pdf", content, "application/pdf")},
        )
        taken = not answer.url.endswith("/add/")
        report(f"   {label}: {'taken' if taken else 'refused: ' + _errors(answer.text)}")
        report.check(taken == expected, f"{label}: {'taken' if expected else 'refused'}")


def png_probe(report, base: str, editor, server_pid: int) -> None:
    report("3. 121-megapixel PNG (11000 x 11000, greyscale) uploaded through the admin")
    content = huge_png()
    workers = _workers(server_pid)
    before = _peak_kb(workers)
    answer = _csrf_post(
        editor,
        base,
        "/admin/images/add/",
        {"title": "poster.png"},
        files={"file": ("poster.png", content, "image/png")},
    )
    after = _peak_kb(workers)
    taken = not answer.url.endswith("/add/")
    report(
        f"   {len(content) / 1024:.0f} KB file: "
        f"{'taken' if taken else 'refused: ' + _errors(answer.text)}"
    )
    for pid in workers:
        report(
            f"   worker {pid}: peak resident memory {before[pid] / 1024:.0f} MB before, "
            f"{after[pid] / 1024:.0f} MB after"
        )
    grown = max(after[pid] - before[pid] for pid in workers) / 1024
    report.check(not taken, "the PNG is refused")
    report.check(grown < 60, f"no worker's peak grew by 60 MB or more ({grown:.0f} MB)")


def document_probe(report, base: str, manage_shell) -> None:
    report("4. document in a collection restricted to signed-in users")
    content = pdf_with(link=True)
    pk, name = manage_shell(PRIVATE_DOCUMENT.format(pdf=content)).split()
    for path in (f"/media/{name}", f"/documents/{pk}/{Path(name).name}"):
        answer = _stranger(base, path)
        where = answer.headers.get("Location", "")
        report(f"   stranger GET {path}: {answer.status_code} {where}".rstrip())
        report.check(
            answer.status_code in (302, 404) and not answer.content.startswith(b"%PDF"),
            f"{path} does not hand the file to a stranger",
        )


def upload_metadata_run(report, *, base: str, env: dict, server_pid: int) -> None:
    """The four probes against a running site whose manage.py environment is `env`."""
    password = secrets.token_urlsafe(18)

    def manage_shell(code: str) -> str:
        # The last line: what the code printed (`shell` may print notices before it).
        lines = manage("shell", "-c", code, env=env).strip().splitlines()
        return lines[-1] if lines else ""

    manage_shell(EDITOR_CREATE.format(name=EDITOR, password=password, key=TOTP_KEY))
    editor = _editor_session(base, password)
    media_root = Path(env["MEDIA_ROOT"])
    photo_probe(report, base, editor, manage_shell, media_root)
    pdf_probe(report, base, editor)
    png_probe(report, base, editor, server_pid)
    document_probe(report, base, manage_shell)
