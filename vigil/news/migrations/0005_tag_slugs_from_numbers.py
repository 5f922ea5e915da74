"""Tags whose slug has no letter or digit ("", "_1": names of punctuation only) get
"tag-<number>", as new ones do (vigil.news.signals)."""

from django.db import migrations

from vigil.news.signals import slug_for_number, slug_meaningless


def slugs_fix(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    for tag in Tag.objects.all().only("pk", "slug"):
        if slug_meaningless(tag.slug):
            Tag.objects.filter(pk=tag.pk).update(slug=slug_for_number(model=Tag, pk=tag.pk))


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0004_tagtranslation"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(slugs_fix, migrations.RunPython.noop)]
