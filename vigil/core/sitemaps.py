"""One sitemap per language: /sitemap.xml (English), /ru/sitemap.xml, /kk/sitemap.xml."""

from xml.sax.saxutils import escape

from django.contrib.sitemaps.views import x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap

from vigil.core.dependencies import depend

from .services import language_prefix, pages_public, site_root_localised


class LanguageSitemap(Sitemap):
    """The pages of the reader's language: its translations, never untranslated copies.

    An untranslated copy shows the English page and names it as canonical, so only
    the English one is listed.
    """

    def items(self):
        # Lists every page: any publish, unpublish, move or delete changes it.
        depend("pages:all")
        return (
            pages_public(self._root().get_descendants(inclusive=True).live())
            .filter(alias_of__isnull=True)
            .order_by("path")
        )

    def _root(self):
        # Asked for by items() and again for the URLs: looked up once.
        if not hasattr(self, "_root_page"):
            self._root_page = site_root_localised(site=self.get_wagtail_site())
        return self._root_page

    def _urls(self, page, protocol, domain):
        """Each page's URL from its path, without loading it as a model: loading 1,000
        pages to ask each for its URL was most of the sitemap's time. Page types that
        list more URLs (listings, the library) are loaded and asked."""
        from django.contrib.contenttypes.models import ContentType
        from wagtail.models import Page

        site = self.get_wagtail_site()
        root = self._root()
        language = root.locale.language_code
        base = site.root_url + language_prefix(language=language) + "/"
        rows = self.items().values(
            "pk", "url_path", "content_type_id", "last_published_at", "latest_revision_created_at"
        )
        own = {
            content_type.pk
            for content_type in ContentType.objects.filter(
                pk__in={row["content_type_id"] for row in rows}
            )
            if (model := content_type.model_class()) is not None
            and model.get_sitemap_urls is not Page.get_sitemap_urls
        }
        special = {
            page.pk: page
            for page in Page.objects.filter(
                pk__in=[row["pk"] for row in rows if row["content_type_id"] in own]
            ).specific()
        }
        urls = []
        for row in rows:
            if row["pk"] in special:
                urls += special[row["pk"]].get_sitemap_urls(self.request)
            else:
                urls.append(
                    {
                        "location": base + row["url_path"][len(root.url_path) :],
                        "lastmod": row["last_published_at"] or row["latest_revision_created_at"],
                    }
                )
        last_mods = {url.get("lastmod") for url in urls}
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls


@x_robots_tag
def sitemap(request):
    """The sitemap XML written directly: Django's template took 170 ms for 1,000 pages,
    most of it in template variable lookups (measured with cProfile)."""
    pages = LanguageSitemap(request)
    urls = pages.get_urls(site=get_current_site(request), protocol=request.scheme)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    for url in urls:
        out.append(f"<url><loc>{escape(url['location'])}</loc>")
        lastmod = url.get("lastmod")
        if lastmod:
            if hasattr(lastmod, "tzinfo") and timezone.is_aware(lastmod):
                lastmod = timezone.localtime(lastmod)
            out.append(f"<lastmod>{lastmod:%Y-%m-%d}</lastmod>")
        if url.get("changefreq"):
            out.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
        if url.get("priority"):
            out.append(f"<priority>{url['priority']}</priority>")
        out.append("</url>\n")
    out.append("</urlset>\n")
    response = HttpResponse("".join(out), content_type="application/xml")
    latest = getattr(pages, "latest_lastmod", None)
    if latest:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response
