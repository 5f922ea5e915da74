"""The server's front (RSGI, in granian's worker): bodies are read before Django runs.

granian's WSGI mode gives a request to one of the worker's few threads as soon as its
headers are in, and that thread then waits for the body with no time limit: four
connections sending a body one byte every 2 s held all four threads, and every page,
cached ones included, timed out. Here the worker's event loop reads bodies (a waiting
body costs some memory, no thread); a body that comes slower than SERVER_BODY_MIN_RATE
once SERVER_BODY_GRACE_SECONDS have passed is cut off with 408, a worker reads at most
SERVER_BODIES_READING bodies at once (SERVER_BODIES_READING_PER_PEER from one address)
and answers 503 beyond, and only complete requests are handed to Django's threads.
Cached pages are answered on the loop itself (vigil/pagecache), so they stay fast
however busy the threads are; and renders for a query string (searches, filters: what
a flood of random queries is made of) may take only half of the threads at once, so
other pages keep threads, and the loop its share of the interpreter, during a flood.
"""

import asyncio
import collections
import concurrent.futures
import io
import logging
import sys
import tempfile
import threading
from pathlib import Path

from django.conf import settings

from .middleware import BODY_PROBLEM, body_limit

logger = logging.getLogger(__name__)

# Bodies above this size are spooled to a temporary file instead of memory.
_SPOOL_BYTES = 256 * 1024
# Streamed responses (files, exports) are handed to the loop in blocks of this size.
_BLOCK = 64 * 1024
_END = object()


class _FileToSend:
    """wsgi.file_wrapper: lets the front hand a file on disk to granian to send.

    Iterating it reads the file in blocks, as any WSGI server would.
    """

    def __init__(self, filelike, block_size=_BLOCK):
        self.filelike = filelike
        self.block_size = max(block_size, _BLOCK)

    def __iter__(self):
        while block := self.filelike.read(self.block_size):
            yield block

    def close(self):
        if hasattr(self.filelike, "close"):
            self.filelike.close()

    def path_and_start(self) -> tuple[str, int] | None:
        """The file's path and the position to send from, when it is a plain file."""
        name = getattr(self.filelike, "name", None)
        if not isinstance(name, str) or not Path(name).is_absolute():
            return None
        try:
            return name, self.filelike.tell()
        except (AttributeError, OSError, ValueError):
            return None


def _address(value: str) -> tuple[str, str]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), port


def environ_build(scope) -> dict:
    """The WSGI environ granian's WSGI mode builds, from an RSGI scope."""
    server_name, server_port = _address(scope.server)
    environ = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        # PEP 3333: the path's bytes as ISO-8859-1 (granian gives it decoded as UTF-8).
        "PATH_INFO": scope.path.encode("utf-8", "surrogateescape").decode("iso-8859-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": server_name,
        "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": _address(scope.client)[0],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": _FileToSend,
    }
    headers = scope.headers
    for name in headers:
        values = headers.get_all(name)
        if name == "content-type":
            environ["CONTENT_TYPE"] = values[0] if values else ""
        elif name == "content-length":
            environ["CONTENT_LENGTH"] = values[0] if values else ""
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
            environ[key] = (";" if name == "cookie" else ",").join(values)
    if "HTTP_HOST" not in environ and scope.authority:
        environ["HTTP_HOST"] = scope.authority
    return environ


def _status_code(status: str) -> int:
    return int(status.split(" ", 1)[0])


def _wsgi_run(application, environ: dict, deliver) -> None:
    """Run the WSGI application in a worker thread and hand its answer to the loop.

    The whole request (the call, reading a streamed body, close()) stays in this one
    thread: Django's database connections belong to the thread that opened them.
    `deliver` is called with ("bytes", status, headers, body), ("file", status,
    headers, (path, start, end)) or ("stream", status, headers, None) followed by the
    stream's blocks and _END.
    """
    started = {}

    def start_response(status, headers, exc_info=None):
        if exc_info and started.get("delivered"):
            raise exc_info[1].with_traceback(exc_info[2])
        started["status"], started["headers"] = _status_code(status), list(headers)
        return started.setdefault("written", []).append

    try:
        result = application(environ, start_response)
    except Exception:
        logger.exception("the application failed on %s", environ.get("PATH_INFO"))
        deliver(("bytes", 500, [("Content-Type", "text/plain")], b"Server error"))
        return
    try:
        _result_deliver(result, started, environ, deliver)
    except Exception:
        logger.exception("the answer to %s failed", environ.get("PATH_INFO"))
        if not started.get("delivered"):
            deliver(("bytes", 500, [("Content-Type", "text/plain")], b"Server error"))
        else:
            deliver(_END)
    finally:
        if hasattr(result, "close"):
            result.close()  # Django's request_finished: closes this thread's connections


def _result_deliver(result, started: dict, environ: dict, deliver) -> None:
    head = b"".join(started.get("written", []))
    if isinstance(result, _FileToSend) and not head:
        found = result.path_and_start()
        length = next((v for k, v in started["headers"] if k.lower() == "content-length"), None)
        if found is not None and length is not None and length.isdigit():
            path, start = found
            started["delivered"] = True
            deliver(("file", started["status"], started["headers"], (path, start, int(length))))
            return
    if not getattr(result, "streaming", False) and not isinstance(result, _FileToSend):
        body = head + b"".join(result)  # an ordinary page: complete, the thread is freed
        started["delivered"] = True
        deliver(("bytes", started["status"], started["headers"], body))
        return
    started["delivered"] = True
    deliver(("stream", started["status"], started["headers"], None))
    if head:
        deliver(head)
    for block in result:
        if block:
            deliver(bytes(block))
    deliver(_END)


class ServerFront:
    """The RSGI application granian serves; Django's WSGI application runs behind it."""

    def __init__(self, application, *, query_render=lambda environ: False, threads: int = 4):
        self.application = application
        # Which requests render a page for their query string (the page cache's
        # `query_render`, passed in by vigil/wsgi.py: core knows no app above it).
        self.query_render = query_render
        self.threads = threads
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._reading = 0
        self._reading_by_peer: collections.Counter[str] = collections.Counter()
        self._query_renders: asyncio.Semaphore | None = None

    def _executor(self) -> concurrent.futures.ThreadPoolExecutor:
        # Made in the worker on first use: threads do not survive granian's fork.
        with self._pool_lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.threads, thread_name_prefix="vigil-request"
                )
            return self._pool

    async def __rsgi__(self, scope, protocol):
        if scope.proto != "http":
            protocol.close(403)  # no websockets here
            return
        environ = environ_build(scope)
        cached = getattr(self.application, "cached_answer", None)
        answer = cached(environ) if cached is not None else None
        if answer is not None:
            status, headers, body = answer
            protocol.response_bytes(status, headers, body)
            return
        if not await self._body_read(protocol, environ):
            return  # the client went away while sending its body
        if not self.query_render(environ):
            await self._dispatch(protocol, environ)
            return
        if self._query_renders is None:  # made in the worker, on its own loop
            self._query_renders = asyncio.Semaphore(max(1, self.threads // 2))
        async with self._query_renders:
            await self._dispatch(protocol, environ)

    async def _body_read(self, protocol, environ: dict) -> bool:
        """Read the whole body into wsgi.input; False if the client is gone."""
        declared = environ.get("CONTENT_LENGTH", "")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and declared in ("", "0"):
            return True
        limit = body_limit(environ["PATH_INFO"])
        if declared.isdigit() and int(declared) > limit:
            return True  # not read: RequestGuardMiddleware answers 413
        peer = environ["REMOTE_ADDR"]
        if (
            self._reading >= settings.SERVER_BODIES_READING
            or self._reading_by_peer[peer] >= settings.SERVER_BODIES_READING_PER_PEER
        ):
            environ[BODY_PROBLEM] = "busy"
            environ["CONTENT_LENGTH"] = "0"
            return True
        self._reading += 1
        self._reading_by_peer[peer] += 1
        try:
            return await self._body_receive(protocol, environ, limit)
        finally:
            self._reading -= 1
            self._reading_by_peer[peer] -= 1
            if not self._reading_by_peer[peer]:
                del self._reading_by_peer[peer]

    async def _body_receive(self, protocol, environ: dict, limit: int) -> bool:
        loop = asyncio.get_running_loop()
        # Closed in _dispatch, once Django has read it as wsgi.input.
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
        started = loop.time()
        received = 0
        chunks = protocol.__aiter__()
        while True:
            # A body may take the grace period, then must keep up the minimum rate.
            grace, rate = settings.SERVER_BODY_GRACE_SECONDS, settings.SERVER_BODY_MIN_RATE
            deadline = started + grace + received / rate
            try:
                chunk = await asyncio.wait_for(chunks.__anext__(), deadline - loop.time())
            except TimeoutError:
                spool.close()
                environ[BODY_PROBLEM] = "slow"
                environ["CONTENT_LENGTH"] = "0"
                return True
            except StopAsyncIteration:
                break
            except Exception:  # noqa: BLE001 - granian's protocol error: the client left
                spool.close()
                return False
            if not chunk:
                break
            received += len(chunk)
            if received > limit:
                spool.close()
                environ["CONTENT_LENGTH"] = str(received)  # RequestGuardMiddleware: 413
                return True
            spool.write(chunk)
        spool.seek(0)
        environ["wsgi.input"] = spool
        environ["CONTENT_LENGTH"] = str(received)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return True

    async def _dispatch(self, protocol, environ: dict) -> None:
        loop = asyncio.get_running_loop()
        answers: asyncio.Queue = asyncio.Queue()

        def deliver(item):
            loop.call_soon_threadsafe(answers.put_nowait, item)

        work = loop.run_in_executor(self._executor(), _wsgi_run, self.application, environ, deliver)
        kind, status, headers, payload = await answers.get()
        if kind == "bytes":
            protocol.response_bytes(status, headers, payload)
        elif kind == "file":
            path, start, length = payload
            protocol.response_file_range(status, headers, path, start, start + length)
        else:
            transport = protocol.response_stream(status, headers)
            gone = False
            while (block := await answers.get()) is not _END:
                if not gone:
                    try:
                        await transport.send_bytes(block)
                    except Exception:  # noqa: BLE001 - the reader left; let the thread finish
                        gone = True
        try:
            await work
        finally:
            environ["wsgi.input"].close()
