"""Charges, decisions, detention orders and deadlines become translatable child objects.

Each row gets the locale of its case page and a translation key. A translated case
page's rows are copies of the original's, in the same order (as wagtail-localize and
the demo made them): the n-th row of a translation takes the key of the n-th row of
the original, so the facts of the original can be shown with the translation's texts.
The keys are also written into the case pages' revisions and wagtail-localize's stored
sources, or the next publish from an older revision would give every row a new key.
"""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("charge", "internationaldecision", "detentionorder", "deadline")


def _fields(name: str) -> list:
    return [
        migrations.AddField(
            model_name=name,
            name="locale",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.AddField(
            model_name=name,
            name="translation_key",
            field=models.UUIDField(null=True, editable=False),
        ),
    ]


class Migration(migrations.Migration):
    """Three steps in three transactions (0006-0008): on PostgreSQL a table whose rows
    were just updated (foreign key checks pending) cannot be altered in the same one."""

    dependencies = [
        ("cases", "0005_timelineeventtranslation"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [op for name in MODELS for op in _fields(name)]
