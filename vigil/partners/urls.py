from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("widgets/days.svg", views.days_svg, name="days_svg"),
    path("widgets/petition.svg", views.petition_svg, name="petition_svg"),
    path("widgets/campaign.json", views.campaign_json, name="campaign_json"),
    path("partners/", views.partners, name="partners"),
]
