"""Refusals in the admin that say what is missing and whom to ask.

Wagtail answers a missing permission by sending the editor back to the dashboard with
"Sorry, you do not have permission to access this area.": a team member cannot tell
what they lack, which group has it or who can add them to it. Here every refusal is a
403 page, in the editor's language, that says so.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail.admin.localization import get_localized_response

# The team's groups (made by vigil/core/migrations/0003_team_groups.py, and Wagtail's
# own two), with what each allows, to tell a refused editor which one to ask for.
TEAM_GROUPS = {
    "Editors": _(
        "write pages and updates (a moderator publishes them), the support register, "
        "library documents, the timeline, tag names, series and external petition counts"
    ),
    "Moderators": _("everything editors do, and publish pages and approve editors' changes"),
    "Mail senders": _("send published updates to email subscribers"),
    "Signer data": _("export a petition's signatures and erase a person's data on request"),
}


@dataclass(frozen=True)
class Need:
    """What a refused editor was trying to do, and the permissions it takes."""

    action: Promise
    permissions: dict[str, Promise]  # "app_label.codename" -> its name, to show


def _permission_filter(codename: str) -> Q:
    app_label, _dot, name = codename.partition(".")
    return Q(permissions__content_type__app_label=app_label, permissions__codename=name)


def groups_granting(codenames) -> list[Group]:
    """The groups whose members have every one of these permissions."""
    groups = Group.objects.all()
    for codename in codenames:
        groups = groups.filter(_permission_filter(codename))
    return list(groups.distinct().order_by("name"))


def administrators() -> list:
    """Active accounts that can add a person to a group: superusers and user managers."""
    change_user = Permission.objects.filter(content_type__app_label="auth", codename="change_user")
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=change_user)
            | Q(user_permissions__in=change_user)
        )
        .distinct()
        .order_by("username")
    )


def _page(request, need: Need | None) -> TemplateResponse:
    missing = {}
    groups = [(group, TEAM_GROUPS.get(group.name)) for group in Group.objects.order_by("name")]
    if need is not None:
        missing = {
            code: name for code, name in need.permissions.items() if not request.user.has_perm(code)
        }
        granting = {group.pk for group in groups_granting(need.permissions)}
        groups = [(group, about) for group, about in groups if group.pk in granting]
    title = _("You cannot do this with your account")
    return TemplateResponse(
        request,
        "accounts/refused.html",
        {
            "page_title": title,
            "header_title": title,
            "header_icon": "lock",
            "need": need,
            "missing": list(missing.values()),
            "groups": groups,
            "administrators": administrators(),
            "path": request.path,
        },
        status=403,
    )


def permission_refused(request, need: Need | None = None) -> TemplateResponse:
    """A 403 page: what was refused, the groups that allow it, and whom to ask."""
    return get_localized_response(_page, request, need)


def admin_permission_denied(request):
    """Stands in for Wagtail's `permission_denied`, which sends the editor home."""
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        raise PermissionDenied
    return permission_refused(request)


def requires(need: Need):
    """A view decorator: without every permission of `need`, the refusal page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perms(list(need.permissions)):
                return permission_refused(request, need)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
