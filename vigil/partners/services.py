"""What the partners' widgets show: the featured case's day count and the petition total.

Only public figures: a name the campaign publishes, dates, counts. Never a signer.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from wagtail.models import Site

from vigil.actions.models import PetitionPage
from vigil.cases.models import CasePage
from vigil.cases.services import case_featured
from vigil.core.services import pages_localised_by_id
from vigil.pages.models import HomePage


@dataclass(frozen=True)
class CampaignFacts:
    case: CasePage
    days: int
    petition: PetitionPage | None
    # None below the petition's show_count_from: the goal leads, never a small number.
    total: int | None
    goal: int | None


def campaign_facts_read(*, request) -> CampaignFacts | None:
    """The home page's featured case and, if its main action is a petition, that petition,
    in the active language where translated; None without a featured case."""
    case = case_featured(request=request, language=get_language() or settings.LANGUAGE_CODE)
    if case is None:
        return None
    site = Site.find_for_request(request)
    action_id = HomePage.objects.filter(pk=site.root_page_id).values("action_page_id").first()
    [action] = pages_localised_by_id(ids=[action_id["action_page_id"] if action_id else None])
    petition = action if isinstance(action, PetitionPage) else None
    figure = petition.signature_figure() if petition is not None else {}
    return CampaignFacts(
        case=case,
        days=case.days_detained(),
        petition=petition,
        total=figure.get("total"),
        goal=petition.goal if petition is not None else None,
    )


def days_lines(*, facts: CampaignFacts) -> tuple[str, str]:
    """The day count and what it counts, in the active language: ("1,798 days",
    "in detention since 5 January 2022")."""
    count = ngettext("%(days)s day", "%(days)s days", facts.days) % {
        "days": number_format(facts.days, force_grouping=True)
    }
    case = facts.case
    start = date_format(case.detained_on, "DATE_FORMAT")
    if case.released_on:
        since = _("detained from %(start)s to %(end)s") % {
            "start": start,
            "end": date_format(case.released_on, "DATE_FORMAT"),
        }
    else:
        since = _("in detention since %(start)s") % {"start": start}
    return count, since


def petition_line(*, facts: CampaignFacts) -> str:
    """The petition's figure: everyone who signed, or the goal while that is small."""
    if facts.total is not None:
        return ngettext(
            "%(total)s person has signed", "%(total)s people have signed", facts.total
        ) % {"total": number_format(facts.total, force_grouping=True)}
    return ngettext("Our goal: %(goal)s signature", "Our goal: %(goal)s signatures", facts.goal) % {
        "goal": number_format(facts.goal, force_grouping=True)
    }
