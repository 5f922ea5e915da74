"""Queries behind the updates list, the home page, feeds and an update's neighbours."""

import copy
import heapq
import re
from collections import Counter

from django.conf import settings
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag
from wagtail.models import Page

from vigil.core.models import CampaignSettings
from vigil.core.services import pages_public
from vigil.core.snapshot import snapshot_memo, snapshot_whole_site

RELATED_COUNT = 3
_SLUG = re.compile(r"[-\w]{1,100}")


def _update_model():
    from .models import UpdatePage  # circle: news.models imports services

    return UpdatePage


def tag_get(*, slug: str) -> Tag:
    """The tag with this slug, or a 404 naming the problem."""
    # Anything but a slug (NUL bytes among it) never reaches the database.
    tag = (
        tags_with_local_names(Tag.objects.filter(slug=slug)).first()
        if _SLUG.fullmatch(slug or "")
        else None
    )
    if tag is None:
        raise Http404(_("There is no such tag."))
    return tag


def updates_visible(*, index: Page):
    """Live, public updates under `index`, newest first, without their bodies.

    Derive every other listing query from this one: Wagtail's `public()` looks
    up view restrictions when it is called, so calling it once saves a query
    per derived list. Rendering many pages (snapshot_reads), the queryset is built once
    per index: building it costs more than many of the queries derived from it.
    """

    def build():
        updates = _update_model().objects.live().child_of(index)
        return pages_public(updates.defer_streamfields().order_by("-date", "-pk"))

    return snapshot_memo(("updates-visible", index.pk), build)


def updates_filter(updates, *, tag: Tag | None = None, year: int | None = None):
    if tag is not None:
        updates = updates.filter(tags=tag)
    if year is not None:
        updates = updates.filter(date__year=year)
    return updates


def updates_listed(*, index: Page, visible, tag: Tag | None, year: int | None, pinned=None):
    """The updates a listing shows, newest first, without the pinned one.

    A queryset; while the whole site is rendered (snapshot_reads), a list picked from
    the index's updates, which are loaded once for every page of every listing.
    """
    if not snapshot_whole_site():
        updates = updates_filter(visible, tag=tag, year=year)
        return updates.exclude(pk=pinned.pk) if pinned else updates

    def pick():
        every = snapshot_memo(("updates-of-index", index.pk), lambda: list(visible))
        tagged = _tag_members().get(tag.pk, set()) if tag else None
        # As the query's `date__year`: the year in the active time zone.
        return [
            u
            for u in every
            if (tagged is None or u.pk in tagged)
            and (year is None or (u.date and timezone.localtime(u.date).year == year))
            and (pinned is None or u.pk != pinned.pk)
        ]

    key = ("updates-listed", index.pk, tag and tag.pk, year, pinned and pinned.pk)
    return snapshot_memo(key, pick)


def _tag_rows() -> list[tuple[int, int]]:
    """(update id, tag id) of every tag on every update, in every language, loaded once
    while the whole site is rendered."""
    from .models import UpdatePageTag  # circle: news.models imports services

    rows = UpdatePageTag.objects.order_by("pk").values_list("content_object_id", "tag_id")
    return snapshot_memo(("update-tag-rows",), lambda: list(rows))


def _tag_members() -> dict[int, set[int]]:
    """The ids of the updates (in every language) that carry each tag, by tag id."""

    def load():
        members: dict[int, set[int]] = {}
        for page_id, tag_id in _tag_rows():
            members.setdefault(tag_id, set()).add(page_id)
        return members

    return snapshot_memo(("update-tag-members",), load)


def update_pinned(*, index: Page, visible):
    """The pinned update, in the index's language, when it is live and public, else None.

    A translated index keeps the pinned page of the original it was copied from (an
    English update): its translation among `visible` is the one shown.
    """
    if not index.pinned_update_id:
        return None
    pinned_key = Page.objects.filter(pk=index.pinned_update_id).values("translation_key")
    return visible.filter(Q(pk=index.pinned_update_id) | Q(translation_key__in=pinned_key)).first()


def updates_for_home(*, home: Page, limit: int) -> dict:
    """The updates index under `home`, its pinned update and the latest others."""
    from .models import UpdateIndexPage  # circle: news.models imports services

    index = UpdateIndexPage.objects.live().child_of(home).first()
    if index is None:
        return {"updates_index": None, "pinned": None, "latest_updates": []}
    latest = updates_visible(index=index)
    pinned = update_pinned(index=index, visible=latest)
    if pinned:
        latest = latest.exclude(pk=pinned.pk)
    return {"updates_index": index, "pinned": pinned, "latest_updates": list(latest[:limit])}


def update_tags(*, update) -> list[Tag]:
    """An update's tags, with `local_name` in another language (tags_with_local_names).

    Rendering the whole site (snapshot_reads), every update's are loaded at once.
    """
    if not snapshot_whole_site():
        return list(tags_with_local_names(update.tags.all()))
    language = get_language() or settings.LANGUAGE_CODE

    def load():
        from .models import TagTranslation  # circle: news.models imports services

        # Which update has which tag is read once; each language has tag objects of its
        # own, since they carry its names.
        rows = _tag_rows()
        tags = snapshot_memo(
            ("update-tag-objects",),
            lambda: {tag.pk: tag for tag in Tag.objects.filter(pk__in={t for _p, t in rows})},
        )
        names = {}
        if language != settings.LANGUAGE_CODE:
            names = dict(
                TagTranslation.objects.filter(language=language)
                .order_by("-pk")
                .values_list("tag_id", "name")
            )
        local = {}
        for pk, tag in tags.items():
            local[pk] = copy.copy(tag)
            local[pk].local_name = names.get(pk)
        by_page: dict[int, list[Tag]] = {}
        for page_id, tag_id in rows:
            by_page.setdefault(page_id, []).append(local[tag_id])
        return by_page

    return list(snapshot_memo(("update-tags", language), load).get(update.pk, []))


def tags_in_use(*, visible) -> list[Tag]:
    """Tags on the `visible` updates, with `update_count`, by name."""
    shown = Q(news_updatepagetag_items__content_object__in=visible.order_by().values("pk"))
    return list(
        tags_with_local_names(Tag.objects.filter(shown))
        .annotate(update_count=Count("news_updatepagetag_items", filter=shown, distinct=True))
        .order_by("name")
    )


def tags_with_local_names(tags):
    """Tags with `local_name`, their name in the active language if editors gave one
    (None in the default language: templates ask every tag for it).

    A subquery in the same query: translated names cost no extra query. An update's tags
    as an editor's preview holds them (not saved, so no queryset) become a list of tags
    with their names, in one query.
    """
    from .models import TagTranslation  # circle: news.models imports services

    language = get_language() or settings.LANGUAGE_CODE
    if not isinstance(tags, QuerySet):
        tags = list(tags)
        names = {}
        if language != settings.LANGUAGE_CODE and tags:
            translations = TagTranslation.objects.filter(
                tag__in=[tag.pk for tag in tags], language=language
            ).order_by("-pk")
            names = dict(translations.values_list("tag_id", "name"))
        for tag in tags:
            tag.local_name = names.get(tag.pk)
        return tags
    if language == settings.LANGUAGE_CODE:
        return tags.annotate(local_name=Value(None, output_field=CharField()))
    names = TagTranslation.objects.filter(tag=OuterRef("pk"), language=language)
    return tags.annotate(local_name=Subquery(names.values("name")[:1]))


def years_in_use(*, visible) -> list[int]:
    """Years that have at least one of the `visible` updates, newest first."""
    return [d.year for d in visible.dates("date", "year", order="DESC")]


def _series_title_annotate(chapters: QuerySet) -> QuerySet:
    """Each chapter with its series' title in the active language (`series_local_title`),
    None where editors have not translated it (or the language is the default)."""
    from .models import SeriesTranslation  # circle: news.models imports services

    language = get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return chapters.annotate(series_local_title=Value(None, output_field=CharField()))
    titles = SeriesTranslation.objects.filter(series_id=OuterRef("series_id"), language=language)
    return chapters.annotate(series_local_title=Subquery(titles.values("title")[:1]))


def update_neighbours(*, update, tags: list[Tag]) -> dict:
    """Previous and next chapters of its series, and related updates by shared tags.

    Only pages in the update's own language: each language has its copy of every update.
    """
    context = {"previous_chapter": None, "next_chapter": None, "next_coming_soon": False}
    UpdatePage = _update_model()
    if update.series_id and update.chapter:
        chapters = list(
            _series_title_annotate(
                pages_public(UpdatePage.objects.live())
                .filter(
                    series_id=update.series_id, chapter__isnull=False, locale_id=update.locale_id
                )
                .select_related("series")
                .defer_streamfields()
                .order_by("chapter", "date")
            )
        )
        if chapters:
            update.series = chapters[0].series  # saves the template a query
            update.series.local_title = chapters[0].series_local_title
        earlier = [c for c in chapters if c.chapter < update.chapter]
        later = [c for c in chapters if c.chapter > update.chapter]
        context["previous_chapter"] = earlier[-1] if earlier else None
        context["next_chapter"] = later[0] if later else None
        context["next_coming_soon"] = not later and not update.series.is_complete
        context["series_chapters"] = chapters
    tag_ids = [tag.pk for tag in tags]
    related = []
    if tag_ids and snapshot_whole_site():
        related = _related_in_snapshot(update=update, tag_ids=set(tag_ids))
    elif tag_ids:
        related = list(
            pages_public(UpdatePage.objects.live())
            .filter(tagged_items__tag_id__in=tag_ids, locale_id=update.locale_id)
            .exclude(pk=update.pk)
            .defer_streamfields()
            .annotate(shared=Count("tagged_items", filter=Q(tagged_items__tag_id__in=tag_ids)))
            .order_by("-shared", "-date", "-pk")[:RELATED_COUNT]
        )
    context["related_updates"] = related
    return context


def _related_in_snapshot(*, update, tag_ids: set[int]) -> list:
    """The related updates as the query in `update_neighbours` finds them, picked from
    every update of the language, loaded once while the whole site is rendered.

    The order does not depend on the update but for leaving it out, so the best
    RELATED_COUNT + 1 are worked out once for each set of tags (many updates share one).
    """

    def load():
        updates = pages_public(_update_model().objects.live()).filter(locale_id=update.locale_id)
        by_pk = {u.pk: u for u in updates.defer_streamfields()}
        # Each tag's updates in this language only: the other languages' copies of an
        # update carry the same tags.
        members = {
            tag_id: [pk for pk in pks if pk in by_pk] for tag_id, pks in _tag_members().items()
        }
        return by_pk, members

    def best():
        shared = Counter(pk for tag_id in tag_ids for pk in members.get(tag_id, ()))
        # The query's order: most tags shared, then newest, then highest id.
        return heapq.nlargest(
            RELATED_COUNT + 1, shared, key=lambda pk: (shared[pk], updates[pk].date, pk)
        )

    updates, members = snapshot_memo(("updates-of-language", update.locale_id), load)
    top = snapshot_memo(("related-by-tags", update.locale_id, frozenset(tag_ids)), best)
    return [updates[pk] for pk in top if pk != update.pk][:RELATED_COUNT]


def update_structured_data(*, update, request, tags: list[Tag]) -> dict:
    """schema.org NewsArticle for search engines and link previews."""
    campaign = CampaignSettings.for_request(request)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": update.title,
        "description": update.teaser,
        "datePublished": update.date.isoformat(),
        "dateModified": (update.updated_at or update.date).isoformat(),
        "mainEntityOfPage": update.get_full_url(request),
        "publisher": {"@type": "Organization", "name": campaign.campaign_name},
        "keywords": [tag.name for tag in tags],
    }
    if update.author:
        data["author"] = {"@type": "Organization", "name": update.author}
    if update.series_id:
        series = update.series
        data["isPartOf"] = {
            "@type": "CreativeWorkSeries",
            "name": getattr(series, "local_title", None) or series.title,
        }
    return data


def linked_updates_localise(*, holders, language: str) -> None:
    """Each holder's `.linked_updates` in that language's version where one is live (an
    English update otherwise). One query for all of them."""
    linked = [update for holder in holders for update in holder.linked_updates]
    if not linked or language == settings.LANGUAGE_CODE:
        return
    local = {
        page.translation_key: page
        for page in _update_model()
        .objects.live()
        .filter(
            translation_key__in={u.translation_key for u in linked},
            locale__language_code=language,
        )
        .defer_streamfields()
    }
    for holder in holders:
        holder.linked_updates = [local.get(u.translation_key, u) for u in holder.linked_updates]
