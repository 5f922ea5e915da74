"""Wagtail's page admin views, changed where Vigil's editors need it."""

from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.viewsets.pages import PageViewSet


class CreatePageWithoutAutosaveView(CreateView):
    """ "Add page" without autosave: the page exists once the editor saves or publishes it.

    Wagtail 8's first autosave on this view creates the page, and wagtail-localize's
    after_create_page hook copies it into every other language at once, so each abandoned
    "Add update" left three pages behind. The edit view keeps autosave: there it only adds
    a revision to a page the editor already saved.
    """

    def get_context_data(self, **kwargs):
        # Wagtail sets these in dispatch() from WAGTAIL_AUTOSAVE_INTERVAL, which it reads
        # for the edit view too; the template draws the autosave controller from them.
        self.autosave_enabled = False
        self.autosave_interval = 0
        return super().get_context_data(**kwargs)


class VigilPageViewSet(PageViewSet):
    """Every page type's admin views: Wagtail's, with "Add page" not autosaving."""

    add_view_class = CreatePageWithoutAutosaveView


page_viewset = VigilPageViewSet()
