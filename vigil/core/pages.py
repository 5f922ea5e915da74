"""Behaviour shared by every page type (a mixin without fields: no migration)."""

from django.utils.translation import get_language

from .services import page_view_restrictions
from .snapshot import snapshot_active, snapshot_memo


class PageMixin:
    """Put first in the bases of every page type."""

    # Set by code that loaded many pages and knows none of them is restricted (the
    # mirror's export): their restrictions are then known without a query.
    known_unrestricted = False

    def get_view_restrictions(self):
        if self.known_unrestricted:
            from wagtail.models import PageViewRestriction

            return PageViewRestriction.objects.none()
        # Asked by Wagtail before serving each page: one query, not two or more.
        return page_view_restrictions(page=self)

    def get_url_parts(self, request=None):
        if not snapshot_active():
            return super().get_url_parts(request)
        # Rendering the whole site: a page's address is worked out once, not again for
        # every menu, card and link that shows it.
        return snapshot_memo(
            ("url-parts", self.pk, get_language()),
            lambda: super(PageMixin, self).get_url_parts(request),
        )
