"""A real HTTP server on 127.0.0.1 for the checker to talk to: tests never touch the internet."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vigil.testing.servers import free_port

SLOW_SECONDS = 2.0
TIMEOUT = 0.5


class _Handler(BaseHTTPRequestHandler):
    server_version = "VigilTestServer"

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _answer(self, code, *, location="", body=b"answer\n"):
        self.send_response(code)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self):
        state = self.server.state
        with state["lock"]:
            state["requests"].append((self.command, self.path))
            state["agents"].add(self.headers.get("User-Agent", ""))
        path = self.path
        if path == "/ok":
            self._answer(200)
        elif path == "/missing":
            self._answer(404)
        elif path == "/fails":
            self._answer(500)
        elif path == "/moved":
            self._answer(301, location="/ok")
        elif path == "/moved-away":
            self._answer(308, location=f"http://127.0.0.1:{self.server.server_port}/ok")
        elif path == "/for-now":
            self._answer(302, location="/ok")
        elif path == "/moved-to-missing":
            self._answer(301, location="/missing")
        elif path == "/loop":
            self._answer(301, location="/loop")
        elif path == "/no-head":
            self._answer(405 if self.command == "HEAD" else 200)
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._answer(200)
        elif path == "/flaky":
            self._answer(state["flaky"])
        elif path.startswith("/busy/"):
            with state["lock"]:
                state["active"] += 1
                state["max_active"] = max(state["max_active"], state["active"])
            time.sleep(0.3)
            # Count the request as finished before answering: once the answer is out the
            # checker may rightly start the next one, which could otherwise arrive before
            # this thread had counted itself out.
            with state["lock"]:
                state["active"] -= 1
            self._answer(200)
        else:
            self._answer(418)

    do_HEAD = _route
    do_GET = _route


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping must not hold up the test run

    def handle_error(self, request, client_address):
        pass  # the checker hanging up on /slow is expected


@pytest.fixture
def source_server():
    """A local server; `source_server.url("/ok")` is an address on it, `.state` what it saw."""
    server = _Server(("127.0.0.1", 0), _Handler)
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
