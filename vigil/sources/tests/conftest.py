"""A real HTTP server on 127.0.0.1 for the checker to talk to: tests never touch the internet."""

import threading

import pytest

from vigil.sources.tests.helpers import SourceHandler, SourceServer
from vigil.testing.servers import free_port


@pytest.fixture
def source_server():
    """A local server; `source_server.url("/ok")` is an address on it, `.state` what it saw."""
    server = SourceServer(("127.0.0.1", 0), SourceHandler)
    server.state = {
        "lock": threading.Lock(),
        "requests": [],
        "agents": set(),
        "active": 0,
        "max_active": 0,
        "flaky": 404,
    }
    server.url = lambda path: f"http://127.0.0.1:{server.server_port}{path}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port_url():
    """An address on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/nothing"
