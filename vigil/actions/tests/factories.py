import datetime as dt

import factory
import wagtail_factories
from django.utils import timezone

from vigil.actions.models import (
    ExternalPetition,
    ExternalPetitionCount,
    PetitionPage,
    Signature,
    Subscriber,
)


class PetitionPageFactory(wagtail_factories.PageFactory):
    title = "Free the test person"
    slug = "petition"
    addressee = "the Head of State"
    summary = "Ask for the release of the test person."
    text = "<p>We ask for the immediate release of the test person.</p>"
    goal = 100
    show_count_from = 0  # tests count from the first signature
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))

    class Meta:
        model = PetitionPage


class SignatureFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Signer{n} Surname{n}")
    email = factory.Sequence(lambda n: f"signer{n}@example.org")
    country = "GB"
    language = "en"

    class Meta:
        model = Signature


class SubscriberFactory(factory.django.DjangoModelFactory):
    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    language = "en"
    confirmed_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = Subscriber


def external_petition_add(*, title: str, counts: list[tuple[dt.date, int]], case=None):
    petition = ExternalPetition(title=title, platform="Change.org", url="", case=case)
    petition.counts = [ExternalPetitionCount(date=day, count=count) for day, count in counts]
    petition.save()
    return petition
