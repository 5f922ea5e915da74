import datetime as dt

import wagtail_factories

from vigil.cases.models import CaseIndexPage, CasePage


class CaseIndexPageFactory(wagtail_factories.PageFactory):
    title = "Cases"
    slug = "cases"

    class Meta:
        model = CaseIndexPage


class CasePageFactory(wagtail_factories.PageFactory):
    title = "Test Person"
    person_name = "Test Person"
    detained_on = dt.date(2022, 1, 5)
    time_zone = "Asia/Almaty"
    status = "convicted"
    status_line = "Sentenced after a closed trial"

    class Meta:
        model = CasePage
