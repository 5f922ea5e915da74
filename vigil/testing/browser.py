"""Browser-test helpers: Debian's Chromium, axe-core, screenshots, the live server idle.

Chromium is Debian's (never `playwright install`), started once per module by the
`browser` fixture (vigil/testing/fixtures.py); each test gets fresh browser contexts.
A failed test leaves a screenshot of each page it opened in `test-artifacts/`.
"""

import contextlib
import functools
import re
import threading
import time
from pathlib import Path

from django.conf import settings

ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


def live_server_idle(*, timeout: float = 60) -> None:
    """Wait until Django's live server has finished every request still in flight.

    A closed browser may have left one running (an autosave, an editing-session ping);
    its thread shares the test's in-memory SQLite connection, and the flush after the
    test fails with "database table is locked" while it holds it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [t for t in threading.enumerate() if "process_request_thread" in t.name]
        if not busy:
            return
        time.sleep(0.05)
    raise AssertionError(f"the live server still answers {len(busy)} request(s)")


def screenshots_save(test_name: str, pages) -> None:
    """A full-page screenshot of each of a failed test's pages, into `test-artifacts/`."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "-", test_name).strip("-")
    for number, page in enumerate(pages, start=1):
        suffix = "" if number == len(pages) else f"-{number}"
        # A screenshot that cannot be taken must never hide the real failure.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS_DIR / f"{stem}{suffix}.png"), full_page=True)


# -- helpers ----------------------------------------------------------------


@functools.cache
def axe_source() -> str:
    """axe-core as shipped inside axe-playwright-python."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page, options: dict | None = None) -> list[dict]:
    """Run axe-core on the page (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA); its violations."""
    page.evaluate(axe_source())
    results = page.evaluate("options => axe.run(document, options)", options or AXE_OPTIONS)
    return results["violations"]


def violations_report(violations: list[dict], *, targets: int = 3) -> str:
    """One line per violation: id, impact, help and the first few offending elements."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        shown = [" ".join(map(str, node["target"])) for node in nodes[:targets]]
        more = f" (+{len(nodes) - targets} more)" if len(nodes) > targets else ""
        lines.append(
            f"{violation['id']} [{violation['impact']}]: {violation['help']}: "
            f"{'; '.join(shown)}{more}"
        )
    return "\n".join(lines)


def scroll_width(page) -> int:
    """The page's full width in CSS pixels: wider than the viewport means sideways scrolling."""
    return page.evaluate("() => document.documentElement.scrollWidth")
