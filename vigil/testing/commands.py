"""The repo root, the Python running us and `manage()`: manage.py in a process of its own.

Imported by benches too, so it does not need Django set up in this process.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def python_run(*args: str, env: dict, timeout: float | None = None) -> subprocess.CompletedProcess:
    """`python args` from the repo root in `env`, output captured, whatever its status."""
    return subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def manage_run(*args: str, env: dict, timeout: float | None = None) -> subprocess.CompletedProcess:
    """`manage.py args` from the repo root in `env`, output captured, whatever its status."""
    return python_run("manage.py", *args, env=env, timeout=timeout)


def manage_spawn(*args: str, env: dict, log: Path) -> subprocess.Popen:
    """`manage.py args` started in its own process group (group_stop and group_kill end
    it with its children), its output appended to `log`."""
    with log.open("ab") as output:
        return subprocess.Popen(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def manage(*args: str, env: dict) -> str:
    """`manage.py args` in `env`: what it printed, or a RuntimeError that shows its output."""
    result = manage_run(*args, env=env)
    if result.returncode:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def demo_site_build(
    *, env: dict, var_dir: Path, base_url: str | None = None, static: bool = False
) -> None:
    """The demo campaign, as `make run` loads it, in the database of `env`: `migrate`, the
    demo (its admin's password and set-up link kept in `var_dir`, never over the repo's
    var/), then `site_url base_url` and `collectstatic` when asked. One process: each
    Django start costs a couple of seconds, and every test run builds a site."""
    steps = [
        "from pathlib import Path",
        "from django.core.management import call_command",
        "from vigil.demo.services import demo_load",
        "call_command('migrate', interactive=False, verbosity=0)",
        f"demo_load(var_dir=Path({str(var_dir)!r}))",
    ]
    if base_url:
        steps.append(f"call_command('site_url', {base_url!r})")
    if static:
        steps.append("call_command('collectstatic', interactive=False, verbosity=0)")
    manage("shell", "-c", "\n".join(steps), env=env)
