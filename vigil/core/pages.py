"""Behaviour shared by every page type (a mixin without fields: no migration)."""

from .services import page_view_restrictions


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
