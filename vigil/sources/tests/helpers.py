"""A real HTTP server on 127.0.0.1 for the checker to talk to: tests never touch the internet.

`SourceServer` answers each path as a site out there might (`/ok`, `/missing`, `/slow`,
redirects, loops...) and keeps what it was asked in `state`.
"""

import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 2.0
TIMEOUT = 0.5


class SourceHandler(BaseHTTPRequestHandler):
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


class SourceServer(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping must not hold up the test run

    def handle_error(self, request, client_address):
        pass  # the checker hanging up on /slow is expected
