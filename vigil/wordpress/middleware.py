from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect

from .services import query_redirect_find


class WordPressQueryRedirectMiddleware:
    """Answer old `/?p=123` links with their redirect before the home page serves them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.GET:
            redirect = query_redirect_find(request=request)
            if redirect is not None:
                response_class = (
                    HttpResponsePermanentRedirect if redirect.is_permanent else HttpResponseRedirect
                )
                return response_class(redirect.link)
        return self.get_response(request)
