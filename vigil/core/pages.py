"""Behaviour shared by every page type (a mixin without fields: no migration)."""

from .services import page_view_restrictions


class PageMixin:
    """Put first in the bases of every page type."""

    def get_view_restrictions(self):
        # Asked by Wagtail before serving each page: one query, not two or more.
        return page_view_restrictions(page=self)
