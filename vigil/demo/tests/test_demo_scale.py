"""demo_scale grows the updates index for benchmarks, and refuses what it cannot do."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigil.news.models import UpdatePage
from vigil.testing.demo import migration_data_create


def test_demo_scale_adds_published_updates_up_to_n(updates_index):
    """N is the total: a second run with the same N adds nothing."""
    call_command("demo_scale", "3", verbosity=0)
    pages = UpdatePage.objects.child_of(updates_index).live()
    assert pages.count() == 3
    assert all(page.tags.count() == 1 or page.tags.count() == 2 for page in pages)
    call_command("demo_scale", "3", verbosity=0)
    assert UpdatePage.objects.child_of(updates_index).count() == 3


def test_demo_scale_updates_reach_every_language(updates_index):
    """The added updates exist in the Russian and Kazakh trees too, as aliases."""
    from wagtail.models import Locale

    migration_data_create()
    updates_index.get_parent().copy_for_translation(Locale.objects.get(language_code="ru"))
    call_command("demo_scale", "2", verbosity=0)
    russian = UpdatePage.objects.filter(locale__language_code="ru")
    assert russian.count() == 2 and all(page.alias_of_id for page in russian)


def test_demo_scale_bad_input(home):
    """A negative N, or no updates index, is a clear error that creates nothing."""
    with pytest.raises(CommandError, match="zero or more"):
        call_command("demo_scale", "-1", verbosity=0)
    with pytest.raises(CommandError, match="load the demo first"):
        call_command("demo_scale", "5", verbosity=0)
    assert not UpdatePage.objects.exists()
