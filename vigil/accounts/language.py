"""The admin's door speaks the editor's language before it knows who they are."""

from django.conf import settings
from django.utils import translation

ADMIN_PREFIX = "/admin/"


class AdminDoorLanguageMiddleware:
    """On /admin/, speak the browser's language (its cookie or Accept-Language).

    Public pages take their language from the path, and /admin/ has no language
    prefix, so Django's LocaleMiddleware gives it the default, English: a Russian-
    speaking editor met the sign-in and two-factor pages in English. Wagtail then
    uses this language for every editor who has not chosen one in their account
    (`UserProfile.get_preferred_language`), and the editor's choice where they have.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        if request.path_info.startswith(ADMIN_PREFIX):
            language = translation.get_language_from_request(request, check_path=False)
            if language in self.languages:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
