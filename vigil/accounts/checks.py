"""System checks: refuse to start with proxy settings that let a client pick its address.

`manage.py serve` (and `check --deploy`) run these; an Error stops the server. A wrong
count is worse than none: too low, and every reader shares the proxy's address (one
stranger's failures count for all); trusted without a proxy, and anyone picks the
address they are limited by with an X-Forwarded-For header.
"""

import ipaddress

from django.conf import settings
from django.core.checks import Error, register

MAX_PROXIES = 5


@register()
def proxy_settings_check(app_configs=None, **kwargs) -> list[Error]:
    behind = getattr(settings, "VIGIL_BEHIND_PROXY", False)
    count = getattr(settings, "VIGIL_PROXY_COUNT", 0)
    errors = []
    if behind and count < 1:
        errors.append(
            Error(
                "BEHIND_PROXY is true but PROXY_COUNT is not set.",
                hint="Set PROXY_COUNT to the number of proxies in front of Vigil "
                "(nginx alone: 1; a CDN in front of nginx: 2).",
                id="vigil.E101",
            )
        )
    if count > 0 and not behind:
        errors.append(
            Error(
                "PROXY_COUNT is set but BEHIND_PROXY is not true.",
                hint="Without a proxy, clients could pick their own address with "
                "X-Forwarded-For. Set BEHIND_PROXY=true, or PROXY_COUNT=0.",
                id="vigil.E102",
            )
        )
    if not 0 <= count <= MAX_PROXIES:
        errors.append(
            Error(
                f"PROXY_COUNT is {count}: it must be between 0 and {MAX_PROXIES}.",
                id="vigil.E103",
            )
        )
    for network in getattr(settings, "VIGIL_TRUSTED_PROXIES", []):
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"TRUSTED_PROXIES has {network!r}, which is not an address or network.",
                    id="vigil.E104",
                )
            )
    if getattr(settings, "VIGIL_TRUSTED_PROXIES", []) and not behind:
        errors.append(
            Error("TRUSTED_PROXIES is set but BEHIND_PROXY is not true.", id="vigil.E105")
        )
    return errors
