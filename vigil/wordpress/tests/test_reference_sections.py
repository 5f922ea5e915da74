"""A post's references section, in every shape WordPress's editors store it, becomes the
update's numbered references: every source, its address, nothing of it left in the body."""

import pytest

from vigil.news.models import UpdatePage
from vigil.wordpress.services import content_convert
from vigil.wordpress.services.content import AttachmentIndex, text_plain

from .helpers import BODIES, body_converted, run_import

LONG_TITLE = (
    "UN Human Rights Council, Working Group on Arbitrary Detention, Opinions adopted by the "
    "Working Group on Arbitrary Detention at its ninety-sixth session, 27 March to 5 April "
    "2023: Opinion No. 12/2023 concerning Karim Massimov (Kazakhstan), communication "
    "addressed to the Government on 14 November 2022, concerning his arrest without a "
    "warrant, his detention without charge, the denial of access to a lawyer of his choosing "
    "during the first forty-one days and the holding of every appeal hearing in closed "
    "session, A/HRC/WGAD/2023/12"
)
# (title, publisher, address) of the twelve sources of posts 101–103.
ENGLISH = [
    (
        "Opinion No. 12/2023 concerning Karim Massimov (Kazakhstan)",
        "UN Working Group on Arbitrary Detention, 5 April 2023",
        "https://www.ohchr.org/en/documents/opinions/opinion-no-12-2023",
    ),
    (
        "Human Rights Watch, “Kazakhstan: Release Karim Massimov”, 14 March 2023",
        "",
        "https://www.hrw.org/news/2023/03/14/kazakhstan-release-karim-massimov",
    ),
    (
        "Amnesty International, “Kazakhstan: Closed trial must be opened to observers”",
        "",
        "https://www.amnesty.org/en/latest/news/2023/02/kazakhstan-closed-trial/",
    ),
    ("Almaty City Court, ruling of 15 March 2022 postponing the hearing (not published)", "", ""),
    (
        "Azattyq, report from the courthouse, 15 March 2022",
        "",
        "https://rus.azattyq.org/a/32301234.html",
    ),
    (
        "OSCE/ODIHR, Trial Monitoring Report: Kazakhstan 2022, p. 41",
        "",
        "https://www.osce.org/files/f/documents/odihr-trial-monitoring-kz-2022.pdf",
    ),
    (LONG_TITLE, "", "https://undocs.org/A/HRC/WGAD/2023/12"),
    (
        "Statement of the defence team, 2 March 2023",
        "",
        "https://example.org/defence/2023-03-02-statement",
    ),
    (
        "Vlast.kz, “Who decides on detention orders?”, 20 January 2023",
        "",
        "https://vlast.kz/politika/53110-who-decides.html",
    ),
    (
        "Letter of the Prosecutor General’s Office to the family, 3 February 2023 "
        "(copy kept by the campaign)",
        "",
        "",
    ),
    (
        "“Kazakhstan: Killings, Excessive Use of Force in Almaty”",
        "Human Rights Watch, November 2022",
        "https://www.hrw.org/report/2022/11/kazakhstan-january-events",
    ),
    (
        "UN Committee against Torture, Concluding observations on Kazakhstan, CAT/C/KAZ/CO/4",
        "",
        "https://tbinternet.ohchr.org/_layouts/15/treatybodyexternal/Download.aspx"
        "?symbolno=CAT%2FC%2FKAZ%2FCO%2F4&Lang=en",
    ),
]
RUSSIAN = [
    (
        "Решение Алматинского городского суда от 15 марта 2022 года об отложении слушания "
        "(не опубликовано)",
        "",
    ),
    (
        "Азаттык, «Суд снова отложил слушание по делу Масимова», 15 марта 2022 года",
        "https://rus.azattyq.org/a/31754321.html",
    ),
    (
        "Мнение № 12/2023 Рабочей группы ООН по произвольным задержаниям, 5 апреля 2023 года",
        "https://www.ohchr.org/ru/documents/opinions/opinion-no-12-2023",
    ),
    # The address is on the line under the source, without a number.
    ("Заявление адвокатов от 1 июня 2022 года", "https://example.org/defence/ru/2022-06-01"),
    (
        "Vlast.kz, «Кто решает о продлении ареста», 20 января 2023 года",
        "https://vlast.kz/politika/53110.html",
    ),
    (
        "Human Rights Watch, «Казахстан: освободите Карима Масимова», 14 марта 2023 года",
        "https://www.hrw.org/ru/news/2023/03/14/kazakhstan",
    ),
    ("Письмо Генеральной прокуратуры семье от 3 февраля 2023 года", ""),
    (
        "ОБСЕ/БДИПЧ, отчёт о мониторинге судебных процессов в Казахстане за 2022 год, с. 41",
        "https://www.osce.org/ru/odihr/trial-monitoring-kz-2022",
    ),
    (
        "Kursiv.media, «Апелляция отклонена», 1 июня 2022 года",
        "https://kursiv.media/news/2022-06-01/appeal/",
    ),
    (
        "Комитет ООН против пыток, заключительные замечания по Казахстану, CAT/C/KAZ/CO/4",
        "https://undocs.org/ru/CAT/C/KAZ/CO/4",
    ),
    (
        "Интервью супруги, Настоящее Время, 12 апреля 2023 года",
        "https://www.currenttime.tv/a/32360000.html",
    ),
    (
        "Постановление о продлении срока содержания под стражей от 2 мая 2022 года "
        "(копия у защиты)",
        "",
    ),
]
SECTION_TITLES = ("REFERENCES", "Sources", "Notes", "Источники", "Ссылки", "СІЛТЕМЕЛЕР", "Дереккөз")


def _body_text(blocks: list[dict]) -> str:
    return " ".join(text_plain(html_text=str(block["value"])) for block in blocks)


def _assert_section_gone(body, references: list[dict]):
    text = _body_text(body.blocks)
    for title in SECTION_TITLES:
        assert title not in text
    for reference in references:
        assert not reference["url"] or reference["url"] not in text
        assert reference["title"][:40] not in text


@pytest.mark.parametrize(
    "wp_id",
    [
        pytest.param(101, id="bold REFERENCES: line, then '1. …' paragraphs"),
        pytest.param(102, id="Sources heading, one one-item list per source"),
        pytest.param(103, id="block editor: Notes: heading, '[1] …' paragraphs"),
    ],
)
def test_english_section_in_each_shape_gives_all_twelve_references(wp_id):
    body = body_converted(wp_id)
    assert [(r["title"], r["publisher"], r["url"]) for r in body.references] == ENGLISH
    _assert_section_gone(body, body.references)
    assert all(block["type"] == "paragraph" for block in body.blocks)
    assert "[12] set the background." in _body_text(body.blocks)


def test_post_goes_on_after_the_section():
    """A paragraph after the sources that is not one of them stays in the body."""
    body = body_converted(101)
    assert _body_text(body.blocks).endswith("Share this update with anyone who follows the case.")
    assert len(body.references) == 12


@pytest.mark.parametrize(
    "wp_id",
    [
        pytest.param(104, id="classic: Источники: and '1) …' lines of one paragraph"),
        pytest.param(106, id="block editor: bold Ссылки, one list block per source"),
    ],
)
def test_russian_section_in_each_shape_gives_all_twelve_references(wp_id):
    body = body_converted(wp_id)
    assert [(r["title"], r["url"]) for r in body.references] == RUSSIAN
    _assert_section_gone(body, body.references)
    assert [block["type"] for block in body.blocks] == ["paragraph"]


def test_kazakh_capitals_heading_over_one_list():
    body = body_converted(105)
    assert len(body.references) == 12
    first, last = body.references[0], body.references[-1]
    assert first == {
        "title": "БҰҰ-ның ерікті түрде қамауға алу жөніндегі жұмыс тобының № 12/2023 пікірі",
        "publisher": "2023 жылғы 5 сәуір",
        "url": "https://www.ohchr.org/kk/opinion-12-2023",
    }
    assert body.references[3]["url"] == "https://example.org/defence/kk/2023-03-02"
    assert last["title"].startswith("Қамауда ұстау мерзімін ұзарту туралы")
    _assert_section_gone(body, body.references)


def test_kazakh_unnumbered_lines_each_with_an_address():
    body = body_converted(107)
    assert [r["url"] for r in body.references] == [
        "https://kaz.azattyq.org/a/31754321.html",
        "https://www.ohchr.org/kk/opinion-12-2023",
        "https://www.hrw.org/kk/news/2023/03/14",
        "https://vlast.kz/kk/53110.html",
        "https://www.osce.org/kk/odihr/trial-monitoring-kz-2022",
        "https://kaz.inform.kz/kk/appeal_a3940000",
        "https://example.org/defence/kk/2023-03-02",
        "https://undocs.org/kk/CAT/C/KAZ/CO/4",
        "https://www.currenttime.tv/a/32360001.html",
        "https://kursiv.media/kk/news/2022-06-01/appeal/",
    ]
    assert body.references[1]["title"] == "БҰҰ жұмыс тобының № 12/2023 пікірі"
    # A source that is only an address is titled by it.
    assert body.references[-1]["title"] == "https://kursiv.media/kk/news/2022-06-01/appeal/"
    _assert_section_gone(body, body.references)


@pytest.mark.parametrize(
    "heading",
    [
        "<h2>REFERENCES</h2>",
        "<h6>sources:</h6>",
        "<h3>Notes</h3>",
        "<p><strong>References</strong></p>",
        "<p><b>SOURCES:</b></p>",
        "<p>REFERENCES:</p>",
        "<h4>Ссылки:</h4>",
        "<p><strong>ИСТОЧНИКИ</strong></p>",
        "<h2>Сілтемелер</h2>",
        "<p>Дереккөздер:</p>",
    ],
)
def test_section_headings_in_capitals_bold_or_with_a_colon(heading):
    body = content_convert(
        content=f"<p>Claim [1].</p>{heading}<ul><li>One https://one.example/a</li>"
        '<li><a href="https://two.example/">Two</a></li></ul>',
        attachments=AttachmentIndex(attachments=[]),
        post_id=1,
    )
    assert body.references == [
        {"title": "One", "publisher": "", "url": "https://one.example/a"},
        {"title": "Two", "publisher": "", "url": "https://two.example/"},
    ]
    assert body.blocks == [{"type": "paragraph", "value": "<p>Claim [1].</p>"}]


def test_heading_and_items_in_one_paragraph():
    """Classic editor: "References:" and the sources typed on the lines under it."""
    body = content_convert(
        content="Claim [1].\n\n<strong>References:</strong>\n1. One\n2. Two, https://two.example/",
        attachments=AttachmentIndex(attachments=[]),
        post_id=1,
    )
    assert [(r["title"], r["url"]) for r in body.references] == [
        ("One", ""),
        ("Two", "https://two.example/"),
    ]
    assert body.blocks == [{"type": "paragraph", "value": "<p>Claim [1].</p>"}]


def test_notes_heading_over_prose_stays_a_heading():
    """Prose under "Notes" (no list, number or address) is the post, not its sources."""
    body = content_convert(
        content="<h2>Notes</h2><p>The hearing is closed to the public.</p>",
        attachments=AttachmentIndex(attachments=[]),
        post_id=1,
    )
    assert body.references == []
    assert [b["type"] for b in body.blocks] == ["heading", "paragraph"]


def test_imported_update_stores_and_shows_every_reference(client, home, updates_index):
    run_import(BODIES)
    update = UpdatePage.objects.get(slug="what-the-court-file-shows")
    stored = [(r.title, r.publisher, r.url) for r in update.references.order_by("sort_order")]
    assert stored == ENGLISH
    html = client.get(update.url).content.decode()
    assert 'id="ref-12"' in html
    assert 'href="#ref-7"' in html  # "[7]" in the text links to the long-titled source
    assert "REFERENCES" not in html
