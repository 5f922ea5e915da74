from django.urls import path

from . import views

app_name = "press"

urlpatterns = [
    path("press/", views.press, name="press"),
]
