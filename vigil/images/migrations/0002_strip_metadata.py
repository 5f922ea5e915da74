"""Pictures uploaded before Vigil stripped metadata: strip them now, drop their renditions.

Runs once on `manage.py migrate`, so a site that is merely upgraded stops publishing
where its photos were taken without anyone having to know a command exists;
`manage.py images_strip_metadata` does the same again by hand (e.g. after restoring an
old backup's media). Renditions are made again from the clean originals when needed.
"""

from django.db import migrations


def strip_stored(apps, schema_editor):
    # The service takes models as arguments, so the historical ones are used here.
    from vigil.images.services import images_clean_stored

    images_clean_stored(
        image_model=apps.get_model("images", "CampaignImage"),
        rendition_model=apps.get_model("images", "CampaignRendition"),
    )


class Migration(migrations.Migration):
    dependencies = [("images", "0001_initial")]

    operations = [migrations.RunPython(strip_stored, migrations.RunPython.noop, elidable=True)]
