"""RSS 2.0 and Atom feeds of updates, site-wide and per tag."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigil.core.models import CampaignSettings

from .services import updates_filter, updates_visible

FEED_LENGTH = 20


class _DatedWhenEmpty:
    """A feed with no entry is dated by its listing page, not by the moment it is asked
    for (Django's default): the mirror's copy must equal the live answer, and a reader's
    client must not see an empty feed change on every visit. A tag may have no entry in
    a language whose updates are all untranslated."""

    def latest_post_date(self):
        empty_updated = self.feed.get("empty_updated")
        if not self.items and empty_updated is not None:
            return empty_updated
        return super().latest_post_date()


class _RssFeed(_DatedWhenEmpty, Rss201rev2Feed):
    pass


class _AtomFeed(_DatedWhenEmpty, Atom1Feed):
    pass


class UpdatesRssFeed(Feed):
    feed_type = _RssFeed

    def get_object(self, request, index, tag=None):
        self.request = request
        self.settings = CampaignSettings.for_request(request)
        # The campaign's name and tagline are written in the default language; a feed
        # in another language is named by its home page's title, as its pages are.
        language = get_language() or settings.LANGUAGE_CODE
        self.in_default_language = language == settings.LANGUAGE_CODE
        self.campaign = (
            self.settings.campaign_name if self.in_default_language else index.get_parent().title
        )
        return {"index": index, "tag": tag}

    def title(self, obj):
        if obj["tag"]:
            return _("%(campaign)s: updates tagged “%(tag)s”") % {
                "campaign": self.campaign,
                "tag": getattr(obj["tag"], "local_name", None) or obj["tag"].name,
            }
        return _("%(campaign)s: latest updates") % {"campaign": self.campaign}

    def link(self, obj):
        url = obj["index"].get_url(self.request)
        if obj["tag"]:
            url += obj["index"].reverse_subpage("by_tag", kwargs={"tag": obj["tag"].slug})
        return url

    def description(self, obj):
        if self.in_default_language and self.settings.tagline:
            return self.settings.tagline
        return obj["index"].intro or obj["index"].title

    def feed_url(self, obj):
        return self.request.path

    def feed_extra_kwargs(self, obj):
        index = obj["index"]
        return {"empty_updated": index.last_published_at or index.latest_revision_created_at}

    def items(self, obj):
        visible = updates_visible(index=obj["index"])
        # Untranslated updates are English copies (aliases): a feed is in one language.
        translated = visible.filter(alias_of__isnull=True)
        return updates_filter(translated, tag=obj["tag"])[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # RSS descriptions and Atom summaries (type="html") are HTML to feed readers;
        # the teaser is plain text, so `<` in it must stay text, never markup.
        return escape(item.teaser)

    def item_link(self, item):
        return item.get_url(self.request)

    def item_guid(self, item):
        return item.get_full_url(self.request)

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.date

    def item_updateddate(self, item):
        return item.updated_at or item.date

    def item_author_name(self, item):
        return item.author or None


class UpdatesAtomFeed(UpdatesRssFeed):
    feed_type = _AtomFeed
    subtitle = UpdatesRssFeed.description
