"""What the partners' widgets show: the featured case's day count and the petition total.

Only public figures: a name the campaign publishes, dates, counts. Never a signer.
"""

from dataclasses import dataclass

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Site

from vigil.actions.models import PetitionPage
from vigil.actions.services import petitions_total
from vigil.cases.models import CasePage
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
    site = Site.find_for_request(request)
    if site is None:
        return None
    row = (
        HomePage.objects.filter(pk=site.root_page_id)
        .values("featured_case_id", "action_page_id")
        .first()
    )
    if row is None or row["featured_case_id"] is None:
        return None
    [case] = pages_localised_by_id(ids=[row["featured_case_id"]], model=CasePage)
    [action] = pages_localised_by_id(ids=[row["action_page_id"]])
    if case is None or not case.live:
        return None
    petition = action if isinstance(action, PetitionPage) else None
    total = goal = None
    if petition is not None:
        counted = petitions_total(case_id=case.pk)
        total = counted if counted >= petition.show_count_from else None
        goal = petition.goal
    return CampaignFacts(
        case=case, days=case.days_detained(), petition=petition, total=total, goal=goal
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
