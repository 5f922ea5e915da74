from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("signature/confirm/<str:token>/", views.signature_confirm, name="signature_confirm"),
    path("signature/withdraw/<str:token>/", views.signature_withdraw, name="signature_withdraw"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/sent/", views.subscribe_sent, name="subscribe_sent"),
    path("subscribe/confirm/<str:token>/", views.subscriber_confirm, name="subscriber_confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
