"""Queries behind the updates list, the home page, feeds and an update's neighbours."""

import re
from collections import Counter

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag
from wagtail.models import Page

from vigil.core.services import pages_public
from vigil.core.snapshot import snapshot_memo, snapshot_whole_site

RELATED_COUNT = 3
_SLUG = re.compile(r"[-\w]{1,100}")


def _update_model():
    from .models import UpdatePage

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
    per derived list.
    """
    return pages_public(
        _update_model().objects.live().child_of(index).defer_streamfields().order_by("-date", "-pk")
    )


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


def _tag_members() -> dict[int, set[int]]:
    """The ids of the updates (in every language) that carry each tag, by tag id, loaded
    once while the whole site is rendered."""

    def load():
        members: dict[int, set[int]] = {}
        rows = _update_model().tagged_items.rel.related_model.objects.values_list(
            "tag_id", "content_object_id"
        )
        for tag_id, page_id in rows:
            members.setdefault(tag_id, set()).add(page_id)
        return members

    return snapshot_memo(("update-tag-members",), load)


def update_pinned(*, index: Page, visible):
    """The pinned update when it is live and public, else None."""
    if not index.pinned_update_id:
        return None
    return visible.filter(pk=index.pinned_update_id).first()


def updates_for_home(*, home: Page, limit: int) -> dict:
    """The updates index under `home`, its pinned update and the latest others."""
    from .models import UpdateIndexPage

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
        from .models import TagTranslation, UpdatePageTag

        names = {}
        if language != settings.LANGUAGE_CODE:
            names = dict(
                TagTranslation.objects.filter(language=language)
                .order_by("-pk")
                .values_list("tag_id", "name")
            )
        tags: dict[int, Tag] = {}
        by_page: dict[int, list[Tag]] = {}
        for item in UpdatePageTag.objects.select_related("tag").order_by("pk"):
            tag = tags.setdefault(item.tag_id, item.tag)
            if language != settings.LANGUAGE_CODE:
                tag.local_name = names.get(tag.pk)
            by_page.setdefault(item.content_object_id, []).append(tag)
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
    """Tags with `local_name`, their name in the active language if editors gave one.

    A subquery in the same query: translated names cost no extra query.
    """
    from .models import TagTranslation

    language = get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return tags
    names = TagTranslation.objects.filter(tag=OuterRef("pk"), language=language)
    return tags.annotate(local_name=Subquery(names.values("name")[:1]))


def years_in_use(*, visible) -> list[int]:
    """Years that have at least one of the `visible` updates, newest first."""
    return [d.year for d in visible.dates("date", "year", order="DESC")]


def update_neighbours(*, update, tags: list[Tag]) -> dict:
    """Previous and next chapters of its series, and related updates by shared tags.

    Only pages in the update's own language: each language has its copy of every update.
    """
    context = {"previous_chapter": None, "next_chapter": None, "next_coming_soon": False}
    UpdatePage = _update_model()
    if update.series_id and update.chapter:
        chapters = list(
            pages_public(UpdatePage.objects.live())
            .filter(series_id=update.series_id, chapter__isnull=False, locale_id=update.locale_id)
            .select_related("series")
            .defer_streamfields()
            .order_by("chapter", "date")
        )
        if chapters:
            update.series = chapters[0].series  # saves the template a query
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
    every update of the language, loaded once while the whole site is rendered."""

    def load():
        updates = pages_public(_update_model().objects.live()).filter(locale_id=update.locale_id)
        return {u.pk: u for u in updates.defer_streamfields()}

    updates = snapshot_memo(("updates-of-language", update.locale_id), load)
    members = _tag_members()
    shared = Counter(pk for tag_id in tag_ids for pk in members.get(tag_id, ()) if pk in updates)
    shared.pop(update.pk, None)
    scored = sorted(((count, updates[pk].date, pk) for pk, count in shared.items()), reverse=True)
    return [updates[pk] for _count, _date, pk in scored[:RELATED_COUNT]]


def update_structured_data(*, update, request, tags: list[Tag]) -> dict:
    """schema.org NewsArticle for search engines and link previews."""
    from vigil.core.models import CampaignSettings

    campaign = CampaignSettings.for_request(request)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": update.title,
        "description": update.summary,
        "datePublished": update.date.isoformat(),
        "dateModified": (update.updated_at or update.date).isoformat(),
        "mainEntityOfPage": update.get_full_url(request),
        "publisher": {"@type": "Organization", "name": campaign.campaign_name},
        "keywords": [tag.name for tag in tags],
    }
    if update.author:
        data["author"] = {"@type": "Organization", "name": update.author}
    if update.series_id:
        data["isPartOf"] = {"@type": "CreativeWorkSeries", "name": update.series.title}
    return data
