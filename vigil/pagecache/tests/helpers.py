"""Requests through the page cache's WSGI layer, as a production server sends them."""

from dataclasses import dataclass
from wsgiref.util import setup_testing_defaults

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from vigil.pagecache.wsgi import PageCacheApp


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Vigil-Cache")

    @property
    def text(self) -> str:
        return self.body.decode()


def make_app() -> PageCacheApp:
    return PageCacheApp(WSGIHandler())


def get(app, path: str, *, method: str = "GET", **headers) -> Answer:
    environ = {}
    setup_testing_defaults(environ)
    path, _, query = path.partition("?")
    environ.update(
        REQUEST_METHOD=method,
        PATH_INFO=path,
        QUERY_STRING=query,
        HTTP_HOST="testserver",
        SERVER_NAME="testserver",
        SERVER_PORT="80",
    )
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    # As Django's test client: the request must not close the test's own connection
    # (it is inside the test's transaction). The response is closed after the cache
    # stored it, so the signals stay off until then.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return Answer(answer["status"], answer["headers"], body)
