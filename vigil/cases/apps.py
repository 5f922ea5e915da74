from django.apps import AppConfig

from vigil.core.registry import body_filter_register

from .services import body_day_count_fill


class CasesConfig(AppConfig):
    name = "vigil.cases"
    label = "cases"

    def ready(self):
        # `[[days]]` in any page body shows the featured case's day count.
        body_filter_register(name="day count", apply=body_day_count_fill)
