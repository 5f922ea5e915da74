"""One sitemap per language: /sitemap.xml (English), /ru/sitemap.xml, /kk/sitemap.xml."""

from django.contrib.sitemaps import views as sitemap_views
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap

from .services import site_root_localized


class LanguageSitemap(Sitemap):
    """The pages of the reader's language: its translations, never untranslated copies.

    An untranslated copy shows the English page and names it as canonical, so only
    the English one is listed.
    """

    def items(self):
        return (
            site_root_localized(site=self.get_wagtail_site())
            .get_descendants(inclusive=True)
            .live()
            .public()
            .filter(alias_of__isnull=True)
            .order_by("path")
            .defer_streamfields()
            .specific()
        )


def sitemap(request):
    return sitemap_views.sitemap(request, {"pages": LanguageSitemap(request)})
