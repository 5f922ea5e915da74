from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect

from .services import query_redirect_find, resized_upload_redirect_find


def _response(redirect):
    response_class = (
        HttpResponsePermanentRedirect if redirect.is_permanent else HttpResponseRedirect
    )
    return response_class(redirect.link)


class WordPressQueryRedirectMiddleware:
    """Answer old `/?p=123` links with their redirect before the home page serves them,
    and old links to WordPress's resized copies of an image with the image's redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.GET:
            redirect = query_redirect_find(request=request)
            if redirect is not None:
                return _response(redirect)
        response = self.get_response(request)
        if response.status_code == 404:
            redirect = resized_upload_redirect_find(request=request)
            if redirect is not None:
                return _response(redirect)
        return response
