from django import template
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_countries import countries

from .. import services

register = template.Library()


@register.simple_tag(takes_context=True)
def support_counts(context, case) -> str:
    """'N statements calling for release, from X UN bodies, Y governments...' with a link.

    `case`: the case page or its id. Renders nothing when the case has no published
    register page or no statements yet.
    """
    summary = services.support_summary(case=case, request=context.get("request"))
    if summary is None:
        return ""
    return render_to_string("support/includes/support_counts.html", {"support": summary})


@register.filter
def statement_date(statement) -> str:
    """A date as precise as its source: '5 January 2022', 'January 2022', 'about ...'."""
    if statement.precision == "month":
        return date_format(statement.date, "YEAR_MONTH_FORMAT")
    text = date_format(statement.date, "DATE_FORMAT")
    if statement.precision == "approx":
        return _("about %(date)s") % {"date": text}
    return text


@register.filter
def country_name(name: str) -> str:
    """A statement's country (typed in English) in the reader's language, as the petition
    form's list names it; a name that is no country is shown as typed."""
    code = countries.by_name(name) if name else ""
    return str(countries.name(code)) if code else name
