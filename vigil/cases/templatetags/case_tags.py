import re

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from vigil.cases import services
from vigil.cases.models import CasePage
from vigil.cases.models.record import ChargeStatus
from vigil.core.dependencies import reads_untracked
from vigil.core.snapshot import snapshot_memo
from vigil.core.templatetags.vigil_tags import site_chrome

register = template.Library()


@register.inclusion_tag("cases/includes/day_count.html")
def day_count(case):
    """The days-detained figure, correct today and kept correct by day-count.js."""
    return {
        "case": case,
        "days": case.days_detained(),
        "computed_on": case.today(),
        "utc_offset": services.case_utc_offset(time_zone=case.time_zone),
        "day_words": services.day_word_forms(),
    }


@register.inclusion_tag("cases/includes/case_hero.html", takes_context=True)
def case_hero(context, heading: str = "", case=None):
    """The first screen of the home, case and update pages: the featured case's portrait,
    day count and status line (on a case page, its own) and the site's main action (the
    home page's "take action" page) with its figure, so that a reader on a phone sees
    all of them before scrolling.
    """
    request = context.get("request")
    page = context.get("page")
    language = get_language() or settings.LANGUAGE_CODE
    if isinstance(page, CasePage):
        case = page
    elif case is None:  # the home page passes the case it has loaded
        case = services.case_featured(request=request, language=language)
    # Loaded with the menu (site_chrome's one query), which the header has already run.
    action = site_chrome(context)["main_action"]
    # The figure first: it loads the fields the label reads too.
    figure = _action_figure(action)
    return {
        "case": case,
        "heading": heading,
        "link_case": case is not None and case is not page,
        "action": action,
        "action_label": main_action_label(action) if action is not None else "",
        "figure": figure,
    }


def case_hero_html(context) -> str:
    """The hero as HTML, for base.html's banner on every other page (core's registry)."""
    values = case_hero(context)
    values["request"] = context.get("request")  # for {% pageurl %}
    return render_to_string("cases/includes/case_hero.html", values)


def _action_figure(action) -> dict:
    """The main action's figure (a petition's total or goal), once per batch render."""
    # A page type may offer one (an open petition): cases cannot know page types above it.
    figure = getattr(action, "call_to_action_figure", None)
    if figure is None:
        return {}
    # Not a dependency: every signature would empty the page cache during a signing wave.
    with reads_untracked():
        return snapshot_memo(("main-action-figure", action.pk), figure)


@register.filter
def main_action_label(action) -> str:
    """What the main action's link says: an open petition is signed; another page goes by
    its name in the reader's language."""
    # A page type may say it itself (an open petition): cases cannot know page types above it.
    call_to_action = getattr(action, "call_to_action", None)
    if call_to_action is not None and (label := call_to_action()):
        return label
    return action.menu_title or pgettext("link to the page on how to help", "Take action")


# A sentence ends at ".", "!", "?" or "…" before a capital letter (Latin or Cyrillic,
# Kazakh's letters among them), perhaps after an opening quote or bracket.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«“(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")
# Shorter than this, a "sentence" is more likely an abbreviation: "Dr. ", "U.N. ".
_SENTENCE_MIN_CHARS = 40


@register.filter
def first_sentence(text: str) -> str:
    """The text's first sentence: 'The detention is arbitrary. It asked...' -> 'The
    detention is arbitrary.' The whole text when it has one sentence."""
    text = text.strip()
    for match in _SENTENCE_END.finditer(text):
        if match.start() >= _SENTENCE_MIN_CHARS:
            return text[: match.start()]
    return text


@register.simple_tag
def text_lang(row) -> str:
    """` lang="en"` on the words of a record row shown before it is translated."""
    language = getattr(row, "text_language", "")
    return format_html(' lang="{}"', language) if language else ""


@register.filter
def event_date(event) -> str:
    """A timeline date as precise as its source: '5 January 2022', 'January 2022', 'about ...'."""
    if event.precision == "month":
        return date_format(event.date, "YEAR_MONTH_FORMAT")
    text = date_format(event.date, "DATE_FORMAT")
    if event.precision == "approx":
        return _("about %(date)s") % {"date": text}
    return text


@register.simple_tag
def deadline_countdown(deadline, state) -> str:
    """'due today', 'due tomorrow', 'in 3 days', '2 days overdue', or 'met' / 'missed'."""
    if deadline.status == "met":
        return _("met")
    if deadline.status == "missed":
        return _("missed")
    days = state.days_left
    if days == 0:
        return _("due today")
    if days == 1:
        return _("due tomorrow")
    if days > 1:
        return ngettext("in %(days)s day", "in %(days)s days", days) % {"days": days}
    return ngettext("%(days)s day overdue", "%(days)s days overdue", -days) % {"days": -days}


@register.simple_tag
def gap_text(gap) -> str:
    """'No public order from 9 March 2022 to 23 March 2022 (15 days)'."""
    return ngettext(
        "No public order from %(start)s to %(end)s (%(days)s day)",
        "No public order from %(start)s to %(end)s (%(days)s days)",
        gap.days,
    ) % {
        "start": date_format(gap.start, "DATE_FORMAT"),
        "end": date_format(gap.end, "DATE_FORMAT"),
        "days": gap.days,
    }


@register.filter
def charge_status(value: str) -> str:
    """The label of a charge status value, e.g. 'pending' -> 'Pending'."""
    try:
        return ChargeStatus(value).label
    except ValueError:
        return value
