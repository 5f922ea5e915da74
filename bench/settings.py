"""Production settings for the benchmark's server, with its files in the bench's temp dir.

`vigil.settings.production` keeps the cache and the collected static files in the
repo's var/, which `make run` uses too. The cache holds the per-IP rate-limit counter:
a bench that sends over a thousand signatures from 127.0.0.1 through it would leave
`make run` answering 429 to its own developer for the rest of the ten-minute window,
and would take the once-a-day purge slot of the real database. Everything else is
production as deployed.
"""

import os
from pathlib import Path

from vigil.settings.production import *  # noqa: F403

BENCH_VAR_DIR = Path(os.environ["BENCH_VAR_DIR"])
CACHES = {"default": {**CACHES["default"], "LOCATION": str(BENCH_VAR_DIR / "cache")}}  # noqa: F405
STATIC_ROOT = BENCH_VAR_DIR / "static"
# The demo's admin password file goes here too, not over the developer's var/.
VAR_DIR = BENCH_VAR_DIR
PAGE_CACHE_DIR = os.environ.get("PAGE_CACHE_DIR", str(BENCH_VAR_DIR / "page-cache"))
