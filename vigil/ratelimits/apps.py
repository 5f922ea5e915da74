from django.apps import AppConfig


class RateLimitsConfig(AppConfig):
    name = "vigil.ratelimits"
    label = "ratelimits"
    verbose_name = "Rate limits"
