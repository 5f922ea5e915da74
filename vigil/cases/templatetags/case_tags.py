from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.cases import services

register = template.Library()


@register.inclusion_tag("cases/includes/day_count.html")
def day_count(case):
    """The days-detained figure, correct today and kept correct by day-count.js."""
    return {
        "case": case,
        "days": case.days_detained(),
        "computed_on": case.today(),
        "day_words": services.day_word_forms(),
    }


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
    from ..models.record import ChargeStatus

    try:
        return ChargeStatus(value).label
    except ValueError:
        return value
