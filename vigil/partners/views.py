"""The partners' widgets (SVG images, a JSON summary) and the page with the code to paste.

Other sites show the widgets as <img> and read the JSON with fetch(), so these
responses allow every origin (CORS, Cross-Origin-Resource-Policy) and may be kept by
browsers and proxies for a day: the day count changes once a day.

The page cache (vigil/pagecache/wsgi.py) passes an answer with a browser lifetime of its
own without storing it, so the day-long header below reaches the partner's readers and
their CDNs (the CacheHeadersMiddleware keeps a Cache-Control a view set).
"""

import datetime as dt

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext

from . import services

WIDGET_WIDTH = 300
WIDGET_HEIGHT = 100
# An SVG shown as an image runs nothing anyway; opened on its own, it may load nothing.
WIDGET_CSP = "default-src 'none'; frame-ancestors 'none'"
DAY = 86400


def _widget_headers(response):
    response["Cache-Control"] = f"public, max-age={DAY}"
    response["Access-Control-Allow-Origin"] = "*"
    # Set here, so CrossOriginResourcePolicyMiddleware's same-origin (setdefault) yields.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    # Set here, so django-csp leaves it (it writes its policy only where none is).
    response["Content-Security-Policy"] = WIDGET_CSP
    return response


def _facts(request) -> services.CampaignFacts:
    facts = services.campaign_facts_read(request=request)
    if facts is None:
        raise Http404
    return facts


def _title(*, heading: str, figure: str) -> str:
    # The same words as the image's lines, for screen readers (<title>, the <img> alt).
    return pgettext("a widget's text: who or what, then its figure", "%(heading)s — %(figure)s") % {
        "heading": heading,
        "figure": figure,
    }


def _days_widget(facts) -> dict:
    count, since = services.days_lines(facts=facts)
    name = facts.case.display_name
    figure = pgettext("a day count, then since when", "%(count)s %(since)s") % {
        "count": count,
        "since": since,
    }
    return {"lines": [name, count, since], "title": _title(heading=name, figure=figure)}


def _petition_widget(facts) -> dict:
    if facts.petition is None:
        raise Http404
    line = services.petition_line(facts=facts)
    heading = facts.petition.title
    return {"lines": [heading, line], "title": _title(heading=heading, figure=line)}


# (baseline, font size, weight) of each line: a heading, the figure, what it counts.
LINE_STYLES = [(28, 15, "normal"), (62, 26, "bold"), (86, 12, "normal")]


def _svg(request, widget: dict):
    lines = [
        {"text": text, "y": y, "size": size, "weight": weight}
        for text, (y, size, weight) in zip(widget["lines"], LINE_STYLES, strict=False)
    ]
    context = {**widget, "lines": lines, "width": WIDGET_WIDTH, "height": WIDGET_HEIGHT}
    response = render(request, "partners/widget.svg", context, content_type="image/svg+xml")
    return _widget_headers(response)


def days_svg(request):
    return _svg(request, _days_widget(_facts(request)))


def petition_svg(request):
    return _svg(request, _petition_widget(_facts(request)))


def campaign_json(request):
    """The figures behind the widgets, for partners who draw their own."""
    facts = _facts(request)
    case, petition = facts.case, facts.petition
    data = {
        "name": case.display_name,
        "detained_on": case.detained_on.isoformat() if case.detained_on else None,
        "days_detained": facts.days,
        "released_on": case.released_on.isoformat() if case.released_on else None,
        "status": case.status,
        "case_url": case.get_full_url(request),
        "petition": None,
        "language": get_language(),
        "as_of": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
    }
    if petition is not None:
        data["petition"] = {
            "url": petition.get_full_url(request),
            "total": facts.total,
            "goal": facts.goal,
        }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return _widget_headers(response)


def _snippet(request, *, facts, kind: str) -> str:
    """The HTML a partner pastes, in the active language."""
    if kind == "days":
        widget, link = _days_widget(facts), facts.case.get_full_url(request)
    else:
        widget, link = _petition_widget(facts), facts.petition.get_full_url(request)
    src = request.build_absolute_uri(reverse(f"partners:{kind}_svg"))
    context = {
        "link": link,
        "src": src,
        "alt": widget["title"],
        "width": WIDGET_WIDTH,
        "height": WIDGET_HEIGHT,
    }
    # The template escaped every value; strip() would drop the mark that says so.
    return mark_safe(render_to_string("partners/snippet.html", context).strip())


def _language_widgets(request, code: str) -> dict | None:
    with translation.override(code):
        facts = services.campaign_facts_read(request=request)
        if facts is None:
            return None
        kinds = ["days"] + (["petition"] if facts.petition is not None else [])
        return {
            "code": code,
            "snippets": [_snippet(request, facts=facts, kind=kind) for kind in kinds],
            "json_url": request.build_absolute_uri(reverse("partners:campaign_json")),
        }


def partners(request):
    """Every widget rendered, with the code to paste, in each of the site's languages."""
    languages = [_language_widgets(request, code) for code, _name in settings.LANGUAGES]
    return render(
        request,
        "partners/partners.html",
        {"languages": [item for item in languages if item is not None]},
    )
