import datetime as dt

import factory
import wagtail_factories
from django.utils import timezone

from vigil.news.models import Series, UpdateIndexPage, UpdatePage, UpdateReference


class UpdateIndexPageFactory(wagtail_factories.PageFactory):
    title = "Latest updates"
    slug = "updates"

    class Meta:
        model = UpdateIndexPage


class UpdatePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Update number {n}")
    slug = factory.Sequence(lambda n: f"update-{n}")
    # An hour apart: newest-first order is the creation order, and a whole test
    # run stays within 2022.
    date = factory.Sequence(
        lambda n: timezone.make_aware(dt.datetime(2022, 1, 1, 12)) + dt.timedelta(hours=n)
    )
    summary = factory.LazyAttribute(lambda o: f"Summary of {o.title}.")
    author = "Campaign team"
    body = [{"type": "paragraph", "value": "<p>Body text of the update.</p>"}]

    class Meta:
        model = UpdatePage


class SeriesFactory(factory.django.DjangoModelFactory):
    title = "Closed justice"
    slug = factory.Sequence(lambda n: f"series-{n}")

    class Meta:
        model = Series


def references_add(page, *items: dict) -> None:
    """Attach references to a saved page, in order."""
    for position, item in enumerate(items):
        UpdateReference.objects.create(page=page, sort_order=position, **item)
