"""The editors' report of pages left to translate."""

from collections import Counter

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.admin.auth import require_admin_access

from . import services


@require_admin_access
def translations_report(request):
    language = request.GET.get("language") or None
    names = dict(settings.LANGUAGES)
    if language is not None and (language not in names or language == settings.LANGUAGE_CODE):
        language = None
    gaps = services.translation_gaps(language=language)
    counts = Counter((gap.language, gap.state) for gap in gaps)
    summary = [
        {
            "code": code,
            "name": name,
            "missing": counts[(code, services.MISSING)],
            "outdated": counts[(code, services.OUTDATED)],
        }
        for code, name in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE
    ]
    title = _("Translations to do")
    return TemplateResponse(
        request,
        "languages/translations_report.html",
        {
            "page_title": title,
            "header_title": title,
            "header_icon": "globe",
            "gaps": gaps,
            "summary": summary,
            "language": language,
            "names": names,
        },
    )
