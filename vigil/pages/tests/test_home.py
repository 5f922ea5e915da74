import datetime as dt
import re
import time

import pytest
from django.utils import timezone

from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory
from vigil.news.tests.factories import UpdatePageFactory
from vigil.pages.tests.factories import StandardPageFactory


@pytest.fixture
def campaign_home(home, updates_index):
    case = CasePageFactory(
        parent=CaseIndexPageFactory(parent=home),
        person_name="Test Person",
        detained_on=dt.date(2022, 1, 5),
        status_line="Sentenced after a closed trial",
    )
    updates = [UpdatePageFactory(parent=updates_index, title=f"News {n}") for n in range(8)]
    updates_index.pinned_update = updates[0]
    updates_index.save_revision().publish()
    home.featured_case = case
    home.background_page = StandardPageFactory(parent=home, title="Case background")
    home.action_page = StandardPageFactory(parent=home, title="Take action", slug="take-action")
    home.latest_count = 6
    home.save_revision().publish()
    return home, case, updates


def test_home_banner_shows_case_status_and_days_detained(client, campaign_home):
    """Name, one-line status, 'detained since' and today's day count in the case's time zone."""
    _home, case, _updates = campaign_home
    content = client.get("/").content.decode()
    assert "Sentenced after a closed trial" in content
    assert "Detained since 5 January 2022" in content
    days = case.days_detained()
    assert re.search(rf'class="day-count__number">{days:,}</strong>', content)
    assert f'data-computed-on="{case.today().isoformat()}"' in content


def test_home_lists_pinned_first_then_latest(client, campaign_home):
    _home, _case, updates = campaign_home
    response = client.get("/")
    assert response.context["pinned"] == updates[0]
    latest = response.context["latest_updates"]
    assert [u.title for u in latest] == [f"News {n}" for n in range(7, 1, -1)]
    content = response.content.decode()
    assert content.index("News 0") < content.index("News 7")


def test_home_links_to_background_and_action(client, campaign_home):
    content = client.get("/").content.decode()
    assert 'href="/case-background/"' in content
    assert 'href="/take-action/"' in content


def test_home_without_a_case_or_updates_still_renders(client, home):
    response = client.get("/")
    assert response.status_code == 200
    assert "No updates have been published yet." in response.content.decode()


def test_unpublished_pinned_update_is_not_shown(client, campaign_home):
    _home, _case, updates = campaign_home
    updates[0].unpublish()
    response = client.get("/")
    assert response.context["pinned"] is None
    assert "News 0" not in response.content.decode()


def test_russian_home_pins_the_russian_version_of_the_pinned_update(client, campaign_home):
    """A translated updates index keeps the English pinned page it was copied from; the
    Russian home and list pin that update's Russian version (they pinned nothing)."""
    from wagtail.models import Locale

    home, _case, updates = campaign_home
    russian = Locale.objects.get_or_create(language_code="ru")[0]
    home.copy_for_translation(russian).save_revision().publish()
    index_ru = updates[0].get_parent().specific.copy_for_translation(russian)
    index_ru.save_revision().publish()
    pinned_ru = updates[0].copy_for_translation(russian)
    pinned_ru.title = "Новость 0"
    pinned_ru.save_revision().publish()
    assert index_ru.pinned_update_id == updates[0].pk
    for path in ("/ru/", "/ru/updates/"):
        response = client.get(path)
        assert response.context["pinned"] == pinned_ru, path


def test_html_lang_and_skip_link(client, campaign_home):
    content = client.get("/").content.decode()
    assert '<html lang="en"' in content
    assert '<a class="skip-link" href="#main">' in content
    assert '<main id="main"' in content


def test_text_page_with_its_css_is_under_40_kb(client, campaign_home):
    """Light pages for slow connections: an update page plus the stylesheet under 40 KB."""
    from django.contrib.staticfiles import finders

    _home, _case, updates = campaign_home
    page = client.get(updates[3].url).content
    with open(finders.find("css/vigil.css"), "rb") as handle:
        css = handle.read()
    assert len(page) + len(css) < 40 * 1024


def test_scheduled_update_appears_after_publish_scheduled(client, campaign_home, updates_index):
    """An update scheduled for the past goes live when scheduled publishing runs."""
    from django.core.management import call_command

    update = UpdatePageFactory(parent=updates_index, title="Scheduled news")
    update.unpublish()
    update.go_live_at = timezone.now() + dt.timedelta(seconds=1)
    update.save_revision().publish()  # scheduled: not live until the go-live time
    assert "Scheduled news" not in client.get("/").content.decode()
    time.sleep(1.1)
    call_command("publish_scheduled")
    assert "Scheduled news" in client.get("/").content.decode()


def test_social_card_carries_the_day_count(client, campaign_home):
    """Shared links say how long the person has been held, computed today."""
    _home, case, _updates = campaign_home
    content = client.get("/").content.decode()
    days = case.days_detained()
    assert (
        f'<meta property="og:description" content="Test Person has been detained for {days} days.'
        in content
    )
