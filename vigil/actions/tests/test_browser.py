"""A supporter signs the demo petition in Chromium, confirms from the email, and withdraws.

The page is loaded with its Content-Security-Policy enforced: any inline script or
style the policy blocks shows up as a console error and fails the test.
"""

import re

import pytest
from playwright.sync_api import expect

from vigil.testing.browser import axe_violations, violations_report
from vigil.testing.mail import message_links

pytestmark = pytest.mark.browser


def count_text(page) -> str:
    return page.locator(".petition-count__number").inner_text()


def test_sign_confirm_and_withdraw_in_a_browser(demo, open_page, smtp, settings):
    settings.ACTIONS_FORM_MIN_SECONDS = 0
    console = []
    page = open_page(None, bypass_csp=False)
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.goto("/petition/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Release Dr. Karim Massimov")
    # Below the count editors think worth showing (100), the goal leads, not a zero.
    assert count_text(page) == "Our goal: 5,000 signatures"
    trap = page.locator(".trap").bounding_box()
    assert trap["x"] + trap["width"] <= 0, "the honeypot is out of sight"

    page.get_by_role("textbox", name="Your name").fill("Grace Hopper")
    page.get_by_role("textbox", name="Email address").fill("grace@example.org")
    page.get_by_role("combobox", name="Country").select_option("US")
    page.get_by_label("Show my first name and country").check()
    page.get_by_role("button", name="Sign the petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    [message] = smtp.to("grace@example.org")
    links = message_links(message)
    confirm = next(link for link in links if "/signature/confirm/" in link)
    withdraw = next(link for link in links if "/signature/withdraw/" in link)
    assert confirm.startswith(demo.url), "links point at the site the signer used"

    page.goto(confirm)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    page.get_by_role("link", name="Back to the petition").click()
    expect(page.locator(".petition-count__number")).to_have_text("Our goal: 5,000 signatures")
    expect(page.locator(".recent-signers")).to_have_text("Grace, United States of America")

    page.goto(withdraw)
    page.get_by_role("button", name="Withdraw my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signature withdrawn")
    page.goto("/petition/")
    expect(page.locator(".recent-signers")).to_have_count(0)
    assert not [line for line in console if "Content Security Policy" in line], console


PHONE = {"width": 360, "height": 640}


def _refused_signature(page) -> None:
    page.get_by_role("textbox", name="Your name").fill("Grace Hopper")
    page.get_by_role("textbox", name="Email address").fill("not-an-address")
    page.get_by_role("button", name="Sign the petition").click()


def test_form_errors_are_announced_and_keep_what_was_typed(demo, open_page, smtp, settings):
    """With JavaScript the focus moves to the error summary; its link leads to the field."""
    settings.ACTIONS_FORM_MIN_SECONDS = 0
    page = open_page("/petition/", viewport=PHONE)
    _refused_signature(page)
    summary = page.locator("#errors")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Please correct the errors below.")
    expect(page.get_by_role("textbox", name="Your name")).to_have_value("Grace Hopper")
    email = page.get_by_role("textbox", name="Email address")
    expect(email).to_have_accessible_description(
        re.compile(r"We send a link to this address.*Enter a valid email address\.")
    )
    violations = axe_violations(page)
    assert not violations, violations_report(violations)
    summary.get_by_role("link", name="Email address: Enter a valid email address.").click()
    expect(email).to_be_focused()
    assert smtp.messages == []


def test_form_errors_are_on_the_first_screen_without_javascript(demo, open_page, settings):
    settings.ACTIONS_FORM_MIN_SECONDS = 0
    page = open_page("/petition/", viewport=PHONE, java_script_enabled=False)
    _refused_signature(page)
    summary = page.locator("#errors")
    box = summary.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    summary.get_by_role("link", name="Email address: Enter a valid email address.").click()
    expect(page.get_by_role("textbox", name="Email address")).to_be_focused()
