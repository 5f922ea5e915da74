import wagtail_factories

from vigil.pages.models import HomePage, StandardPage


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Home"
    intro = "Campaign home."

    class Meta:
        model = HomePage


class StandardPageFactory(wagtail_factories.PageFactory):
    title = "Case background"
    intro = "What happened."
    body = [{"type": "paragraph", "value": "<p>Background text.</p>"}]

    class Meta:
        model = StandardPage
