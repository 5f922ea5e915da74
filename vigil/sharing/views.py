import datetime as dt

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from . import services

# The address changes every day, so a day's image may be kept by browsers, proxies and
# platforms for as long as the day lasts.
MAX_AGE = 24 * 3600


@require_safe
def share_image(request, page_id: int, day: str):
    """A page's share image for `day`, which must be today where the case's person is
    held: an earlier day's address (a page cached before midnight) is sent on to
    today's, and a later day is not found, so nobody can have images drawn ahead.
    """
    try:
        asked = dt.date.fromisoformat(day)
    except ValueError as error:
        raise Http404 from error
    page = services.share_page_find(page_id=page_id)
    if page is None:
        raise Http404
    # The page's own language: its translations are pages of their own.
    with translation.override(page.locale.language_code):
        card = services.share_card_build(page=page, request=request)
        if asked > card.day:
            raise Http404
        if asked < card.day:
            response = HttpResponseRedirect(
                services.share_image_url(request=None, page_id=page.pk, day=card.day)
            )
            patch_cache_control(response, public=True, max_age=300)
            return response
        png = services.share_image_get(card=card)
    response = HttpResponse(png, content_type=services.CONTENT_TYPE)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
