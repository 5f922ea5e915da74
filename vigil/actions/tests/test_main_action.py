"""The figure beside the site's main action: everyone who signed for the case once that
is worth showing, else the goal; never a leading zero."""

import datetime as dt

from django.utils import timezone

from vigil.actions.tests.factories import (
    PetitionPageFactory,
    SignatureFactory,
    external_petition_add,
)
from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory

DAY = dt.date(2024, 1, 1)


def _case(home, slug="test-person"):
    return CasePageFactory(
        parent=CaseIndexPageFactory(parent=home, slug=f"cases-{slug}"), slug=slug
    )


def test_the_total_counts_confirmed_signatures_and_the_latest_count_elsewhere(home):
    case, other = _case(home), _case(home, "someone-else")
    petition = PetitionPageFactory(parent=home, case=case)
    SignatureFactory.create_batch(3, petition=petition, confirmed_at=timezone.now())
    SignatureFactory(petition=petition)  # not confirmed: does not count
    second = PetitionPageFactory(parent=home, slug="second", case=None)  # about no case
    SignatureFactory(petition=second, confirmed_at=timezone.now())
    external_petition_add(
        title="Elsewhere", counts=[(DAY, 100), (DAY + dt.timedelta(1), 250)], case=case
    )
    external_petition_add(title="Another case", counts=[(DAY, 9000)], case=other)
    assert petition.signature_figure() == {"total": 3 + 1 + 250}


def test_the_figure_is_the_goal_until_the_total_reaches_the_editors_threshold(home):
    case = _case(home)
    petition = PetitionPageFactory(parent=home, case=case, goal=5000, show_count_from=3)
    SignatureFactory.create_batch(2, petition=petition, confirmed_at=timezone.now())
    assert petition.call_to_action_figure() == {"goal": 5000}
    SignatureFactory(petition=petition, confirmed_at=timezone.now())
    assert petition.call_to_action_figure() == {"total": 3}


def test_a_closed_petition_offers_no_figure(home):
    petition = PetitionPageFactory(parent=home, closes_at=timezone.now() - dt.timedelta(hours=1))
    petition.opens_at = timezone.now() - dt.timedelta(days=2)
    petition.save()
    assert petition.call_to_action_figure() == {}


def test_the_petition_page_leads_with_its_goal_below_the_threshold(client, home):
    petition = PetitionPageFactory(parent=home, goal=5000, show_count_from=2)
    SignatureFactory(petition=petition, confirmed_at=timezone.now())
    html = client.get(petition.url).content.decode()
    assert "Our goal: <strong>5,000</strong> signatures" in html
    assert "confirmed signature" not in html
    SignatureFactory(petition=petition, confirmed_at=timezone.now())
    html = client.get(petition.url).content.decode()
    assert "<strong>2</strong> confirmed signatures of 5,000" in html
