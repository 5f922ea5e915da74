"""Create a Wagtail locale for every content language, each kept in sync with English.

Synchronisation (wagtail-localize) gives every English page an alias in Russian and
Kazakh until it is translated, so /ru/ and /kk/ always have the whole site.
"""

from django.conf import settings
from django.db import migrations


def locales_create(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    LocaleSynchronization = apps.get_model("wagtail_localize", "LocaleSynchronization")
    default, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        if code == default.language_code:
            continue
        locale, _created = Locale.objects.get_or_create(language_code=code)
        LocaleSynchronization.objects.get_or_create(locale=locale, defaults={"sync_from": default})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
    ]

    operations = [migrations.RunPython(locales_create, migrations.RunPython.noop)]
