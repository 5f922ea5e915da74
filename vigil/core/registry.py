"""Hooks that core calls and the apps above it fill in their AppConfig.ready().

Core knows no domain (ARCHITECTURE.md): where it must run something an app above it
owns (a background job of `manage.py serve`, a filter over every page body), the app
registers it here when Django loads it, the way Wagtail's contrib apps connect their
handlers, and core calls whatever is registered. Registering twice under one name
replaces the first (ready() may run again in tests).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class PeriodicJob:
    """A job `manage.py serve` runs in its own thread every `interval` seconds.

    `interval_option` names a `serve` option (e.g. "mail_interval") whose value, when
    given, replaces `interval`.
    """

    name: str
    run: Callable[[], None]
    interval: float
    interval_option: str | None = None


_periodic_jobs: dict[str, PeriodicJob] = {}
_startup_tasks: dict[str, Callable[[], None]] = {}
_body_filters: dict[str, Callable[[str, HttpRequest], str]] = {}


def periodic_job_register(
    *,
    name: str,
    run: Callable[[], None],
    interval: float,
    interval_option: str | None = None,
) -> None:
    """Have `manage.py serve` run `run` every `interval` seconds beside the site."""
    _periodic_jobs[name] = PeriodicJob(
        name=name, run=run, interval=interval, interval_option=interval_option
    )


def periodic_jobs() -> list[PeriodicJob]:
    """The registered jobs, in the order their apps were loaded (INSTALLED_APPS)."""
    return list(_periodic_jobs.values())


def startup_task_register(*, name: str, run: Callable[[], None]) -> None:
    """Have `manage.py serve` run `run` once before it starts serving."""
    _startup_tasks[name] = run


def startup_tasks() -> list[Callable[[], None]]:
    return list(_startup_tasks.values())


def body_filter_register(*, name: str, apply: Callable[[str, HttpRequest], str]) -> None:
    """Have every citing page pass its rendered body through `apply(html, request)`
    before its citations are numbered (core.models.CitingPageMixin)."""
    _body_filters[name] = apply


def body_filters() -> list[Callable[[str, HttpRequest], str]]:
    return list(_body_filters.values())


# Page types core's templates link by their role on the site, registered by the apps
# that define them: "home" (the home page, whose `action_page` is the site's main
# action: pages) and "updates_index" (the updates list the header links: news).
_page_roles: dict[str, type] = {}


def page_role_register(*, role: str, model: type) -> None:
    """Name `model` as the page type that plays `role` (see above)."""
    _page_roles[role] = model


def page_role(role: str) -> type:
    """The page type registered for `role` (KeyError when no installed app plays it)."""
    return _page_roles[role]
