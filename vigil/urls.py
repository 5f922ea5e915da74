from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from vigil.accounts.password_reset import PasswordResetView
from vigil.accounts.views import SignInView
from vigil.cases.exports import case_export_urlpatterns
from vigil.core import views as core_views
from vigil.core.sitemaps import sitemap
from vigil.images import views as image_views
from vigil.library import views as library_views
from vigil.mirror import views as mirror_views
from vigil.search import views as search_views
from vigil.sharing import views as sharing_views

handler404 = "vigil.core.views.page_not_found"
handler500 = "vigil.core.views.server_error"

urlpatterns = [
    # Wagtail's sign-in, rate-limited and audit-logged; every other admin URL is Wagtail's.
    path("admin/login/", SignInView.as_view(), name="wagtailadmin_login"),
    path("admin/password_reset/", PasswordResetView.as_view(), name="wagtailadmin_password_reset"),
    path("admin/", include(wagtailadmin_urls)),
    # Before Wagtail's, which answers the same addresses (and names them for reverse()).
    re_path(r"^documents/(\d+)/(.*)$", library_views.document_serve),
    path("documents/", include(wagtaildocs_urls)),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    # A page's share image: its id names its language, so no language prefix.
    path("share/<int:page_id>/<str:day>.png", sharing_views.share_image, name="share_image"),
]

if settings.SERVE_MEDIA:
    # Renditions only: originals and documents (served above, privacy checked) are 404.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", image_views.media_serve)]

urlpatterns += i18n_patterns(
    path("sitemap.xml", sitemap, name="sitemap"),
    path("search/", search_views.search, name="search"),
    path("mirrors/", mirror_views.mirrors, name="mirrors"),
    path("act/", include("vigil.actions.urls")),
    *case_export_urlpatterns(),
    path("", include("vigil.partners.urls")),
    path("", include("vigil.press.urls")),
    # Wagtail's page view, routed in fewer queries; reverse("wagtail_serve") still names
    # Wagtail's own pattern, which is the same.
    re_path(r"^((?:[\w\-]+/)*)$", core_views.serve),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
