"""Hooks that core calls and the apps above it fill in their AppConfig.ready().

Core knows no domain (ARCHITECTURE.md): where it must run something an app above it
owns (a periodic task of `manage.py worker`, a filter over every page body), the app
registers it here when Django loads it, the way Wagtail's contrib apps connect their
handlers, and core calls whatever is registered. Registering twice under one name
replaces the first (ready() may run again in tests).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class ScheduledTask:
    """A task (django-tasks) the workers' scheduler enqueues every `every` seconds."""

    name: str
    task: Any
    every: int


_schedules: dict[str, ScheduledTask] = {}
_retry_delays: dict[str, tuple[int, ...]] = {}
_task_labels: dict[str, Any] = {}
_startup_tasks: dict[str, Callable[[], None]] = {}
_body_filters: dict[str, Callable[[str, HttpRequest], str]] = {}


def schedule_register(*, name: str, task: Any, every: int, label: Any) -> None:
    """Have `manage.py worker` enqueue `task` every `every` seconds (vigil/core/tasks.py).
    `label` (a lazy translation) is what the admin's Background tasks report calls the
    task: editors read it in their language, not as a function's name."""
    _schedules[name] = ScheduledTask(name=name, task=task, every=every)
    _task_labels[task.module_path] = label


def schedules() -> list[ScheduledTask]:
    """The registered schedules, in the order their apps were loaded (INSTALLED_APPS)."""
    return list(_schedules.values())


def task_retry_register(*, task: Any, delays: Sequence[int]) -> None:
    """Run `task` again after each of `delays` (seconds) when it fails."""
    _retry_delays[task.module_path] = tuple(delays)


def task_retry_delays(*, task_path: str) -> tuple[int, ...]:
    return _retry_delays.get(task_path, ())


def task_label(*, task_path: str) -> Any:
    """What the admin's Background tasks report calls a task (schedule_register's label)."""
    return _task_labels.get(task_path)


def startup_task_register(*, name: str, run: Callable[[], None]) -> None:
    """Have `manage.py serve` run `run` once before it starts serving (on its node)."""
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
# action and whose `featured_case` is the case record: pages), "updates_index" (the
# updates list the header links: news), "support_register" (support) and "library"
# (library), which the header's key links name on every page.
_page_roles: dict[str, type] = {}


def page_role_register(*, role: str, model: type) -> None:
    """Name `model` as the page type that plays `role` (see above)."""
    _page_roles[role] = model


def page_role(role: str) -> type:
    """The page type registered for `role` (KeyError when no installed app plays it)."""
    return _page_roles[role]


def page_roles(*roles: str) -> list[type]:
    """The page types registered for those of `roles` some installed app plays."""
    return [_page_roles[role] for role in roles if role in _page_roles]


# What every public page shows at the top of its main content, registered by the app that
# knows it (cases: the featured case's portrait, day count, status line and the main
# action), rendered by base.html's `{% page_banner %}`. A page type that shows its own
# (the home, case and update pages) overrides base.html's `banner` block.
_page_banners: list[Callable[[Any], str]] = []


def page_banner_register(*, render: Callable[[Any], str]) -> None:
    """Add `render(context) -> html` to the top of every public page."""
    _page_banners.append(render)


def page_banners() -> list[Callable[[Any], str]]:
    return list(_page_banners)


# What names a page's share image (og:image, twitter:image) in the head of every page:
# `sharing` draws the images and registers how to name them; core's template asks.
_share_image_describers: dict[str, Callable[[Any], dict | None]] = {}


def share_image_register(*, name: str, describe: Callable[[Any], dict | None]) -> None:
    """Have every page's head name a share image: `describe(context)` (the template
    context) returns {"url", "alt", "width", "height", "type"} with an absolute URL, or
    None for no image."""
    _share_image_describers[name] = describe


def share_image_describe(context) -> dict | None:
    """The share image of the page `context` renders: the first registered answer."""
    for describe in _share_image_describers.values():
        described = describe(context)
        if described:
            return described
    return None
