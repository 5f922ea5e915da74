"""Servers in processes of their own: a free port, waiting for an answer, stopping, nginx.

Imported by benches too, so it does not need Django set up in this process.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Debian's libnginx-mod-http-brotli-static (the nginx front serves the .br copies).
BROTLI_STATIC = "load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;\n"


def free_port() -> int:
    """A loopback port nothing listens on (at this moment)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answer_wait(*, url: str, process: subprocess.Popen, timeout: float, status: int = 200) -> None:
    """Return once `url` answers `status`; RuntimeError if `process` ends or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:
            if response.status == status:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.2)


def group_kill(process: subprocess.Popen, *, timeout: float = 60) -> None:
    """kill -9 the process's whole group (granian's main process and its workers), and
    wait until none of them is left holding a file or a port."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def group_stop(process: subprocess.Popen, *, timeout: float = 15) -> None:
    """SIGTERM the process's whole group; kill -9 what has not ended within `timeout`, and
    any worker outliving the main process by a moment."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    group_kill(process)


def _nginx_conf_write(
    *, work: Path, server: str, main: str, worker_processes: str, worker_connections: int
) -> Path:
    conf = work / "nginx.conf"
    conf.write_text(
        f"{main}user root;\nworker_processes {worker_processes};\npid {work}/nginx.pid;\n"
        f"error_log {work}/error.log;\n"
        f"events {{ worker_connections {worker_connections}; }}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {work}/body;\n"
        f"  proxy_temp_path {work}/proxy;\n  fastcgi_temp_path {work}/fastcgi;\n"
        f"  uwsgi_temp_path {work}/uwsgi;\n  scgi_temp_path {work}/scgi;\n{server}}}\n"
    )
    return conf


def nginx_check(*, work: Path, server: str, main: str = "") -> subprocess.CompletedProcess:
    """`nginx -t` of `server` (as nginx_start would run it): its status and messages."""
    conf = _nginx_conf_write(
        work=work, server=server, main=main, worker_processes="1", worker_connections=64
    )
    return subprocess.run(
        [NGINX, "-t", "-p", str(work), "-c", str(conf)], capture_output=True, text=True
    )


def nginx_start(
    *,
    work: Path,
    server: str,
    port: int,
    worker_processes: str = "1",
    worker_connections: int = 64,
    timeout: float = 10,
    main: str = "",
) -> subprocess.Popen:
    """Debian's nginx with `server` (its `server { ... }` block, or any http-context conf,
    listening on `port`), files kept in `work`, in its own process group; returns once `/`
    answers. `main`: lines for the main context (load_module)."""
    conf = _nginx_conf_write(
        work=work,
        server=server,
        main=main,
        worker_processes=worker_processes,
        worker_connections=worker_connections,
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(work), "-c", str(conf), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        answer_wait(url=f"http://127.0.0.1:{port}/", process=process, timeout=timeout)
    except RuntimeError:
        group_stop(process)
        raise RuntimeError(f"nginx did not start:\n{process.stderr.read().decode()}") from None
    return process
