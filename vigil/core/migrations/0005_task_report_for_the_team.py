"""The team's groups may open Reports > Background tasks, so that whoever sends a mailing
or schedules a page can see whether it ran (the report shows an error's traceback to
superusers only: a mail server's refusal may name a supporter's address).

Only added, never taken away; a group a site renamed or deleted is left alone.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TEAM_GROUPS = ("Editors", "Moderators", "Mail senders", "Signer data")
APP_LABEL = "django_tasks_database"
CODENAME = "view_dbtaskresult"


def task_report_grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are made after all migrations; this one is needed before, on a new
    # site. create_permissions skips an app without a models module, and a migration's
    # stand-in app has none, though its models are all there.
    config = apps.get_app_config(APP_LABEL)
    config.models_module = True
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = None
    permission = Permission.objects.get(content_type__app_label=APP_LABEL, codename=CODENAME)
    for group in Group.objects.filter(name__in=TEAM_GROUPS):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_schedules_and_leases"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(task_report_grant, migrations.RunPython.noop)]
