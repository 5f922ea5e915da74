"""Journey 2: an editor writes an update, looks at it, checks it and schedules it.

Steps the editor takes (after signing in, journey 1): upload the photograph (3: file,
title, upload), open *Add update* (2), type the title and summary (2), add a heading,
a paragraph citing [1] and [2], a quotation with its source and the photograph with its
alternative text (4 blocks, 12 fields and choices), add two references (2 x 4), a tag
(1), look at the live preview (1) and the checks (1), set the go-live time (3) and
schedule (2). Readers find it on the home page, in the list and in the feed once its
time has come, dated at its go-live time.
"""

import datetime as dt
import io
import re

import feedparser
import pytest
import requests
from PIL import Image
from playwright.sync_api import expect

from vigil.journeys.harness import autosave_settled, page_id

pytestmark = pytest.mark.browser

TITLE = "The court extended the detention without a hearing"


def _photograph(path) -> None:
    """A plain picture made here, never a downloaded photo."""
    image = Image.new("RGB", (800, 500), (40, 70, 110))
    for x in range(0, 800, 40):
        for y in range(0, 500, 250):
            image.paste((200, 180, 120), (x, y, x + 20, y + 20))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())


def _upload_photograph(journey, page, tmp_path) -> None:
    photo = tmp_path / "courthouse.png"
    _photograph(photo)
    page.goto("/admin/images/add/")
    page.locator("input[name=title]").fill("Courthouse in Astana")
    page.locator("input[type=file][name=file]").set_input_files(str(photo))
    journey.shot(page, "photograph")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def _add_block(page, label: str):
    """Append a block of the kind named `label` at the end of the body."""
    page.locator("[data-contentpath=body] .c-sf-add-button").last.click()
    page.get_by_role("option", name=label, exact=True).click()


def _write(journey, page) -> None:
    page.goto(f"/admin/pages/{page_id(journey, '/home/updates/')}/add_subpage/")
    page.wait_for_load_state()
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=summary]").fill(
        "A judge extended Dr. Massimov's detention by two months behind closed doors."
    )
    _add_block(page, "Heading")
    page.locator("input[name$='-value-text']").last.fill("What the court decided")
    _add_block(page, "Paragraph")
    editor = page.locator("[data-contentpath=body] .public-DraftEditor-content").last
    editor.click()
    editor.type("The order was signed without the defence present [1], as the UN had warned [2].")
    _add_block(page, "Quotation")
    page.locator("textarea[name$='-value-text']").last.fill("No one may be held in secret.")
    page.locator("input[name$='-value-attribution']").last.fill("UN Working Group")
    page.locator("input[name$='-value-source_url']").last.fill("https://www.ohchr.org/en/wgad")
    _add_block(page, "Image")
    page.locator("[data-contentpath=body] [data-chooser-action-choose]").last.click()
    modal = page.locator(".modal-dialog")
    modal.get_by_text("Courthouse in Astana").first.click()
    expect(modal).to_be_hidden()
    page.locator("input[name$='-value-alt_text']").last.fill(
        "The courthouse in Astana, its doors closed"
    )
    for number, (title, url) in enumerate(
        [
            ("Court order of 3 December", "https://example.org/court-order"),
            ("Opinion No. 8/2023", "https://www.ohchr.org/en/wgad/opinions"),
        ]
    ):
        page.locator("#id_references-ADD").click()
        page.locator(f"input[name=references-{number}-title]").fill(title)
        page.locator(f"input[name=references-{number}-publisher]").fill("Public record")
        page.locator(f"input[name=references-{number}-url]").fill(url)
    tags = page.locator("[data-field-wrapper]:has(input[name=tags]) input:visible").first
    tags.fill("detention orders")
    tags.press("Enter")
    journey.shot(page, "written", full_page=True)


def _preview_and_checks(journey, page) -> None:
    page.locator('[data-side-panel-toggle="preview"]').click()
    frame = page.frame_locator("#w-preview-iframe")
    expect(frame.locator("h1")).to_have_text(TITLE, timeout=30_000)
    expect(frame.locator("main")).to_contain_text("Court order of 3 December")
    journey.shot(page, "preview")
    page.locator('[data-side-panel-toggle="checks"]').click()
    page.wait_for_function(
        "() => /^\\d+$/.test(document.querySelector('[data-content-word-count]').textContent)",
        timeout=30_000,
    )
    assert int(page.locator("[data-content-word-count]").inner_text()) > 20
    expect(page.locator("[data-content-reading-time]")).to_have_text(re.compile(r"\d+ mins?"))
    expect(page.locator("[data-side-panel='checks'] [data-content-checker-count]")).to_have_text(
        re.compile(r"^\d+$")
    )
    journey.shot(page, "checks")


def _schedule(journey, page) -> dt.datetime:
    """Set the go-live time to the next whole minute but one (the field has minutes)."""
    now = dt.datetime.now(dt.UTC)
    go_live = (now + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (go_live - now).total_seconds() < 20:
        go_live += dt.timedelta(minutes=1)
    page.locator('[data-side-panel-toggle="status"]').click()
    page.locator("[data-a11y-dialog-show='schedule-publishing-dialog']").first.click()
    dialog = page.locator("#schedule-publishing-dialog")
    dialog.locator("input[name=go_live_at]").fill(go_live.strftime("%Y-%m-%d %H:%M"))
    journey.shot(page, "go-live")
    # The date picker stays open over the dialog's button until a click beside it.
    dialog.locator("h2, h1").first.click()
    dialog.locator("button.action-save").click()
    expect(dialog).to_be_hidden()
    autosave_settled(page)
    page.locator("footer [data-w-dropdown-target=toggle], footer .dropdown-toggle").first.click()
    page.locator("button[name=action-publish]").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("scheduled")
    journey.shot(page, "scheduled")
    return go_live


def test_editor_writes_previews_checks_and_schedules_an_update(journey, tmp_path):
    page = journey.page()
    journey.editor_sign_in(page)
    _upload_photograph(journey, page, tmp_path)
    _write(journey, page)
    _preview_and_checks(journey, page)
    go_live = _schedule(journey, page)

    reader = journey.page()
    reader.goto("/")
    expect(reader.locator("main")).not_to_contain_text(TITLE)
    remaining = (go_live - dt.datetime.now(dt.UTC)).total_seconds()
    reader.wait_for_timeout(max(0, remaining + 1) * 1000)
    journey.site.manage("publish_scheduled")

    reader.goto("/")
    expect(reader.locator("main")).to_contain_text(TITLE)
    journey.shot(reader, "home")
    reader.goto("/updates/")
    reader.get_by_role("link", name=TITLE).first.click()
    expect(reader.locator("h1")).to_have_text(TITLE)
    # Dated when it went live, not when the editor opened the form.
    dated = go_live.strftime("%Y-%m-%dT%H:%M")
    expect(reader.locator(f"main time[datetime^='{dated}']").first).to_be_visible()
    expect(reader.locator("main")).to_contain_text("Opinion No. 8/2023")
    expect(
        reader.locator("main img[alt='The courthouse in Astana, its doors closed']")
    ).to_be_visible()
    journey.shot(reader, "update", full_page=True)
    feed = feedparser.parse(requests.get(journey.url + "/updates/feed/rss/", timeout=30).content)
    assert feed.entries[0].title == TITLE
