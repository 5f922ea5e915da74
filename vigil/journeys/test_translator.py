"""Journey 3: a translator translates a published update into Russian and Kazakh.

Steps the translator takes, per language: open the update and choose "Translate this
page" (1), tick the language and submit (2), type each text's translation and save it
(one step per text: title, byline, summary, paragraph, heading, image description,
caption and credit, each reference's title and publisher, address), publish (3). The
tag's name is given once per language under "Tag names" (4). Readers of /ru/ and /kk/
then see the whole update in their language; only proper names stay as written.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The update as an editor wrote it (journey 2 writes one through the admin): a heading,
# a paragraph citing two references, an image with a credit, and a tag.
UPDATE_CREATE = """
import io
from PIL import Image as Picture
from django.core.files.images import ImageFile
from wagtail.images import get_image_model
from wagtail.rich_text import RichText
from vigil.news.models import UpdateIndexPage, UpdatePage, UpdateReference

data = io.BytesIO()
Picture.new("RGB", (800, 450), (70, 90, 120)).save(data, "JPEG")
image = get_image_model()(title="Vigil", credit="Photo: the family's archive",
                          file=ImageFile(data, name="vigil.jpg"))
image.save()
index = UpdateIndexPage.objects.get(locale__language_code="en")
update = UpdatePage(
    title="Supporters hold a vigil outside the court",
    slug="vigil-outside-the-court",
    author="Campaign team",
    summary="Friends and colleagues stood outside the court for the whole hearing.",
    body=[
        ("heading", {"text": "A silent vigil", "level": "h2"}),
        ("paragraph", RichText(
            "<p>The court has still not published its ruling [1]. "
            "The UN Working Group has asked for it [2].</p>")),
        ("image", {"image": image, "alt_text": "People holding candles at night",
                   "caption": "Supporters outside the court"}),
    ],
)
index.add_child(instance=update)
update.references = [
    UpdateReference(title="Statement on the hearing", publisher="Campaign team",
                    url="https://example.org/hearing"),
    UpdateReference(title="Opinion No. 57/2022",
                    publisher="UN Working Group on Arbitrary Detention",
                    url="https://example.org/opinion"),
]
update.tags.add("Vigils")
update.save_revision().publish()
print(update.pk)
"""

# Each text as the editor wrote it, and as the translator gives it.
TRANSLATIONS = {
    "ru": {
        "Supporters hold a vigil outside the court": "Сторонники вышли на пикет у здания суда",
        "vigil-outside-the-court": "piket-u-zdaniya-suda",
        "Campaign team": "Команда кампании",
        "Friends and colleagues stood outside the court for the whole hearing.": (
            "Друзья и коллеги простояли у здания суда все время заседания."
        ),
        "A silent vigil": "Молчаливый пикет",
        "The court has still not published its ruling [1]. "
        "The UN Working Group has asked for it [2].": (
            "Суд до сих пор не опубликовал свое решение [1]. Рабочая группа ООН запросила его [2]."
        ),
        "People holding candles at night": "Люди держат свечи ночью",
        "Supporters outside the court": "Сторонники у здания суда",
        "Photo: the family's archive": "Фото: семейный архив",
        "Statement on the hearing": "Заявление о заседании",
        "Opinion No. 57/2022": "Мнение № 57/2022",
        "UN Working Group on Arbitrary Detention": (
            "Рабочая группа ООН по произвольным задержаниям"
        ),
    },
    "kk": {
        "Supporters hold a vigil outside the court": (
            "Жақтастар сот ғимаратының алдында пикет өткізді"
        ),
        "vigil-outside-the-court": "sot-aldyndagy-piket",
        "Campaign team": "Науқан тобы",
        "Friends and colleagues stood outside the court for the whole hearing.": (
            "Достары мен әріптестері сот отырысы бойы ғимарат алдында тұрды."
        ),
        "A silent vigil": "Үнсіз пикет",
        "The court has still not published its ruling [1]. "
        "The UN Working Group has asked for it [2].": (
            "Сот әлі күнге дейін шешімін жарияламады [1]. БҰҰ Жұмыс тобы оны сұрады [2]."
        ),
        "People holding candles at night": "Түнде шам ұстап тұрған адамдар",
        "Supporters outside the court": "Сот ғимаратының алдындағы жақтастар",
        "Photo: the family's archive": "Сурет: отбасылық мұрағат",
        "Statement on the hearing": "Сот отырысы туралы мәлімдеме",
        "Opinion No. 57/2022": "№ 57/2022 пікір",
        "UN Working Group on Arbitrary Detention": (
            "БҰҰ-ның Ерікті түрде қамауға алу жөніндегі жұмыс тобы"
        ),
    },
}
TAG_NAMES = {"ru": "Пикеты", "kk": "Пикеттер"}
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша"}
SLUG = "vigil-outside-the-court"
ALT_TEXT = "People holding candles at night"
LATIN_WORD = re.compile(r"\b[A-Za-z]{2,}\b")


def _translate_texts(journey, page, language: str) -> None:
    """Give every text of the update its translation, as the translator types them: the
    content tab's, then the promote tab's (the address)."""
    table = TRANSLATIONS[language]
    seen = set()
    for tab in ("Content", "Promote"):
        page.get_by_role("tab", name=tab).click()
        # Texts waiting for a translation on this tab: each has its "Translate" button.
        waiting = page.locator("li.incomplete:has(button:text-is('Translate'):visible)")
        while left := waiting.count():
            segment = waiting.first
            source = " ".join(segment.locator("p").first.inner_text().split())
            assert source in table, f"an unexpected text to translate: {source!r}"
            seen.add(source)
            segment.get_by_role("button", name="Translate").click()
            # The text being translated is the one with a box to type in.
            editing = page.locator("li.incomplete:has(textarea)")
            editing.locator("textarea").fill(table[source])
            editing.get_by_role("button", name="Save").click()
            # The same words elsewhere on the page (a byline and a publisher) are
            # translated with them.
            expect(waiting).not_to_have_count(left)
            if len(seen) in (1, 8):
                journey.shot(page, f"{language}-text-{len(seen)}")
        # Each translation is saved in the background: all are kept before moving on.
        expect(page.get_by_text("Saving...")).to_have_count(0)
    # Every text of the update reaches the translator: references and the credit too.
    assert seen == set(table), set(table) - seen


def _translate_update(journey, page, update_id: int, language: str) -> None:
    page.goto(f"/admin/pages/{update_id}/edit/")
    page.get_by_role("navigation", name="Actions", exact=True).get_by_role("button").click()
    page.get_by_role("link", name="Translate this page").click()
    page.get_by_label(LANGUAGE_NAMES[language]).check()
    journey.shot(page, f"{language}-choose-language")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    expect(page.locator("li.incomplete").first).to_be_visible()
    journey.shot(page, f"{language}-editor")
    _translate_texts(journey, page, language)
    journey.shot(page, f"{language}-all-translated", full_page=True)
    page.get_by_role("button", name=f"Publish in {LANGUAGE_NAMES[language]}").click()
    page.wait_for_load_state()
    expect(page.locator(".messages").first).to_contain_text(
        re.compile("ublished|опубликован|жарияланды")
    )
    journey.shot(page, f"{language}-published")


def _name_the_tag(journey, page, language: str) -> None:
    page.goto("/admin/")
    page.get_by_role("link", name="Tag names").click()
    page.get_by_role("link", name=re.compile("Add tag name")).first.click()
    page.locator("select[name=tag]").select_option(label="Vigils")
    page.locator("select[name=language]").select_option(language)
    page.locator("input[name=name]").fill(TAG_NAMES[language])
    journey.shot(page, f"{language}-tag-name")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text(TAG_NAMES[language])


def _reader_sees_it_translated(journey, language: str) -> None:
    table = TRANSLATIONS[language]
    reader = journey.page(language=language)
    answer = reader.goto(f"/{language}/updates/{table[SLUG]}/")
    assert answer.status == 200, answer.status
    main = reader.locator("main")
    text = " ".join(main.inner_text().split())
    for english, translated in table.items():
        if english in (SLUG, ALT_TEXT):
            continue
        # Citations become links: the words before the first one are enough.
        assert translated.split(" [")[0] in text, translated
        assert english not in text, english
    expect(main.locator(".credit")).to_have_text(table["Photo: the family's archive"])
    expect(main.locator("figure img")).to_have_attribute("alt", table[ALT_TEXT])
    expect(main).to_contain_text(TAG_NAMES[language])
    # Nothing is left in Latin letters: no English, and no proper name in this update.
    # (The share links name WhatsApp, Facebook and the like, in every language.)
    shared = " ".join(main.locator(".share__links").inner_text().split())
    left = LATIN_WORD.findall(text.replace(shared, ""))
    assert left == [], f"left on the {language} page: {text}"
    journey.shot(reader, f"{language}-reader", full_page=True)


def test_translator_translates_an_update_into_russian_and_kazakh(journey):
    update_id = int(journey.site.shell(UPDATE_CREATE).strip().splitlines()[-1])
    # A translator publishes translations: Wagtail's Moderators group may (its Editors
    # group only submits for moderation).
    translator = journey.user_create("translator", groups=("Moderators",))
    # Naming tags in other languages is not (yet) among the group's rights: the
    # administrator gives them to the translator.
    journey.site.shell(
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Permission\n"
        "user = get_user_model().objects.get(username='translator')\n"
        "user.user_permissions.add(*Permission.objects.filter(\n"
        "    content_type__app_label='news', codename__endswith='_tagtranslation'))\n"
    )
    page = journey.page()
    journey.editor_sign_in(page, translator, next=f"/admin/pages/{update_id}/edit/")
    journey.shot(page, "the-update")
    for language in ("ru", "kk"):
        _translate_update(journey, page, update_id, language)
        _name_the_tag(journey, page, language)
    for language in ("ru", "kk"):
        _reader_sees_it_translated(journey, language)
