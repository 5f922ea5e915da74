from wagtail import hooks

from vigil.core.page_views import page_viewset


@hooks.register("register_admin_viewset")
def register_page_viewset():
    # Registered for the base Page model after Wagtail's own (order -1), so it replaces
    # Wagtail's default viewset for every page type that has no viewset of its own.
    return page_viewset
