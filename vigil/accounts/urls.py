from django.urls import path

from . import views

app_name = "vigil_accounts"
urlpatterns = [
    path("enrol/<str:token>/", views.enrolment_start, name="enrol"),
    path("setup/", views.two_factor_setup, name="setup"),
    path("verify/", views.two_factor_verify, name="verify"),
    path("recovery-codes/", views.recovery_codes, name="recovery"),
    path("reset/<int:user_id>/", views.two_factor_reset, name="reset"),
]
