from django.template.response import TemplateResponse

from . import services
from .models import OfficialMirror


def mirrors(request):
    """The official copies of the site and the key their manifests are signed with."""
    try:
        public_key = services.mirror_public_key()
        fingerprint = services.key_fingerprint(public_key)
    except services.MirrorKeyError:
        public_key = fingerprint = ""
    return TemplateResponse(
        request,
        "mirror/mirrors.html",
        {
            "mirrors": OfficialMirror.objects.all(),
            "public_key": public_key,
            "fingerprint": fingerprint,
        },
    )
