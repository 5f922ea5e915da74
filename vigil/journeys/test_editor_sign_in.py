"""Journey 1: an editor signs in for the first time, then again with a code, then without
their phone.

Steps the editor takes the first time: open the one-time set-up link they were sent (1),
type name and password (2), scan the QR code or type the key (3), type the code (4), keep
the recovery codes (5): the page they asked for opens. Afterwards: name and password, one
code. Without the link, the password alone sets up nothing (vigil/accounts/tests).
"""

import re

import pytest
from playwright.sync_api import expect

from vigil.journeys.harness import LANGUAGES

pytestmark = pytest.mark.browser

# A page deep in the admin, as an editor reaches it from a link in a colleague's message.
ASKED_FOR = "/admin/reports/site-history/"
# The words of an element that a line break cuts in two (each word's box on one line).
_WORDS_BROKEN_ACROSS_LINES = """(selector) => {
  const node = document.querySelector(selector).firstChild;
  const broken = [];
  for (const match of node.textContent.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(node, match.index);
    range.setEnd(node, match.index + match[0].length);
    if (range.getClientRects().length > 1) broken.push(match[0]);
  }
  return broken;
}"""


def _assert_on_admin_page(page, path: str) -> None:
    """The editor is on `path`, an admin page with its menu: not an asset, not an error."""
    assert re.sub(r"\?.*", "", page.url).endswith(path), page.url
    assert "sprite" not in page.url and "/static/" not in page.url, page.url
    expect(page.locator("#wagtail-sidebar, [data-side-panel], .sidebar")).not_to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("This XML file")


@pytest.mark.parametrize("language", LANGUAGES)
def test_first_sign_in_sets_up_two_factors_and_lands_where_asked(journey, language):
    page = journey.page(language=language)
    # The link from the email (make run keeps the administrator's in var/), to the page
    # a colleague's message pointed at.
    page.goto(f"{journey.admin.enrolment_link}?next={ASKED_FOR}")
    expect(page.locator("input[name=password]")).to_be_visible()
    # The door carries the campaign's name: editors know it, not the software's.
    expect(page.locator("h1")).not_to_contain_text("Wagtail")
    # Before anyone knows who they are, the door speaks the browser's language.
    expect(page.locator("html")).to_have_attribute("lang", language)
    journey.shot(page, "door")

    page.locator("input[name=username]").fill(journey.admin.username)
    page.locator("input[name=password]").fill(journey.admin.password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state()

    # One set-up page, drawn once: the QR code, the key, one code field.
    assert "/admin/two-factor/setup/" in page.url, page.url
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator(".vigil-qr svg")).to_be_visible()
    expect(page.locator(".vigil-secret")).to_be_visible()
    expect(page.locator("input[name=code]")).to_have_count(1)
    next_field = page.locator("form:has(input[name=code]) input[name=next]")
    assert next_field.input_value() == ASKED_FOR
    expect(page.locator("html")).to_have_attribute("lang", language)
    if language != "en":
        expect(page.locator("h1")).not_to_contain_text("Set up two-factor")
    journey.shot(page, "set-up")
    # On a phone too: Kazakh's "аутентификациясын" made the heading wider than 360 px.
    desktop = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert page.evaluate(_WORDS_BROKEN_ACROSS_LINES, "h1") == []
    journey.shot(page, "set-up-phone")
    page.set_viewport_size(desktop)

    journey._two_factor_enrol(page, journey.admin)
    assert len(journey.admin.recovery_codes) == 10
    _assert_on_admin_page(page, ASKED_FOR)
    journey.shot(page, "landed")


def test_returning_editor_signs_in_with_a_code_and_then_a_recovery_code(journey):
    first = journey.page()
    journey.editor_sign_in(first)
    _assert_on_admin_page(first, "/admin/")

    # A new browser (another computer): name, password, a code from the phone.
    again = journey.page()
    journey.editor_sign_in(again, next="/admin/pages/")
    _assert_on_admin_page(again, "/admin/pages/")
    journey.shot(again, "with-a-code")

    # Without the phone: one of the recovery codes, which then no longer works.
    lost_phone = journey.page()
    lost_phone.goto("/admin/login/")
    lost_phone.locator("input[name=username]").fill(journey.admin.username)
    lost_phone.locator("input[name=password]").fill(journey.admin.password)
    lost_phone.locator("form:has(input[name=password]) button[type=submit]").click()
    lost_phone.wait_for_load_state()
    assert "/admin/two-factor/verify/" in lost_phone.url
    recovery = journey.admin.recovery_codes[0]
    lost_phone.locator("input[name=code]").fill(recovery)
    journey.shot(lost_phone, "recovery-code")
    lost_phone.locator("form:has(input[name=code]) button[type=submit]").click()
    lost_phone.wait_for_load_state()
    _assert_on_admin_page(lost_phone, "/admin/")
    lost_phone.goto("/admin/two-factor/recovery-codes/")
    expect(lost_phone.locator("main, body").first).to_contain_text("9")
    journey.shot(lost_phone, "codes-left")

    reused = journey.page()
    reused.goto("/admin/login/")
    reused.locator("input[name=username]").fill(journey.admin.username)
    reused.locator("input[name=password]").fill(journey.admin.password)
    reused.locator("form:has(input[name=password]) button[type=submit]").click()
    reused.locator("input[name=code]").fill(recovery)
    reused.locator("form:has(input[name=code]) button[type=submit]").click()
    expect(reused.locator(".error-message")).to_be_visible()
    assert "/admin/two-factor/verify/" in reused.url
    journey.shot(reused, "used-code-refused")
