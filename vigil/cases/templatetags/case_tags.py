from django import template

register = template.Library()


@register.inclusion_tag("cases/includes/day_count.html")
def day_count(case):
    """The days-detained figure, correct today and kept correct by day-count.js."""
    return {
        "case": case,
        "days": case.days_detained(),
        "computed_on": case.today(),
    }
