"""Every row of the case record has a locale and a translation key, once per locale."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("charge", "internationaldecision", "detentionorder", "deadline")


def _constraints(name: str) -> list:
    return [
        migrations.AlterField(
            model_name=name,
            name="locale",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.AlterField(
            model_name=name,
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterUniqueTogether(name=name, unique_together={("translation_key", "locale")}),
    ]


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_record_facts_keys")]

    operations = [
        *(op for name in MODELS for op in _constraints(name)),
        migrations.AlterModelOptions(
            name="charge",
            options={"ordering": ["sort_order"], "verbose_name": "charge"},
        ),
        migrations.AlterModelOptions(
            name="internationaldecision",
            options={"ordering": ["sort_order"], "verbose_name": "Decision"},
        ),
    ]
