"""UpdateReferences become translatable child objects (wagtail-localize offers their titles and
publishers to translators): each row takes its page's locale, and a translation's rows take
the translation keys of the original's rows at the same position."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _keys_and_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("news", "UpdatePage")
    Reference = apps.get_model("news", "UpdateReference")
    default = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).first()
    pages = list(Page.objects.order_by("pk").values_list("pk", "locale_id", "translation_key"))
    originals = {}
    for pk, locale_id, key in pages:
        if key not in originals or (default is not None and locale_id == default.pk):
            originals[key] = pk
    rows = {}
    for reference in Reference.objects.order_by("page_id", "sort_order", "pk"):
        rows.setdefault(reference.page_id, []).append(reference)
    keys = {}
    for pk, _locale_id, key in pages:
        if originals[key] == pk:
            keys[pk] = [uuid.uuid4() for _row in rows.get(pk, [])]
    for pk, locale_id, key in pages:
        original_keys = keys[originals[key]]
        for position, reference in enumerate(rows.get(pk, [])):
            reference.locale_id = locale_id
            reference.translation_key = (
                original_keys[position] if position < len(original_keys) else uuid.uuid4()
            )
            reference.save(update_fields=["locale", "translation_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0004_tagtranslation"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="updatereference",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name="updatereference",
            name="locale",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.RunPython(_keys_and_locales, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="updatereference",
            name="locale",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.AlterUniqueTogether(
            name="updatereference",
            unique_together={("translation_key", "locale")},
        ),
    ]
