import datetime as dt

import factory
import wagtail_factories

from vigil.support.models import Statement, SupportRegisterPage


class StatementFactory(factory.django.DjangoModelFactory):
    who = factory.Sequence(lambda n: f"Supporter number {n}")
    supporter_type = "ngo"
    country = "Norway"
    date = dt.date(2022, 3, 10)
    precision = "day"
    demands = factory.LazyFunction(lambda: ["release"])
    quote = "We call for his immediate release."
    source_url = "https://example.org/statement"
    language = "en"

    class Meta:
        model = Statement


class SupportRegisterPageFactory(wagtail_factories.PageFactory):
    title = "Who has called for release"
    slug = "support"

    class Meta:
        model = SupportRegisterPage
