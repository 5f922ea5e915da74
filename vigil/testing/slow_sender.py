"""A client that sends a request body one byte at a time (issue 18, item 3), shared by
test_server_floods.py and bench/security/slow_body.py (plain stdlib: the bench imports it
without Django)."""

import contextlib
import socket
import threading
import time

DRIP_SECONDS = 2.0


class SlowSender(threading.Thread):
    """A POST whose body comes one byte every DRIP_SECONDS; keeps what the server says
    and when it said it. Several senders may share one `stop` event."""

    def __init__(
        self,
        port: int,
        *,
        path: str = "/search/",
        length: int = 10_000,
        stop: threading.Event | None = None,
    ):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {length}\r\n\r\n"
            ).encode()
        )
        self.started = time.monotonic()
        self.answer = b""
        self.seconds: float | None = None  # from the first byte sent to the answer's end
        self.stop = stop or threading.Event()

    def run(self):
        self.sock.settimeout(DRIP_SECONDS)
        with contextlib.closing(self.sock):
            while not self.stop.is_set():
                # Once the server has closed its side, read what it said.
                with contextlib.suppress(OSError):
                    self.sock.sendall(b"a")
                try:
                    data = self.sock.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    data = b""
                self.answer += data
                if not data or b"\r\n\r\n" in self.answer:
                    self.seconds = time.monotonic() - self.started
                    return

    def status(self) -> int | None:
        line = self.answer.split(b"\r\n", 1)[0].split()
        return int(line[1]) if len(line) > 1 and line[1].isdigit() else None

    def outcome(self) -> str:
        """For a report: '408 after 10.2 s', 'closed after …', or 'still open'."""
        if self.seconds is None:
            return "still open"
        return f"{self.status() or 'closed'} after {self.seconds:.1f} s"
