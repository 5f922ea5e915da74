"""Journey 8: a mirror host copies the site, reads it from disk, and checks it is genuine.

Steps the host takes: run the export (1); open the copy's index.html from disk (2);
switch to Russian (3) and to Kazakh (4); search the copy (5); read the campaign's key
on its /mirrors/ page (6); check the copy as that page says (7, two commands), or with
`manage.py verify_mirror` where Vigil is installed. A byte changed in any file, the
same checks fail and name the file.
"""

import html
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from vigil.testing.commands import PYTHON, ROOT

pytestmark = pytest.mark.browser

MIRROR_URL = "https://mirror.example.net/vigil"
# The signature's namespace and the signer's name in allowed_signers (README, /mirrors/).
NAMESPACE = "vigil-mirror"
TAMPERED = "ru/index.html"


def _run(journey, command: list[str], *, cwd: Path, stdin: Path | None = None):
    """A command as the host types it; (exit status, what it printed)."""
    with stdin.open("rb") if stdin else open("/dev/null", "rb") as given:
        result = subprocess.run(
            command, cwd=cwd, env=journey.site.env, stdin=given, capture_output=True, text=True
        )
    return result.returncode, (result.stdout + result.stderr).strip()


def _terminal(journey, page, step: str, lines: list[tuple[str, str]]) -> None:
    """Photograph a terminal: each command typed and what it printed."""
    text = "\n".join(f"$ {command}\n{output}" for command, output in lines)
    page.set_content(
        '<body style="background:#111;color:#eee;margin:0">'
        f'<pre style="font:15px monospace;padding:1em;white-space:pre-wrap">{html.escape(text)}'
        "</pre></body>"
    )
    journey.shot(page, step)


def _export(journey, page, copy: Path) -> None:
    # `make run` makes the campaign's signing key; the harness's site starts without one.
    journey.site.manage("mirror_key", "--create", "-v", "0")
    command = ["manage.py", "export_site", str(copy), "--base-url", MIRROR_URL]
    status, output = _run(journey, [PYTHON, *command], cwd=ROOT)
    assert status == 0, output
    assert re.search(r"Full export: \d+ files", output), output
    assert (copy / "MANIFEST.sha256").is_file() and (copy / "MANIFEST.sha256.sig").is_file()
    _terminal(journey, page, "export", [(" ".join(command), output)])


def _browse_three_languages(journey, page, copy: Path) -> None:
    page.goto((copy / "index.html").as_uri())
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".day-count__number").first).to_be_visible()
    journey.shot(page, "copy-opened-from-disk-en")
    for language in ("ru", "kk"):
        page.locator(f".language-switcher a[hreflang={language}]").first.click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert page.url.startswith("file://") and page.url.endswith(f"/{language}/index.html")
        expect(page.locator("main h1").first).to_be_visible()
        assert "404" not in page.title()
        journey.shot(page, f"switched-to-{language}")
    # The main navigation leads on, in Kazakh, within the copy.
    page.locator(".site-nav a").nth(1).click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    assert page.url.startswith("file://") and "404" not in page.title()
    journey.shot(page, "kk-navigation")


def _search_offline(journey, page, copy: Path) -> None:
    page.goto((copy / "kk/index.html").as_uri())
    # The surname as Kazakh spells it: found in every form it takes (Мәсімовке, Мәсімовтің).
    name = "Мәсімов"
    page.locator("#site-search-q").fill(name)
    page.locator("#site-search-q").press("Enter")
    results = page.locator("#mirror-search-results article")
    expect(results.first).to_be_visible()
    expect(page.locator("#mirror-search-status")).to_contain_text(name)
    assert results.count() > 1, "only the home page was found"
    assert page.url.startswith("file://")
    journey.shot(page, "search-offline-kk")
    results.first.locator("a").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    assert page.url.startswith("file://") and "404" not in page.title()
    journey.shot(page, "search-result-opened")


def _public_key_from_mirrors_page(journey) -> str:
    """The key as a host finds it: on the live site's page about copies."""
    page = journey.page(language="en")
    page.goto("/mirrors/")
    key = page.locator("pre.public-key").inner_text().strip()
    assert key.startswith("ssh-ed25519 ") or key.startswith("ssh-"), key
    expect(page.locator("body")).to_contain_text("ssh-keygen -Y verify")
    journey.shot(page, "mirrors-page-key")
    return key


def _check_by_hand(journey, copy: Path, signers: Path) -> list[tuple[int, str, str]]:
    """The two commands /mirrors/ gives, run in the copy's folder."""
    sign_check = ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", NAMESPACE]
    sign_check += ["-n", NAMESPACE, "-s", "MANIFEST.sha256.sig"]
    files_check = ["sha256sum", "--check", "--quiet", "MANIFEST.sha256"]
    found = []
    status, output = _run(journey, sign_check, cwd=copy, stdin=copy / "MANIFEST.sha256")
    found.append((status, " ".join(sign_check) + " < MANIFEST.sha256", output))
    status, output = _run(journey, files_check, cwd=copy)
    found.append((status, " ".join(files_check), output))
    return found


def _verify(journey, copy: Path) -> tuple[int, str, str]:
    command = ["manage.py", "verify_mirror", str(copy)]
    status, output = _run(journey, [PYTHON, *command], cwd=ROOT)
    return status, " ".join(command), output


def test_mirror_host_exports_reads_searches_and_verifies_the_copy(journey, tmp_path):
    copy = tmp_path / "mirror"
    terminal = journey.page()
    _export(journey, terminal, copy)

    # A fresh profile reads the copy from disk: nothing of it comes from a server.
    reader = journey.page(language="en", allowed_origins=("file://",))
    _browse_three_languages(journey, reader, copy)
    _search_offline(journey, reader, copy)

    signers = tmp_path / "allowed_signers"
    signers.write_text(f"{NAMESPACE} {_public_key_from_mirrors_page(journey)}\n")
    (signature, signature_command, signature_said), (files, files_command, files_said) = (
        _check_by_hand(journey, copy, signers)
    )
    assert signature == 0 and "Good" in signature_said, signature_said
    assert files == 0 and files_said == "", files_said
    verified, verify_command, verify_said = _verify(journey, copy)
    assert verified == 0 and "All" in verify_said and "match" in verify_said, verify_said
    _terminal(
        journey,
        terminal,
        "copy-verified",
        [
            (f"echo '{NAMESPACE} …' > allowed_signers", ""),
            (signature_command, signature_said),
            (files_command, files_said),
            (verify_command, verify_said),
        ],
    )

    # Someone changes one byte of the Russian home page.
    page_file = copy / TAMPERED
    data = bytearray(page_file.read_bytes())
    data[len(data) // 2] ^= 1
    page_file.write_bytes(bytes(data))
    (signature, _cmd, signature_said), (files, _cmd2, files_said) = _check_by_hand(
        journey, copy, signers
    )
    # The manifest is untouched, so its signature holds; the file no longer matches it.
    assert signature == 0 and "Good" in signature_said, signature_said
    assert files != 0 and f"{TAMPERED}: FAILED" in files_said, files_said
    verified, _cmd3, verify_said = _verify(journey, copy)
    assert verified != 0, verify_said
    assert f"Changed: {TAMPERED}" in verify_said
    assert "does not match its signed manifest" in verify_said and "1 changed" in verify_said
    _terminal(
        journey,
        terminal,
        "tampered-copy-fails",
        [
            (f"# one byte of {TAMPERED} changed", ""),
            (signature_command, signature_said),
            (files_command, files_said),
            (verify_command, verify_said),
        ],
    )


def test_library_documents_come_with_true_headers_from_the_production_server(journey):
    """What a host's mirror tool (or a reader's browser) gets for a document from the
    server as `make run` starts it (granian, whitenoise, page cache): no Content-Encoding
    (it was the text "None"), an ETag of the file (it was "" for every document), and
    304 for a copy it holds already."""
    import requests

    rows = journey.site.query("SELECT id, file FROM library_librarydocument ORDER BY id")
    links = [f"/documents/{pk}/{Path(name).name}" for pk, name in rows]
    assert links, "the demo has no document"
    etags = set()
    for link in links:
        response = requests.get(journey.url + link, timeout=60)
        assert response.status_code == 200, link
        assert "Content-Encoding" not in response.headers, response.headers
        etag = response.headers.get("ETag", "")
        assert re.fullmatch(r'"[0-9a-f]{40}"', etag), (link, etag)
        etags.add(etag)
        again = requests.get(journey.url + link, headers={"If-None-Match": etag}, timeout=60)
        assert again.status_code == 304, link
    assert len(etags) == len(links)
