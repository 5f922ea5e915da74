import datetime as dt
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vigil.news.tests.factories import SeriesFactory, UpdatePageFactory, references_add


@pytest.fixture
def cited_update(updates_index):
    update = UpdatePageFactory(
        parent=updates_index,
        title="Working Group rules",
        author="Legal team",
        date=timezone.make_aware(dt.datetime(2022, 10, 28, 12)),
        updated_at=timezone.make_aware(dt.datetime(2022, 11, 2, 12)),
        body=[
            {
                "type": "paragraph",
                "value": "<p>The opinion [1] cites the covenant [2] and [1].</p>",
            },
            {"type": "heading", "value": {"text": "What it means", "level": "h2"}},
            {
                "type": "quote",
                "value": {
                    "text": "Release him.",
                    "attribution": "UN WGAD",
                    "source_url": "https://example.org/opinion",
                },
            },
            {
                "type": "paragraph",
                "value": "<ol><li>one</li><li>two<ul><li>nested</li></ul></li></ol>",
            },
        ],
    )
    references_add(
        update,
        {
            "title": "Opinion No. 57/2022",
            "publisher": "UN WGAD",
            "url": "https://example.org/57",
            "published_on": dt.date(2022, 10, 28),
        },
        {"title": "ICCPR", "publisher": "United Nations", "url": ""},
    )
    update.tags.add("UN")
    update.save_revision().publish()
    return update


def test_update_shows_byline_dates_summary_and_blocks(client, cited_update):
    """Title, publication and 'updated' dates, author, summary, heading, quote and lists."""
    content = client.get(cited_update.url).content.decode()
    assert "<h1>Working Group rules</h1>" in content
    assert '<time datetime="2022-10-28T12:00:00+00:00">28 October 2022</time>' in content
    assert "Updated" in content and "2 November 2022" in content
    assert "By Legal team" in content
    assert "Summary of Working Group rules." in content
    assert "<h2>What it means</h2>" in content
    assert '<blockquote cite="https://example.org/opinion">' in content
    assert "— UN WGAD" in content
    assert "<li>nested</li>" in content


def test_no_updated_line_when_not_changed(client, updates_index):
    update = UpdatePageFactory(parent=updates_index)
    assert "Updated" not in client.get(update.url).content.decode()


def test_references_are_numbered_with_markers_and_back_links(client, cited_update):
    """[n] in the text links to the n-th reference, which links back to each citation."""
    content = client.get(cited_update.url).content.decode()
    assert re.search(r'<a href="#ref-1" id="cite-1-1"[^>]*>\[1\]</a>', content)
    assert re.search(r'<a href="#ref-1" id="cite-1-2"[^>]*>\[1\]</a>', content)
    assert re.search(r'<a href="#ref-2" id="cite-2-1"[^>]*>\[2\]</a>', content)
    references = content[content.index('id="references-heading"') :]
    assert '<li id="ref-1">' in references and '<li id="ref-2">' in references
    assert (
        '<a href="https://example.org/57" rel="noopener">Opinion No. 57/2022</a>, UN WGAD'
        in references
    )
    assert "28 October 2022" in references
    assert 'href="#cite-1-1"' in references and 'href="#cite-1-2"' in references
    assert "<cite>ICCPR</cite>" in references


def test_tags_link_to_tag_pages(client, cited_update):
    content = client.get(cited_update.url).content.decode()
    assert '<a href="/updates/tag/un/">UN</a>' in content


def test_open_graph_twitter_canonical_and_news_article(client, cited_update):
    """Sharing and search engines get the title, summary, canonical URL and NewsArticle data."""
    content = client.get(cited_update.url).content.decode()
    url = "http://testserver/updates/" + cited_update.slug + "/"
    assert f'<link rel="canonical" href="{url}">' in content
    assert '<meta property="og:type" content="article">' in content
    assert '<meta property="og:title" content="Working Group rules">' in content
    # A large picture (vigil/sharing): the update's share image, of today.
    assert '<meta name="twitter:card" content="summary_large_image">' in content
    assert (
        f'<meta property="og:image" content="http://testserver/share/{cited_update.pk}/' in content
    )
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1)
    )
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Working Group rules"
    assert data["datePublished"].startswith("2022-10-28")
    assert data["dateModified"].startswith("2022-11-02")
    assert data["mainEntityOfPage"] == url


def test_feeds_are_advertised_on_every_page(client, cited_update):
    content = client.get(cited_update.url).content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in content
    assert 'href="/updates/feed/atom/"' in content


def test_no_inline_scripts_or_styles(client, cited_update):
    """A strict CSP must hold: scripts are external files and there are no style attributes."""
    content = client.get(cited_update.url).content.decode()
    for script in re.findall(r"<script\b[^>]*>", content):
        assert "src=" in script or 'type="application/ld+json"' in script
    assert "<style" not in content
    assert " style=" not in content


@pytest.fixture
def series_chapters(updates_index):
    series = SeriesFactory(title="Closed justice")
    chapters = [
        UpdatePageFactory(parent=updates_index, title=f"Chapter {n}", series=series, chapter=n)
        for n in (1, 2, 3)
    ]
    return series, chapters


def test_series_links_previous_and_next_chapters(client, series_chapters):
    _series, chapters = series_chapters
    content = client.get(chapters[1].url).content.decode()
    assert "Closed justice, chapter 2" in content
    assert f'<a href="{chapters[0].url}" rel="prev">' in content
    assert f'<a href="{chapters[2].url}" rel="next">' in content
    assert "Next chapter coming soon." not in content


def test_last_published_chapter_says_next_is_coming(client, series_chapters, updates_index):
    """While the series is not complete, the latest chapter announces the next one."""
    series, chapters = series_chapters
    draft = UpdatePageFactory(parent=updates_index, title="Chapter 4", series=series, chapter=4)
    draft.unpublish()
    content = client.get(chapters[2].url).content.decode()
    assert "Next chapter coming soon." in content
    assert "Chapter 4" not in content
    series.is_complete = True
    series.save()
    assert "Next chapter coming soon." not in client.get(chapters[2].url).content.decode()


def test_russian_chapter_names_its_series_in_russian(client, series_chapters, updates_index):
    """Readers of a Russian chapter see the series' Russian title in the kicker, the
    chapter list and the structured data; without one, the English title marked as
    English for screen readers."""
    from wagtail.models import Locale

    from vigil.news.models import SeriesTranslation

    series, chapters = series_chapters
    russian = Locale.objects.get_or_create(language_code="ru")[0]
    updates_index.copy_for_translation(russian, copy_parents=True).save_revision().publish()
    chapter_ru = chapters[1].copy_for_translation(russian)
    chapter_ru.title = "Глава вторая"
    chapter_ru.save_revision().publish()
    untranslated = client.get(chapter_ru.url).content.decode()
    assert '<h2 lang="en">Closed justice</h2>' in untranslated
    SeriesTranslation.objects.create(series=series, language="ru", title="Закрытое правосудие")
    content = client.get(chapter_ru.url).content.decode()
    assert "<h2>Закрытое правосудие</h2>" in content
    assert '"name": "Закрытое правосудие"' in content
    assert "Closed justice" not in content
    assert "Closed justice, chapter 2" in client.get(chapters[1].url).content.decode()


def test_related_updates_share_tags(client, updates_index):
    main = UpdatePageFactory(parent=updates_index, title="Main")
    friend = UpdatePageFactory(parent=updates_index, title="Shares a tag")
    UpdatePageFactory(parent=updates_index, title="Stranger")
    for page in (main, friend):
        page.tags.add("Health")
        page.save_revision().publish()
    response = client.get(main.url)
    assert [u.title for u in response.context["related_updates"]] == ["Shares a tag"]


@pytest.mark.parametrize(
    ("fields", "field_in_error"),
    [
        ({"chapter": 2}, "series"),
        ({"series": "make"}, "chapter"),
        ({"updated_at": timezone.make_aware(dt.datetime(2021, 1, 1))}, "updated_at"),
    ],
)
def test_editors_get_clear_errors_for_inconsistent_fields(updates_index, fields, field_in_error):
    """Chapter without series, series without chapter, change dated before publication."""
    update = UpdatePageFactory.build(
        title="Check", slug="check", date=timezone.make_aware(dt.datetime(2022, 1, 1))
    )
    if fields.get("series") == "make":
        fields = {"series": SeriesFactory()}
    for name, value in fields.items():
        setattr(update, name, value)
    update.path, update.depth = "00010001", 2  # clean() needs a tree position
    with pytest.raises(ValidationError) as error:
        update.full_clean(exclude=["path", "depth", "content_type"])
    assert field_in_error in error.value.message_dict


def test_days_token_in_body_shows_the_featured_case_count(client, home, updates_index):
    """Editors type [[days]] and readers see today's day count of the case in the banner."""
    from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory

    case = CasePageFactory(parent=CaseIndexPageFactory(parent=home))
    home.featured_case = case
    home.save_revision().publish()
    update = UpdatePageFactory(
        parent=updates_index,
        body=[{"type": "paragraph", "value": "<p>He has now been held for [[days]].</p>"}],
    )
    content = client.get(update.url).content.decode()
    assert "[[days]]" not in content
    assert f'class="day-count__number">{case.days_detained():,}</strong>' in content


def test_a_reference_can_point_at_a_library_document(client, updates_index, settings, tmp_path):
    """A source kept in the library is linked from the reference list."""
    from django.core.files.base import ContentFile
    from fpdf import FPDF

    from vigil.library.models import LibraryDocument

    settings.MEDIA_ROOT = tmp_path
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Opinion No. 57/2022")
    document = LibraryDocument(title="Opinion No. 57/2022")
    document.file.save("opinion.pdf", ContentFile(bytes(pdf.output())), save=False)
    document.save()
    update = UpdatePageFactory(
        parent=updates_index,
        body=[{"type": "paragraph", "value": "<p>The opinion [1].</p>"}],
    )
    references_add(update, {"title": "Opinion", "publisher": "UN WGAD", "document": document})
    content = client.get(update.url).content.decode()
    assert f'<a href="{document.url}">Copy in our library</a>' in content


def test_related_updates_read_once_for_the_whole_site_match_the_query(updates_index):
    """Rendering the whole site, related updates come from one load per language and one
    ranking per set of tags, and are what the query gives each update alone: most tags
    shared, then newest; never the update itself, even when it ranks among the best."""
    from vigil.core.snapshot import snapshot_reads
    from vigil.news import services

    tag_sets = [
        ("Health",),
        ("Health", "Court"),
        ("Court",),
        ("Health", "Court", "UN"),
        ("UN",),
        ("Health",),
        ("Health", "Court"),
        ("Court", "UN"),
        ("Health",),
        ("Health", "Court", "UN"),
        (),
    ]
    updates = []
    for tags in tag_sets:
        update = UpdatePageFactory(parent=updates_index)
        update.tags.add(*tags)
        update.save_revision().publish()
        updates.append(update)
    # Two at the same moment: the id breaks the tie, as in the query.
    type(updates[0]).objects.filter(pk__in=[updates[0].pk, updates[5].pk]).update(
        date=updates[0].date
    )

    def related_titles(update) -> list[str]:
        update.refresh_from_db()
        tags = services.update_tags(update=update)
        return [
            u.title for u in services.update_neighbours(update=update, tags=tags)["related_updates"]
        ]

    alone = {update.pk: related_titles(update) for update in updates}
    with snapshot_reads(whole_site=True):
        together = {update.pk: related_titles(update) for update in updates}
    assert together == alone
    assert alone[updates[3].pk][:2] == [updates[9].title, updates[7].title]
    assert all(update.title not in alone[update.pk] for update in updates)
    assert alone[updates[10].pk] == []


@pytest.mark.parametrize(("language", "expected"), [("en", None), ("ru", "Здоровье")])
def test_tags_of_an_unsaved_update_have_their_local_names(updates_index, language, expected):
    """A preview holds an update's tags in memory, not in a queryset: they still get the
    editors' name in the reader's language (the preview used to fail on it)."""
    from django.utils import translation
    from taggit.models import Tag

    from vigil.news import services
    from vigil.news.models import TagTranslation

    health = Tag.objects.create(name="Health", slug="health")
    TagTranslation.objects.create(tag=health, language="ru", name="Здоровье")
    update = UpdatePageFactory(parent=updates_index)
    update.tags.add(health)  # in memory, as the preview's copy of the page holds them
    with translation.override(language):
        tags = services.update_tags(update=update)
    assert [(tag.name, tag.local_name) for tag in tags] == [("Health", expected)]
