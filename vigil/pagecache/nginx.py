"""The nginx front of a deployment (`manage.py nginx_conf`): its conf and its error pages.

nginx answers cached pages straight from the page cache's files (store.py FRONT_FOLDER,
front.py decides which pages), static files and public images from disk, and passes
everything else to the app servers, buffering request bodies (a slow body costs nginx a
buffer, never an app thread) and limiting uncached requests per address. Every value
that the app also knows (paths, headers, cookie names, body limits, languages) is read
from the settings and the code here, never copied by hand.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template import loader
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Site

from vigil.core.middleware import body_limit
from vigil.core.services import language_prefix
from vigil.core.views import UNAVAILABLE_RETRY_SECONDS, error_page, page_not_found

from .front import FRONT_TYPES, front_headers
from .store import FRONT_FOLDER
from .wsgi import cache_control_public, private_cookie_names

# Where the error pages are asked for inside nginx (an internal location).
ERRORS_LOCATION = "/_vigil_errors/"
ERROR_PAGES = ("404", "429", "503")
# What WhiteNoise sends with a fingerprinted static file; other static files may change.
_IMMUTABLE = "max-age=315360000, public, immutable"
_FINGERPRINTED = r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$"
_NAME = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class FrontOptions:
    """What the command's options choose; the rest comes from the settings."""

    apps: tuple[str, ...] = ("127.0.0.1:8000",)
    listen: str = "80"
    tls_listen: str = "443"
    server_names: tuple[str, ...] = ()
    tls_cert: str = ""
    tls_key: str = ""
    error_pages: Path = field(default_factory=lambda: Path("/srv/vigil/nginx-errors"))
    # Uncached requests per address (pages Python renders, the admin, forms).
    rate: str = "10r/s"
    burst: int = 40
    # POSTs per address (forms, sign-in), on top of the above.
    post_rate: str = "30r/m"
    post_burst: int = 10


def server_names_default() -> tuple[str, ...]:
    names = tuple(h.lstrip(".") for h in settings.ALLOWED_HOSTS if h and h != "*")
    return names or ("_",)


def _quoted(value: str) -> str:
    if "$" in value:
        raise ValueError(f"a header value nginx would read as a variable: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _headers(headers, *, indent: str, always: bool = False) -> list[str]:
    suffix = " always" if always else ""
    return [f"{indent}add_header {name} {_quoted(value)}{suffix};" for name, value in headers]


def _size(value: int) -> str:
    return f"{-(-value // (1024 * 1024))}m"


def _security_headers(scheme: str) -> list[tuple[str, str]]:
    """Every page's headers from Django's middleware (front.py), under their usual names."""
    headers = front_headers(scheme=scheme) or ()
    names = {
        "content-security-policy": "Content-Security-Policy",
        "cross-origin-opener-policy": "Cross-Origin-Opener-Policy",
        "cross-origin-resource-policy": "Cross-Origin-Resource-Policy",
        "permissions-policy": "Permissions-Policy",
        "referrer-policy": "Referrer-Policy",
        "strict-transport-security": "Strict-Transport-Security",
        "x-content-type-options": "X-Content-Type-Options",
        "x-frame-options": "X-Frame-Options",
    }
    return [(names.get(name, name.title()), value) for name, value in headers]


def host_expression(options: FrontOptions) -> str:
    """The host as the app sees it (Host) and as cached pages are filed under it: `$host`
    on the scheme's own port, where readers' addresses have no port (and a port a client
    writes into Host makes no other copy of a page); with its port on any other, which
    every address the app writes (mail, redirects) must then keep. Never the client's
    own `$http_host`."""
    tls = bool(options.tls_cert and options.tls_key)
    address = options.tls_listen if tls else options.listen
    port = address.rsplit(":", 1)[-1]
    return "$host" if port == ("443" if tls else "80") else "$host:$server_port"


def _http_maps(options: FrontOptions) -> list[str]:
    """The upstream, the limit zones and the maps the server blocks read."""
    cookies = sorted(private_cookie_names())
    for name in cookies:
        if not _NAME.fullmatch(name):
            raise ValueError(f"nginx cannot read the cookie {name!r} ($cookie_…)")
    key = '"$request_method:$args' + "".join(f":$cookie_{c}" for c in cookies) + '"'
    anonymous = "~^(GET|HEAD):" + ":" * len(cookies) + "$"
    languages = [
        f"    ~^{language_prefix(language=code)}/ {code};"
        for code, _name in settings.LANGUAGES
        if language_prefix(language=code)
    ]
    return [
        "upstream vigil_app {",
        *(f"    server {app} max_fails=1 fail_timeout=10s;" for app in options.apps),
        "    keepalive 16;",
        "}",
        "",
        "# Per reader's address: every request Python answers, and POSTs on top.",
        f"limit_req_zone $binary_remote_addr zone=vigil_app:10m rate={options.rate};",
        f"limit_req_zone $vigil_post zone=vigil_post:10m rate={options.post_rate};",
        "map $request_method $vigil_post {",
        "    POST $binary_remote_addr;",
        '    default "";',
        "}",
        "",
        "# Where a cached page is, for an anonymous GET or HEAD without a query string",
        "# (a session or messages cookie, any query string: the app answers).",
        f"map {key} $vigil_page {{",
        f'    {anonymous} "/$scheme/{host_expression(options)}$uri";',
        '    default "/-";',
        "}",
        "",
        "# The language of a page (Content-Language, error pages), by its prefix.",
        "map $uri $vigil_language {",
        *languages,
        f"    default {settings.LANGUAGE_CODE};",
        "}",
    ]


def _cache_location(*, scheme: str) -> list[str]:
    """`location /`: a cached page from disk, with the headers the app sends on a hit."""
    root = Path(settings.PAGE_CACHE_DIR) / FRONT_FOLDER if settings.PAGE_CACHE_DIR else None
    headers = _security_headers(scheme)
    if root is None or front_headers(scheme=scheme) is None:
        # No cache, or no page cached under this scheme (front.py): the app answers.
        return ["    location / {", "        try_files /- @app;", "    }"]
    types = [f'            "{content_type}" {ext};' for content_type, ext in FRONT_TYPES.items()]
    tries = " ".join(f"$vigil_page@.{ext}" for ext in FRONT_TYPES.values())
    # The longest a CDN may keep a page: nginx cannot count down to its midnight.
    control = cache_control_public(expires=settings.PAGE_CACHE_SHARED_MAX_AGE, now=0)
    return [
        "    location / {",
        f"        root {root};",
        "        types {",
        *types,
        "        }",
        "        brotli_static on;",
        "        gzip_static on;",
        "        gzip_vary on;",
        *_headers(headers, indent="        "),
        "        add_header Content-Language $vigil_language;",
        f"        add_header Cache-Control {_quoted(control)};",
        "        add_header X-Vigil-Cache hit;",
        f"        try_files {tries} @app;",
        "    }",
    ]


def _files_locations(*, scheme: str) -> list[str]:
    """Static files (fingerprinted: a year), public images, and nothing else of media."""
    headers = _security_headers(scheme)
    embeddable = [
        (n, "cross-origin" if n == "Cross-Origin-Resource-Policy" else v) for n, v in headers
    ]
    static = str(settings.STATIC_ROOT).rstrip("/")
    media = str(settings.MEDIA_ROOT).rstrip("/")
    return [
        f"    location ^~ {settings.STATIC_URL} {{",
        f"        alias {static}/;",
        "        include /etc/nginx/mime.types;",
        "        brotli_static on;",
        "        gzip_static on;",
        "        gzip_vary on;",
        *_headers(headers, indent="        "),
        '        add_header Cache-Control "public, max-age=60";',
        f'        location ~ "{_FINGERPRINTED}" {{',
        *_headers(headers, indent="            "),
        f'            add_header Cache-Control "{_IMMUTABLE}";',
        "        }",
        "    }",
        "    # Renditions only: originals and documents are never served from disk.",
        f"    location ^~ {settings.MEDIA_URL}images/ {{",
        f"        alias {media}/images/;",
        "        include /etc/nginx/mime.types;",
        *_headers(embeddable, indent="        "),
        "    }",
        f"    location ^~ {settings.MEDIA_URL} {{",
        "        return 404;",
        "    }",
    ]


def _app_and_errors(*, scheme: str, options: FrontOptions) -> list[str]:
    headers = _security_headers(scheme)
    errors = str(options.error_pages).rstrip("/")
    return [
        "    location @app {",
        f"        limit_req zone=vigil_app burst={options.burst} nodelay;",
        f"        limit_req zone=vigil_post burst={options.post_burst} nodelay;",
        "        proxy_pass http://vigil_app;",
        "        proxy_http_version 1.1;",
        '        proxy_set_header Connection "";',
        "        # The host as cached pages are filed under it ($vigil_page).",
        f"        proxy_set_header Host {host_expression(options)};",
        "        # The app takes the reader's address from the last entry (PROXY_COUNT=1).",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        proxy_set_header X-Forwarded-Proto $scheme;",
        "        # Another app server when one is down; nginx retries only idempotent",
        "        # requests (never a POST that may have reached the app).",
        "        proxy_next_upstream error timeout http_502 http_504;",
        "        proxy_next_upstream_tries 2;",
        "        proxy_connect_timeout 3s;",
        "        proxy_read_timeout 60s;",
        "    }",
        f"    location ^~ {ERRORS_LOCATION} {{",
        "        internal;",
        f"        alias {errors}/;",
        '        types { "text/html; charset=utf-8" html; }',
        *_headers(headers, indent="        ", always=True),
        '        add_header Cache-Control "no-store" always;',
        f'        add_header Retry-After "{UNAVAILABLE_RETRY_SECONDS}" always;',
        "    }",
    ]


def _server_common(options: FrontOptions) -> list[str]:
    """Bodies buffered by nginx with the app's limits, and the site's error pages."""
    largest = max(body_limit("/admin/"), body_limit("/"))
    pages = f"{ERRORS_LOCATION}$vigil_language"
    return [
        "    server_tokens off;",
        f"    client_max_body_size {_size(largest)};",
        "    client_body_buffer_size 256k;",
        f"    client_body_timeout {int(settings.SERVER_BODY_GRACE_SECONDS)}s;",
        "    client_header_timeout 10s;",
        "    keepalive_timeout 30s;",
        "    send_timeout 30s;",
        "    limit_req_status 429;",
        "    limit_req_log_level warn;",
        f"    error_page 404 {pages}/404.html;",
        f"    error_page 429 {pages}/429.html;",
        f"    error_page 502 503 504 =503 {pages}/503.html;",
    ]


def _listen(address: str, *, tls: bool) -> list[str]:
    extra = " ssl http2" if tls else ""
    lines = [f"    listen {address}{extra};"]
    if address.isdigit():  # a bare port: IPv6 too
        lines.append(f"    listen [::]:{address}{extra};")
    return lines


def nginx_conf(*, options: FrontOptions) -> str:
    """The whole conf (http context: /etc/nginx/sites-enabled/vigil.conf)."""
    tls = bool(options.tls_cert and options.tls_key)
    scheme = "https" if tls else "http"
    names = " ".join(options.server_names or server_names_default())
    lines = [
        "# Generated by `manage.py nginx_conf`: regenerate it rather than edit it.",
        "# The app servers run with BEHIND_PROXY=true and PROXY_COUNT=1.",
        "# Debian: apt-get install nginx libnginx-mod-http-brotli-static",
        "",
        *_http_maps(options),
        "",
    ]
    if tls:
        lines += [
            "server {",
            *_listen(options.listen, tls=False),
            f"    server_name {names};",
            "    server_tokens off;",
            "    return 301 https://$host$request_uri;",
            "}",
            "",
        ]
    lines += [
        "server {",
        *_listen(options.tls_listen if tls else options.listen, tls=tls),
        f"    server_name {names};",
    ]
    if tls:
        lines += [
            f"    ssl_certificate {options.tls_cert};",
            f"    ssl_certificate_key {options.tls_key};",
            "    ssl_protocols TLSv1.2 TLSv1.3;",
            "    ssl_session_cache shared:vigil_tls:10m;",
            "    ssl_session_timeout 1d;",
        ]
    lines += _server_common(options)
    lines += _cache_location(scheme=scheme)
    lines += _files_locations(scheme=scheme)
    lines += _app_and_errors(scheme=scheme, options=options)
    lines += ["}", ""]
    return "\n".join(lines)


def _error_request(*, language: str):
    """A request for the language's home, as the default site's reader would send it."""
    site = Site.objects.filter(is_default_site=True).first()
    host = site.hostname if site else "localhost"
    factory = RequestFactory(HTTP_HOST=host, SERVER_PORT=str(site.port if site else 80))
    request = factory.get(language_prefix(language=language) + "/")
    request.LANGUAGE_CODE = language
    return request


def error_pages_write(*, folder: Path) -> list[Path]:
    """The pages nginx shows for its own 404, 429 and 502-504, in every language, made
    from the site's templates (its header, menu and stylesheet; no inline code)."""
    written = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            request = _error_request(language=code)
            pages = {
                "404": page_not_found(request).render().content,
                "429": error_page(
                    request,
                    status=429,
                    title=_("Too many requests"),
                    message=_(
                        "Too many requests have come from your connection. Please try later."
                    ),
                ).content,
                "503": loader.get_template("503.html").render({"language": code}).encode(),
            }
        (folder / code).mkdir(parents=True, exist_ok=True)
        # nginx's user reads them, whatever the umask (make run's is 077).
        for made in (folder, folder / code):
            made.chmod(0o755)
        for status, html in pages.items():
            path = folder / code / f"{status}.html"
            path.write_bytes(html)
            path.chmod(0o644)
            written.append(path)
    return written
