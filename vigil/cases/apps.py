from django.apps import AppConfig

from vigil.core.registry import body_filter_register, page_banner_register

from .services import body_day_count_fill


class CasesConfig(AppConfig):
    name = "vigil.cases"
    label = "cases"

    def ready(self):
        from . import exports  # in ready(): Django idiom
        from .models import CasePage  # in ready(): Django idiom
        from .templatetags.case_tags import case_hero_html  # in ready(): Django idiom

        CasePage.exports.update(
            record=exports.case_record,
            json=exports.case_json,
            ical=exports.case_ical,
            csv=exports.timeline_csv,
        )
        # `[[days]]` in any page body shows the featured case's day count.
        body_filter_register(name="day count", apply=body_day_count_fill)
        page_banner_register(render=case_hero_html)
