"""Where an editor goes after the password and the second factor: the address they
asked for, never a file the admin's pages load for themselves."""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

# What the admin's pages load for themselves, the 2FA pages included: the icon sprite
# (fetched by script and put into the page) and the JavaScript translations. Wagtail
# serves them to anyone.
ASSET_URL_NAMES = ("wagtailadmin_sprite", "wagtailadmin_javascript_catalog")


def is_asset(url: str) -> bool:
    """Whether `url` is a file a page loads (static, media, the sprite, the translations)
    rather than a page to land on."""
    path = urlsplit(url).path
    if path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name in ASSET_URL_NAMES
