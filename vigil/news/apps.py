from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "vigil.news"
    label = "news"
