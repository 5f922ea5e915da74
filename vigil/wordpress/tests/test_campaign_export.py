"""A whole campaign's WordPress blog, 34 posts over 2022–2023, imported as a campaign would:
every update shows its opening once, keeps every numbered source in its References list,
shows its videos as link cards, and the report names everything not imported as is.

`campaign_export()` is also the export the WordPress-move journey imports.
"""

import html
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from vigil.news.models import UpdatePage
from vigil.wordpress.services.content import text_plain

from .helpers import run_import
from .test_summaries import _article
from .wxr_builder import export_file, item

# The sources the campaign cites, as (title, address); "" when it has no address.
SOURCES = [
    (
        "Committee for Fair Trials, Statement on the closed hearing of 14 January 2022",
        "https://fairtrials.example.org/statements/2022-01-14-closed-hearing",
    ),
    (
        "Regional Court of the Capital, detention order of 9 January 2022 "
        "(copy kept by the defence)",
        "",
    ),
    (
        "Steppe Herald, Former prime minister taken from his home at night",
        "https://steppeherald.example.net/news/2022/01/08/arrest",
    ),
    (
        "International Bar Forum, Trial observation report on the Bekov case",
        "https://ibf.example.org/reports/bekov-trial-observation.pdf",
    ),
    (
        "UN Working Group on Arbitrary Detention, Opinion No. 31/2022 concerning Nurlan Bekov",
        "https://undocs.example.org/A/HRC/WGAD/2022/31",
    ),
    ("Letter of the prison governor to the family, 2 March 2022", ""),
    (
        "Open Courts Monitor, Hearing log for case 2-114/2022",
        "https://opencourts.example.org/cases/2-114-2022",
    ),
    (
        "Radio Free Plains, Wife of detained former premier speaks out",
        "https://rfp.example.com/a/wife-speaks-out-31811",
    ),
    (
        "European Parliament resolution on political prisoners in the region, 6 October 2022",
        "https://europarl.example.eu/doc/TA-9-2022-0412_EN.html",
    ),
    (
        "Defence team, Appeal brief filed with the Supreme Court, 20 December 2022",
        "https://freebekov.example.org/documents/appeal-brief-2022-12-20",
    ),
    ("Medical report of the prison clinic, 11 February 2023 (copy kept by the family)", ""),
    (
        "Human Rights Observatory, Kazakh and Kyrgyz detainees denied family visits",
        "https://hro.example.org/2023/02/denied-visits",
    ),
    (
        "Ministry of Justice, Answer to the campaign's petition, 3 April 2023",
        "https://justice.example.gov/answers/2023-04-03-petition",
    ),
    (
        "Council of Europe Commissioner, Letter on prison conditions, 17 May 2023",
        "https://coe.example.int/commissioner/letters/2023-05-17",
    ),
    (
        "Daily Tribune, Supreme Court refuses to hear the appeal in public",
        "https://tribune.example.com/politics/2023/06/02/appeal-closed",
    ),
]


@dataclass
class Post:
    wp_id: int
    title: str
    slug: str
    date: str
    opening: str
    more: str
    excerpt: str = ""
    # (shape of the section, how many of SOURCES, from which one)
    references: tuple[str, int, int] | None = None
    # HTML placed after the opening, and the link card(s) it becomes.
    video: str = ""
    cards: tuple[str, ...] = ()
    # HTML Vigil does not take as it is, and what the report says of it.
    extra: str = ""
    removed: tuple[str, ...] = ()
    sticky: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    categories: tuple[tuple[str, str], ...] = (("news", "News"),)
    closing: str = ""

    @property
    def sources(self) -> list[tuple[str, str]]:
        if not self.references:
            return []
        _shape, count, first = self.references
        return [SOURCES[(first + n) % len(SOURCES)] for n in range(count)]


def _youtube_frame(video_id: str, title: str) -> str:
    return (
        f'<iframe title="{title}" width="560" height="315" '
        f'src="https://www.youtube.com/embed/{video_id}" frameborder="0" allowfullscreen></iframe>'
    )


COURT = ("court", "Court")
FAMILY = ("family", "Family")
HEALTH = ("health", "Health")
UN = ("un", "United Nations")
APPEAL = ("appeal", "Appeal")
ACTION = (("take-action", "Take action"),)

POSTS = [
    Post(
        1001,
        "Former prime minister detained",
        "former-prime-minister-detained",
        "2022-01-08 23:40:00",
        "Nurlan Bekov was taken from his home by masked officers shortly before midnight.",
        "His family was given no paper and no reason. His lawyer was turned away at the door.",
        tags=(COURT,),
    ),
    Post(
        1002,
        "Where is Nurlan Bekov",
        "where-is-nurlan-bekov",
        "2022-01-10 08:15:00",
        "For two days nobody would tell the family where he was being held.",
        "The prosecutor finally confirmed that he is in the investigative prison of the capital.",
        references=("list", 8, 0),
        tags=(FAMILY,),
    ),
    Post(
        1003,
        "The first hearing was held behind closed doors",
        "first-hearing-closed",
        "2022-01-14 17:30:00",
        "The judge ordered two months of detention after a hearing that lasted nine minutes.",
        "Journalists and diplomats waited in the corridor and were never let in.",
        excerpt="Nine minutes, no public, two months in detention.",
        tags=(COURT,),
    ),
    Post(
        1004,
        "Watch the statement of his wife",
        "statement-of-his-wife",
        "2022-01-20 12:00:00",
        "Aigerim Bekova recorded a short statement for everyone who follows the case.",
        "She asks for one thing: that her husband may see his own lawyer.",
        video=_youtube_frame("Kx7mQ2pLr4A", "Statement of Aigerim Bekova"),
        cards=("https://www.youtube.com/watch?v=Kx7mQ2pLr4A",),
        tags=(FAMILY,),
    ),
    Post(
        1005,
        "What the charges say",
        "what-the-charges-say",
        "2022-02-03 10:00:00",
        "The charge sheet accuses him of organising mass unrest from his own kitchen.",
        "It names no witness and no date, and the defence has not been shown the evidence.",
        references=("one-item lists", 12, 2),
        tags=(COURT,),
        closing="Share this update with anyone who asks what he is accused of.",
    ),
    Post(
        1006,
        "Letters are reaching him again",
        "letters-reaching-him",
        "2022-02-21 09:00:00",
        "After six weeks of silence the prison has started to hand over the letters.",
        "He received forty-one letters in one day and asked us to thank every writer.",
        extra='[contact-form-7 id="12" title="Write to Nurlan"]',
        removed=("shortcode [contact-form-7] removed",),
        categories=ACTION,
    ),
    Post(
        1007,
        "Detention extended by three months",
        "detention-extended-march",
        "2022-03-09 16:45:00",
        "The court extended his detention again without hearing the defence.",
        "The next hearing is set for June, more than five months after his arrest.",
        tags=(COURT,),
    ),
    Post(
        1008,
        "A map of the prison",
        "map-of-the-prison",
        "2022-03-15 09:00:00",
        "Supporters keep asking where to bring parcels and how to reach the gate.",
        "Parcels are accepted on Tuesdays from nine until noon at the side entrance.",
        extra=(
            '<iframe src="https://www.google.com/maps/embed?pb=!1m18!1m12" width="600" '
            'height="450"></iframe>'
        ),
        removed=("removed an embedded frame from www.google.com",),
        categories=ACTION,
    ),
    Post(
        1009,
        "Observers report on the trial",
        "observers-report-on-the-trial",
        "2022-04-02 11:20:00",
        "Trial observers have published their first report on the proceedings.",
        "They found that the defence was not allowed to question a single witness.",
        references=("numbered paragraphs", 15, 0),
        tags=(COURT, UN),
    ),
    Post(
        1010,
        "Video from outside the court",
        "video-from-outside-the-court",
        "2022-04-19 18:00:00",
        "Hundreds of people stood outside the court in the rain for the whole hearing.",
        "Police asked them to leave twice, and twice they stayed, quietly.",
        video="<p>https://youtu.be/Pq3nR8sT1vW</p>",
        cards=("https://youtu.be/Pq3nR8sT1vW",),
        tags=(COURT,),
    ),
    Post(
        1011,
        "His health is getting worse",
        "health-getting-worse",
        "2022-05-06 08:00:00",
        "His lawyer says he has lost eleven kilograms since January.",
        "The prison clinic has refused to let an independent doctor examine him.",
        tags=(HEALTH,),
    ),
    Post(
        1012,
        "The United Nations asks for his release",
        "un-asks-for-release",
        "2022-05-30 14:00:00",
        "The UN Working Group on Arbitrary Detention has found his detention arbitrary.",
        "It asks the government to release him at once and to pay him compensation.",
        excerpt="The UN Working Group finds the detention arbitrary.",
        references=("br lines", 8, 4),
        tags=(UN,),
    ),
    Post(
        1013,
        "Sign the petition",
        "sign-the-petition",
        "2022-06-11 10:00:00",
        "Our petition to the president now has more than twelve thousand signatures.",
        "Every name is read out at the gate of the prison on the first day of the month.",
        sticky=True,
        extra='<p><a href="https://freebekov.example.org/sign" onclick="track()">Sign here</a></p>',
        removed=("removed event-handler attributes (on…)",),
        categories=ACTION,
    ),
    Post(
        1014,
        "June hearing postponed",
        "june-hearing-postponed",
        "2022-06-20 13:10:00",
        "The hearing planned for June was postponed on the morning it was due.",
        "No new date was given, and the judge did not appear in the courtroom.",
        tags=(COURT,),
    ),
    Post(
        1015,
        "A conversation with his daughter",
        "conversation-with-his-daughter",
        "2022-07-04 19:00:00",
        "His daughter Dana talked to us about the last evening before the arrest.",
        "She remembers that he was reading aloud to his grandson when the knock came.",
        video=(
            '<iframe src="https://player.vimeo.com/video/70591644" width="640" height="360">'
            "</iframe>"
        ),
        cards=("https://vimeo.com/70591644",),
        tags=(FAMILY,),
    ),
    Post(
        1016,
        "What the family is asking for",
        "what-the-family-asks",
        "2022-07-28 09:30:00",
        "The family asks for three things: a public trial, a doctor and his own lawyer.",
        "None of them is a favour: each is written in the constitution of the country.",
        references=("bracket paragraphs", 9, 6),
        categories=ACTION,
    ),
    Post(
        1017,
        "Summer in the investigative prison",
        "summer-in-prison",
        "2022-08-15 12:00:00",
        "The cells have no ventilation and the temperature reached forty degrees in July.",
        "Detainees are allowed outside for one hour a day, in a yard with a roof of bars.",
        tags=(HEALTH,),
    ),
    Post(
        1018,
        "Parliament in Europe speaks up",
        "european-parliament-speaks-up",
        "2022-10-07 15:00:00",
        "The European Parliament named him in a resolution on political prisoners.",
        "Members of parliament asked to attend the next hearing as observers.",
        references=("list", 11, 8),
        tags=(UN,),
    ),
    Post(
        1019,
        "Trial date set at last",
        "trial-date-set",
        "2022-10-25 10:00:00",
        "The trial will begin on 14 November, ten months after the arrest.",
        "The court has said the trial will again be closed to the public.",
        tags=(COURT,),
    ),
    Post(
        1020,
        "Day one of the trial",
        "day-one-of-the-trial",
        "2022-11-14 20:00:00",
        "The trial opened with the prosecutor reading the charges for three hours.",
        "He was brought into the courtroom in handcuffs and kept in a glass cage.",
        video="<p>https://www.youtube.com/watch?v=Zt5uV0wX9yB</p>",
        cards=("https://www.youtube.com/watch?v=Zt5uV0wX9yB",),
        tags=(COURT,),
    ),
    Post(
        1021,
        "Witnesses for the prosecution",
        "witnesses-for-the-prosecution",
        "2022-11-22 18:30:00",
        "Four witnesses for the prosecution said they had never met him.",
        "A fifth said he had only seen him on television, giving a speech in 2015.",
        tags=(COURT,),
    ),
    Post(
        1022,
        "Sentenced to twelve years",
        "sentenced-to-twelve-years",
        "2022-12-06 17:00:00",
        "The court sentenced Nurlan Bekov to twelve years in a strict regime colony.",
        "The defence will appeal. He told the court that he regrets nothing.",
        excerpt="Twelve years. The defence will appeal.",
        references=("numbered paragraphs", 10, 3),
        tags=(COURT, APPEAL),
    ),
    Post(
        1023,
        "The appeal is filed",
        "the-appeal-is-filed",
        "2022-12-20 11:00:00",
        "The defence filed its appeal with the Supreme Court this morning.",
        "The brief runs to two hundred pages and lists thirty-four breaches of procedure.",
        tags=(APPEAL,),
    ),
    Post(
        1024,
        "A year without him",
        "a-year-without-him",
        "2023-01-08 09:00:00",
        "One year ago tonight the officers came to his door.",
        "We will light candles at the gate of the prison at midnight. Come if you can.",
        video=_youtube_frame("Ab1cD2eF3gH", "One year without Nurlan"),
        cards=("https://www.youtube.com/watch?v=Ab1cD2eF3gH",),
        categories=ACTION,
    ),
    Post(
        1025,
        "Moved to a colony far from home",
        "moved-to-a-colony",
        "2023-01-30 13:00:00",
        "He has been moved to a colony eleven hundred kilometres from his family.",
        "The journey there takes two days by train and a day by bus.",
        tags=(FAMILY,),
    ),
    Post(
        1026,
        "A doctor at last",
        "a-doctor-at-last",
        "2023-02-12 10:00:00",
        "An independent doctor was allowed to examine him for the first time.",
        "She found a heart condition that the prison clinic had not treated.",
        references=("one-item lists", 13, 9),
        tags=(HEALTH,),
    ),
    Post(
        1027,
        "Family visits refused",
        "family-visits-refused",
        "2023-02-27 16:00:00",
        "The colony has refused three family visits in a row without a reason.",
        "His wife made the two-day journey each time and was sent back at the gate.",
        extra="<script>document.write('visits')</script>",
        removed=("removed <script>",),
        tags=(FAMILY,),
    ),
    Post(
        1028,
        "The ministry answers the petition",
        "ministry-answers-the-petition",
        "2023-04-04 12:00:00",
        "The Ministry of Justice answered our petition with one page and no signature.",
        "It says the detention is lawful and that the prisoner has no complaints.",
        references=("br lines", 9, 1),
        categories=ACTION,
    ),
    Post(
        1029,
        "Council of Europe writes to the government",
        "council-of-europe-writes",
        "2023-05-18 09:00:00",
        "The Commissioner for Human Rights has written to the government about his conditions.",
        "The letter asks for an answer within a month and for access for a delegation.",
        excerpt="A letter from the Commissioner, and a month to answer.",
        tags=(UN,),
    ),
    Post(
        1030,
        "Supreme Court hears the appeal in private",
        "supreme-court-hears-appeal",
        "2023-06-02 18:00:00",
        "The Supreme Court heard the appeal in a closed room for forty minutes.",
        "The sentence was upheld. The defence will now turn to the UN Human Rights Committee.",
        references=("bracket paragraphs", 14, 1),
        tags=(APPEAL, COURT),
    ),
    Post(
        1031,
        "His birthday",
        "his-birthday",
        "2023-07-21 08:00:00",
        "Today he turns sixty-three, in a colony he has never been allowed to leave.",
        "Send him a card: the address and the rules for letters are on our action page.",
        categories=ACTION,
    ),
    Post(
        1032,
        "Complaint to the Human Rights Committee",
        "complaint-to-the-committee",
        "2023-09-12 11:00:00",
        "The defence has filed a complaint with the UN Human Rights Committee.",
        "The committee usually takes two to three years to decide on a complaint.",
        tags=(UN, APPEAL),
    ),
    Post(
        1033,
        "Autumn vigil in photographs",
        "autumn-vigil",
        "2023-10-15 20:00:00",
        "More than two thousand people came to the autumn vigil in the central square.",
        "They stood in silence for twelve minutes, one minute for each year of the sentence.",
        video="<p>https://youtu.be/Hj8kL9mN0pQ</p>",
        cards=("https://youtu.be/Hj8kL9mN0pQ",),
        categories=ACTION,
    ),
    Post(
        1034,
        "Two years on, what comes next",
        "two-years-on",
        "2023-12-05 10:00:00",
        "Almost two years after the arrest, the campaign is larger than it has ever been.",
        "Next year we will ask every candidate for parliament to name him in public.",
        references=("list", 10, 5),
        tags=(COURT,),
    ),
]


def _source_html(index: int, title: str, url: str) -> str:
    """One source in one of the ways editors typed them."""
    if not url:
        return title
    if index % 3 == 0:
        return f'<a href="{url}">{title}</a>'
    if index % 3 == 1:
        return f"{title}. {url}"
    return f"{title} ({url})"


def _section(shape: str, sources: list[tuple[str, str]]) -> str:
    items = [_source_html(n, title, url) for n, (title, url) in enumerate(sources)]
    if shape == "list":
        return "<h2>References</h2>\n<ol>\n" + "".join(f"<li>{i}</li>\n" for i in items) + "</ol>"
    if shape == "one-item lists":
        return "<h3>Sources</h3>\n" + "&nbsp;\n".join(f"<ol>\n<li>{i}</li>\n</ol>\n" for i in items)
    if shape == "numbered paragraphs":
        return "<strong>REFERENCES:</strong>\n\n" + "\n\n".join(
            f"{n}. {i}" for n, i in enumerate(items, 1)
        )
    if shape == "br lines":
        return (
            "<p>Sources:<br />\n"
            + "<br />\n".join(f"{n}) {i}" for n, i in enumerate(items, 1))
            + "</p>"
        )
    if shape == "bracket paragraphs":  # the block editor
        return '<!-- wp:heading {"level":4} -->\n<h4>Notes:</h4>\n<!-- /wp:heading -->\n\n' + (
            "\n\n".join(
                f"<!-- wp:paragraph -->\n<p>[{n}] {i}</p>\n<!-- /wp:paragraph -->"
                for n, i in enumerate(items, 1)
            )
        )
    raise ValueError(shape)


def _content(post: Post) -> str:
    parts = [post.opening]
    if post.video:
        parts.append(post.video)
    parts.append(post.more)
    if post.extra:
        parts.append(post.extra)
    if post.references:
        parts.append(_section(post.references[0], post.sources))
    if post.closing:
        parts.append(post.closing)
    return "\n\n".join(parts)


def campaign_export(directory: Path, posts: list[Post] = POSTS) -> Path:
    """The campaign's WordPress export (the 34 posts, or `posts`), written into `directory`."""
    return export_file(
        directory,
        *(
            item(
                wp_id=post.wp_id,
                title=post.title,
                slug=post.slug,
                date=post.date,
                content=_content(post),
                excerpt=post.excerpt,
                sticky=post.sticky,
                tags=post.tags,
                categories=post.categories,
            )
            for post in posts
        ),
        name="campaign.xml",
    )


def card_note(url: str) -> str:
    host = url.split("/")[2].removeprefix("www.")
    return f"embedded {url} is now a link card (nothing loads from {host})"


def _notes(output: str) -> list[str]:
    """The report's lines under "Notes (N):"."""
    match = re.search(r"^Notes \((\d+)\):\n(.*?)^\d+ created", output, re.S | re.M)
    assert match, output
    lines = match.group(2).splitlines()
    assert len(lines) == int(match.group(1))
    return [line.strip() for line in lines]


@pytest.fixture
def imported(home, updates_index, tmp_path):
    path = campaign_export(tmp_path)
    return path, run_import(path)


def test_every_post_is_imported_and_the_sticky_one_is_pinned(imported):
    _path, output = imported
    assert "34 created, 0 updated, 0 skipped" in output
    assert "Pinned update: Sign the petition" in output
    assert UpdatePage.objects.live().count() == 34
    assert sum(1 for post in POSTS if post.references) == 11
    assert sum(1 for post in POSTS if post.excerpt) == 4
    assert {post.date[:4] for post in POSTS} == {"2022", "2023"}


def test_no_update_shows_its_opening_twice(client, imported):
    for post in POSTS:
        update = UpdatePage.objects.get(slug=post.slug)
        article = _article(client.get(update.url).content.decode())
        assert article.count(post.opening) == 1, post.title
        assert update.summary == post.excerpt, post.title
        if post.excerpt:
            assert f'<p class="lede">{post.excerpt}</p>' in article
        else:
            assert 'class="lede"' not in article, post.title


def test_every_numbered_source_is_in_the_references_list_and_none_in_the_text(client, imported):
    for post in [post for post in POSTS if post.references]:
        update = UpdatePage.objects.get(slug=post.slug)
        stored = [(r.title, r.url) for r in update.references.order_by("sort_order")]
        assert stored == post.sources, f"{post.title} ({post.references[0]})"
        assert 8 <= len(stored) <= 15

        text = " ".join(text_plain(html_text=str(block.value)) for block in update.body)
        for heading in ("References", "REFERENCES", "Sources", "Notes"):
            assert heading not in text, post.title
        for title, url in post.sources:
            assert title[:40] not in text, (post.title, title)
            assert not url or url not in text, (post.title, url)
        assert text.startswith(post.opening)
        assert text.endswith(post.closing or post.more), post.title

        article = _article(client.get(update.url).content.decode())
        listed = re.findall(r'<li id="ref-(\d+)">', article)
        assert listed == [str(n) for n in range(1, len(post.sources) + 1)], post.title
        for title, url in post.sources:
            shown = html.escape(title)
            shown = (
                f'<a href="{url}" rel="noopener">{shown}</a>' if url else f"<cite>{shown}</cite>"
            )
            assert shown in article, (post.title, title)


def test_the_report_names_every_card_and_everything_removed(client, imported):
    _path, output = imported
    expected = [
        f"update #{post.wp_id} {post.title}: {note}"
        for post in POSTS
        for note in (*(card_note(url) for url in post.cards), *post.removed)
    ]
    assert len(expected) == 10
    assert sorted(_notes(output)) == sorted(expected)

    for post in [post for post in POSTS if post.cards]:
        update = UpdatePage.objects.get(slug=post.slug)
        assert [b.value["url"] for b in update.body if b.block_type == "embed"] == list(post.cards)
        article = _article(client.get(update.url).content.decode())
        assert "<iframe" not in article
        for url in post.cards:
            assert f'<a href="{url.replace("&", "&amp;")}" rel="noopener nofollow">' in article


def test_a_second_import_changes_nothing(imported):
    path, _output = imported
    revisions = {p.pk: p.latest_revision_id for p in UpdatePage.objects.all()}
    output = run_import(path)
    assert "0 created, 0 updated, 34 skipped" in output
    assert "0 redirects added" in output
    assert {p.pk: p.latest_revision_id for p in UpdatePage.objects.all()} == revisions
