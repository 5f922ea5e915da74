from django.apps import AppConfig

from vigil.core.registry import body_filter_register

from .services import body_day_count_fill


class CasesConfig(AppConfig):
    name = "vigil.cases"
    label = "cases"

    def ready(self):
        # Imported in ready(), the Django idiom for hooks: exports import the models,
        # which cannot load before the app registry is ready.
        from . import exports
        from .models import CasePage

        CasePage.exports.update(
            record=exports.case_record,
            json=exports.case_json,
            ical=exports.case_ical,
            csv=exports.timeline_csv,
        )
        # `[[days]]` in any page body shows the featured case's day count.
        body_filter_register(name="day count", apply=body_day_count_fill)
