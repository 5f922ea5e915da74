"""Journey 5: a team member who is not a superuser does the campaign's work in the admin.

The administrator gives each member an account and groups (README, *The team*).

Dana (Editors, Moderators, Mail senders) signs in with two factors (5 steps the first
time, see journey 1), then: writes and publishes an update with a new tag (title,
summary, a paragraph, a tag, Publish: 6 steps), names the tag in Russian (4), adds a
statement to the support register (7, the case chosen in a search box), uploads a
document to the library (4), adds a timeline event (6), copies in an external
petition's new count (4), and sends the update to subscribers from its page (3). She
may not export signatures or erase a person: each refusal is a page saying which
group allows it and whom to ask.

Lev (Editors only) writes an update and submits it for moderation (a moderator
publishes), and is told, in his language, that sending mail needs *Mail senders* and
exporting signatures needs *Signer data*; then, on a phone, he reads under Reports >
Background tasks that the scheduled publishing ran.
"""

import contextlib

import pytest
from django.utils import translation
from django.utils.translation import gettext
from fpdf import FPDF
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from vigil.journeys.harness import LANGUAGES, autosave_settled, page_id

pytestmark = pytest.mark.browser

# Wagtail's own label for the admin's menu button, from Wagtail's catalogue: under a name
# makemessages does not collect, so the project's catalogue never shadows it.
wagtail_label = gettext

CASE_TITLE = "Karim Massimov"


def _save_snippet(page) -> None:
    page.locator("main footer button[type=submit]").first.click()
    page.wait_for_load_state()


def _choose_case(page) -> None:
    """The case is chosen as a person would: the chooser, a search, the result."""
    page.locator("#id_case-chooser [data-chooser-action-choose]").click()
    modal = page.locator(".modal-dialog")
    modal.locator("input[name=q]").fill("Massimov")
    modal.get_by_role("link", name=CASE_TITLE, exact=True).first.click()
    expect(modal).to_be_hidden()
    expect(page.locator("#id_case-title")).to_have_text(CASE_TITLE)


def _write_update(journey, page, *, title: str, tag: str | None = None) -> None:
    page.goto(f"/admin/pages/{page_id(journey, '/home/updates/')}/add_subpage/")
    page.wait_for_load_state()
    page.locator("input[name=title]").fill(title)
    page.locator("textarea[name=summary]").fill(f"{title}: what happened, in one sentence.")
    # By place, not by name: the admin speaks the member's language.
    page.locator(".c-sf-add-button").first.click()
    page.get_by_role("option").first.click()  # a paragraph, the first kind of block
    editor = page.locator(".public-DraftEditor-content").first
    editor.click()
    editor.type("The team wrote this from a member's own account.")
    if tag:
        tags = page.locator("[data-field-wrapper]:has(input[name=tags]) input:visible").first
        tags.fill(tag)
        tags.press("Enter")
    journey.shot(page, f"update-written-{title}")


def _publish(page) -> None:
    autosave_settled(page)
    page.locator("footer [data-w-dropdown-target=toggle], footer .dropdown-toggle").first.click()
    page.locator("button[name=action-publish]").click()
    page.wait_for_load_state()


def _document_pdf(path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Letter from the team to the prosecutor")
    pdf.output(str(path))


def _signed_in(journey, dana):
    page = journey.page()
    journey.editor_sign_in(page, dana)
    page.goto("/admin/")
    expect(page.locator("#wagtail-sidebar")).to_contain_text("Support register")
    journey.shot(page, "dashboard")
    return page


def _update_published(journey, page) -> int:
    """An update with a new tag, published by her (she is a moderator); its page id."""
    _write_update(journey, page, title="Team member writes", tag="Team work")
    _publish(page)
    expect(page.locator(".messages")).to_contain_text("published")
    journey.shot(page, "update-published")
    return journey.site.query(
        "SELECT id FROM wagtailcore_page WHERE title = ? AND live", ("Team member writes",)
    )[0][0]


def _tag_named_in_russian(journey, page) -> None:
    page.goto("/admin/snippets/news/tagtranslation/add/")
    page.locator("select[name=tag]").select_option(label="Team work")
    page.locator("select[name=language]").select_option("ru")
    page.locator("input[name=name]").fill("Работа команды")
    journey.shot(page, "tag-name")
    _save_snippet(page)
    expect(page.locator(".messages")).to_contain_text("Работа команды")


def _statement_added(journey, page) -> None:
    page.goto("/admin/snippets/support/statement/add/")
    _choose_case(page)
    page.locator("input[name=who]").fill("Lawyers' Collective of Almaty")
    page.locator("select[name=supporter_type]").select_option("lawyers")
    page.locator("input[name=date]").fill("2026-11-30")
    page.locator("input[name=demands]").first.check()
    page.locator("textarea[name=quote]").fill("We call for Dr. Massimov's release.")
    page.locator("input[name=language]").fill("en")
    journey.shot(page, "statement")
    _save_snippet(page)
    expect(page.locator(".messages")).to_contain_text("Lawyers' Collective of Almaty")


def _document_added(journey, page, tmp_path) -> None:
    """A document for the library."""
    pdf = tmp_path / "letter.pdf"
    _document_pdf(pdf)
    page.goto("/admin/documents/add/")
    page.locator("input[name=title]").fill("Team letter to the prosecutor")
    page.locator("input[name=file]").set_input_files(str(pdf))
    page.locator("select[name=kind]").select_option("letter")
    journey.shot(page, "document")
    page.locator("#w-editor-form button[type=submit]").last.click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Team letter to the prosecutor")


def _timeline_event_added(journey, page) -> None:
    page.goto("/admin/snippets/cases/timelineevent/add/")
    _choose_case(page)
    page.locator("input[name=date]").fill("2026-11-29")
    page.locator("select[name=kind]").select_option("court")
    page.locator("input[name=title]").fill("Appeal hearing postponed")
    journey.shot(page, "timeline-event")
    _save_snippet(page)
    expect(page.locator(".messages")).to_contain_text("Appeal hearing postponed")


def _external_count_added(journey, page) -> None:
    """An external petition's new count."""
    page.goto("/admin/snippets/actions/externalpetition/")
    page.get_by_role("link", name="Amnesty petition by activists in Almaty").click()
    page.wait_for_load_state()
    page.locator("#id_counts-ADD").click()
    new_row = page.locator("[id^=inline_child_counts]:visible").last
    new_row.locator("input[name$=-count]").fill("4321")
    new_row.locator("input[name$=-date]").fill("2026-12-01")
    # The date picker stays open over the Save button until a click outside it, as a
    # person closes it: on the panel's help text. It opens a moment after the field takes
    # focus: wait for it first, or it opens again after being "closed".
    pickers = page.locator(".xdsoft_datetimepicker:visible")
    with contextlib.suppress(PlaywrightTimeoutError):
        pickers.first.wait_for(state="visible", timeout=5000)
    for _attempt in range(3):
        if not pickers.count():
            break
        page.get_by_text("Add a row each time you read the count").click()
        page.keyboard.press("Escape")
    expect(pickers).to_have_count(0)
    journey.shot(page, "external-count")
    _save_snippet(page)
    expect(page.locator(".messages")).to_contain_text("updated")


def _update_mailed(journey, page, update_id: int) -> None:
    """The update, sent to subscribers from its page."""
    page.goto(f"/admin/pages/{update_id}/edit/")
    page.wait_for_load_state()
    page.locator("header").get_by_role("button", name="Actions").first.click()
    journey.shot(page, "update-page-menu")
    page.get_by_role("link", name="Send to subscribers").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Team member writes")
    journey.shot(page, "mailing-confirm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("is queued for")
    journey.shot(page, "mailing-queued")
    _mailing_seen_sent(journey, page)


def _mailing_seen_sent(journey, page) -> None:
    """Did it go out? Reports > Background tasks says so in words, once the worker ran it."""
    sidebar = page.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name="Reports").click()
    sidebar.get_by_role("link", name="Background tasks").click()
    page.wait_for_load_state()
    row = page.locator("tbody tr", has_text="Send updates to subscribers").first
    for _attempt in range(20):
        if row.count() and "Done" in row.inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(row).to_contain_text("Done")
    expect(page.locator("main")).not_to_contain_text("Traceback")
    journey.shot(page, "mailing-sent")


def _refusals_seen(journey, page) -> None:
    """What she may not do: a page that says so, never a silent trip home."""
    page.goto("/admin/actions/erase/")
    main = page.locator("main")
    expect(main).to_contain_text("Your account is not allowed to erase a person's data.")
    expect(main).to_contain_text("Signer data")
    expect(main).to_contain_text("admin@localhost")
    journey.shot(page, "erase-refused")
    petition_id = page_id(journey, "/home/petition/")
    response = page.goto(f"/admin/actions/petitions/{petition_id}/signatures.csv")
    assert response.status == 403
    expect(main).to_contain_text("export the signatures of a petition")
    journey.shot(page, "export-refused")


def _reader_sees_the_update(journey) -> None:
    reader = journey.page()
    reader.goto("/updates/tag/team-work/")
    expect(reader.locator("main")).to_contain_text("Team member writes")
    journey.shot(reader, "reader-sees-the-update")


def test_a_campaigner_does_every_task_and_is_told_what_needs_another_group(journey, tmp_path):
    dana = journey.user_create("dana", groups=("Editors", "Moderators", "Mail senders"))
    page = _signed_in(journey, dana)
    update_id = _update_published(journey, page)
    _tag_named_in_russian(journey, page)
    _statement_added(journey, page)
    _document_added(journey, page, tmp_path)
    _timeline_event_added(journey, page)
    _external_count_added(journey, page)
    _update_mailed(journey, page, update_id)
    _refusals_seen(journey, page)
    # The public site shows her work.
    _reader_sees_the_update(journey)


REFUSED = {
    "en": ("send updates to subscribers", "export the signatures of a petition"),
    "ru": ("рассылать новости подписчикам", "выгружать подписи под петицией"),
    "kk": ("жазылушыларға жаңалықтар жіберуге", "петиция қолтаңбаларын экспорттауға"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_editor_submits_for_moderation_and_is_told_whom_to_ask(journey, language):
    lev = journey.user_create("lev", groups=("Editors",))
    page = journey.page(language=language)
    journey.editor_sign_in(page, lev)

    _write_update(journey, page, title="Lev's first draft")
    expect(page.locator("button[name=action-publish]")).to_have_count(0)
    autosave_settled(page)
    page.locator("footer [data-w-dropdown-target=toggle], footer .dropdown-toggle").first.click()
    page.locator("button[name=action-submit]").click()
    page.wait_for_load_state()
    journey.shot(page, "submitted")
    rows = journey.site.query(
        "SELECT p.live, w.status FROM wagtailcore_page p "
        "JOIN wagtailcore_workflowstate w ON w.object_id = CAST(p.id AS TEXT) "
        "WHERE p.title = ?",
        ("Lev's first draft",),
    )
    assert rows == [(0, "in_progress")], rows

    send, export = REFUSED[language]
    live_update = journey.site.query(
        "SELECT id FROM news_updatepage JOIN wagtailcore_page ON id = page_ptr_id "
        "WHERE live AND alias_of_id IS NULL ORDER BY id LIMIT 1"
    )[0][0]
    page.goto(f"/admin/actions/mailings/new/{live_update}/")
    main = page.locator("main")
    expect(main).to_contain_text(send)
    expect(main).to_contain_text("Mail senders")
    expect(main).not_to_contain_text("Signer data")
    journey.shot(page, "mail-refused")

    petition_id = page_id(journey, "/home/petition/")
    page.goto(f"/admin/actions/petitions/{petition_id}/signatures.csv")
    expect(main).to_contain_text(export)
    expect(main).to_contain_text("Signer data")
    expect(main).to_contain_text("admin@localhost")
    journey.shot(page, "export-refused")
    _task_report_read_on_a_phone(journey, page, language)


# Reports > Background tasks as Lev reads it: the menu, the heading, a task, its status.
# Wagtail has no Kazakh catalogue, so its own menu says "Reports" there; Vigil's words
# are Kazakh.
TASK_REPORT = {
    "en": ("Reports", "Background tasks", "Publish scheduled pages", "Done"),
    "ru": ("Отчеты", "Фоновые задачи", "Публикация запланированных страниц", "Готово"),
    "kk": ("Reports", "Фондық тапсырмалар", "Жоспарланған беттерді жариялау", "Дайын"),
}


PHONE = {"width": 360, "height": 640}


def _task_report_read_on_a_phone(journey, page, language: str) -> None:
    """On a 360 px phone, in his language: did the scheduled publishing run? The report
    says so in words, never with a function's name alone or a traceback."""
    reports, heading, task, done = TASK_REPORT[language]
    page.set_viewport_size(PHONE)
    page.goto("/admin/")
    page.wait_for_load_state()
    sidebar = page.locator("#wagtail-sidebar")
    if not sidebar.get_by_role("button", name=reports).is_visible():
        with translation.override(language):
            toggle = wagtail_label("Toggle sidebar")
        page.get_by_role("button", name=toggle).first.click()
    sidebar.get_by_role("button", name=reports).click()
    sidebar.get_by_role("link", name=heading).click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text(heading)
    row = page.locator("tbody tr", has_text=task).first
    expect(row).to_contain_text(done)
    # Within the phone's width, not off to the right where the table scrolls.
    status = row.locator("td").first
    expect(status).to_have_text(done)
    box = status.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    expect(page.locator("main")).not_to_contain_text("Traceback")
    journey.shot(page, "task-report-phone")
