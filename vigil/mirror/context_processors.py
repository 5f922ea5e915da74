from .services.render import MIRROR_ENVIRON_KEY


def mirror(request):
    """`mirror`: set (main_url, made_at) only while the page is rendered for a static copy."""
    return {"mirror": request.META.get(MIRROR_ENVIRON_KEY)}
