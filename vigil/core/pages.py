"""Behaviour shared by every page type (a mixin without fields: no migration)."""

import functools

from django.conf import settings
from django.utils.translation import get_language

from .services import page_view_restrictions
from .snapshot import snapshot_active, snapshot_memo


class PageMixin:
    """Put first in the bases of every page type."""

    # Set by code that loaded many pages and knows none of them is restricted (the
    # mirror's export): their restrictions are then known without a query.
    known_unrestricted = False
    # What menus call an untranslated copy of a page of this type (a Wagtail alias, which
    # shows the English text), in the reader's language. None: menus leave such a copy out
    # rather than show an English title among translated ones.
    untranslated_menu_title = None

    @property
    def menu_title(self) -> str:
        """The page's name in menus and footers, in the reader's language, or ''."""
        if self.alias_of_id is None or get_language() == settings.LANGUAGE_CODE:
            return self.title
        return str(self.untranslated_menu_title or "")

    @property
    def preview_text(self) -> str:
        """The summary or introduction of the page types that have one, for the page's
        description and link previews (base.html); empty for the others. Updates give
        their teaser (UpdatePage.teaser)."""
        return getattr(self, "summary", "") or getattr(self, "intro", "")

    def get_view_restrictions(self):
        if self.known_unrestricted:
            from wagtail.models import PageViewRestriction

            restrictions = PageViewRestriction.objects.none()
            # Known to be empty: Wagtail iterates it before serving each page, and an
            # empty queryset still goes through the query compiler to find that out.
            restrictions._result_cache = []
            return restrictions
        # Asked by Wagtail before serving each page: one query, not two or more.
        return page_view_restrictions(page=self)

    def get_url_parts(self, request=None):
        if not snapshot_active():
            return super().get_url_parts(request)
        # Rendering the whole site: a page's address is worked out once, not again for
        # every menu, card and link that shows it. Wagtail gives a page its own language's
        # address whatever language is active, unless the active one is a variant of a
        # content language (en-gb of en): only then is it part of the key.
        language = get_language()
        variant = None if language in _content_languages() else language
        return snapshot_memo(
            ("url-parts", self.pk, variant),
            lambda: super(PageMixin, self).get_url_parts(request),
        )


@functools.cache
def _content_languages() -> frozenset[str]:
    return frozenset(code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES)
