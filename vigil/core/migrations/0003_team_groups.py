"""The team's groups, so that every site (not only the demo) can add a member who is no superuser.

Wagtail's own migrations make *Editors* (write pages, submit them for moderation) and
*Moderators* (also publish and approve), with images and documents. They know nothing of
Vigil's snippets, so a member of either could not open the support register, the
timeline, external petitions, tag names or series. This gives both groups those, and adds
two groups for what touches supporters: *Mail senders* send published updates to
subscribers; *Signer data* export signatures and erase a person's data on request.

Permissions are only added, never taken away: a site's own changes to these groups stay.
The names are written here, not imported, so the migration stays as it was run.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACCESS_ADMIN = ("wagtailadmin", "access_admin")

CAMPAIGN = [
    (app_label, f"{action}_{model}")
    for app_label, model in [
        ("support", "statement"),
        ("cases", "timelineevent"),
        ("actions", "externalpetition"),
        ("news", "tagtranslation"),
        ("news", "series"),
    ]
    for action in ("add", "change", "delete", "view")
] + [("sources", "view_sourcelink")]

GROUPS = {
    "Editors": [ACCESS_ADMIN, *CAMPAIGN],
    "Moderators": [ACCESS_ADMIN, *CAMPAIGN],
    "Mail senders": [ACCESS_ADMIN, ("actions", "send_mailing")],
    "Signer data": [
        ACCESS_ADMIN,
        ("actions", "export_signature"),
        ("actions", "delete_signature"),
        ("actions", "delete_subscriber"),
    ],
}


def _permissions_create(apps):
    """Permissions are made after all migrations; these are needed before, on a new site."""
    labels = {app_label for perms in GROUPS.values() for app_label, _codename in perms}
    # Wagtail's own migration made access_admin (its model is gone from the state).
    for label in labels - {ACCESS_ADMIN[0]}:
        config = apps.get_app_config(label)
        # create_permissions skips an app without a models module; a migration's
        # stand-in app has none, though its models are all there.
        config.models_module = True
        try:
            create_permissions(config, apps=apps, verbosity=0)
        finally:
            config.models_module = None


def team_groups_create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    _permissions_create(apps)
    for name, perms in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_locales"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        # These give "choose" to every group that reaches the admin; run after them,
        # so the new groups, which choose no image or document, are left without it.
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("support", "0001_initial"),
        ("cases", "0005_timelineeventtranslation"),
        ("actions", "0001_initial"),
        ("news", "0004_tagtranslation"),
        ("sources", "0001_initial"),
    ]

    operations = [migrations.RunPython(team_groups_create, migrations.RunPython.noop)]
