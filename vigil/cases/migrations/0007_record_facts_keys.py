"""Locales and translation keys of the case record's rows (see 0006_record_facts_shared)."""

import json
import uuid
from collections import defaultdict

from django.conf import settings
from django.db import migrations

RELATIONS = {
    "charges": "Charge",
    "decisions": "InternationalDecision",
    "orders": "DetentionOrder",
    "deadlines": "Deadline",
}


def _keys_assign(apps, pages, sources) -> dict:
    """Set each row's locale and key; return {relation: {row pk: (key, locale id)}}."""
    assigned = {}
    for relation, name in RELATIONS.items():
        model = apps.get_model("cases", name)
        rows = defaultdict(list)
        for row in model.objects.order_by("sort_order", "pk"):
            rows[row.case_id].append(row)
        originals = [p for p in pages if sources.get(p["translation_key"], p["pk"]) == p["pk"]]
        copies = [p for p in pages if p not in originals]
        for page in originals + copies:
            source_rows = rows[sources.get(page["translation_key"], page["pk"])]
            for position, row in enumerate(rows[page["pk"]]):
                if page in copies and position < len(source_rows):
                    row.translation_key = source_rows[position].translation_key
                else:
                    row.translation_key = uuid.uuid4()
                row.locale_id = page["locale_id"]
        changed = [row for page_rows in rows.values() for row in page_rows]
        model.objects.bulk_update(changed, ["translation_key", "locale_id"], batch_size=500)
        assigned[relation] = {row.pk: (str(row.translation_key), row.locale_id) for row in changed}
    return assigned


def _content_keys_add(content: dict, assigned: dict, locale_id) -> bool:
    changed = False
    for relation, by_pk in assigned.items():
        for row in content.get(relation) or []:
            key, row_locale = by_pk.get(row.get("pk"), (None, locale_id))
            if key and row.get("translation_key") != key:
                row["translation_key"] = key
                changed = True
            if row.get("locale") is None:
                row["locale"] = row_locale
                changed = True
    return changed


def forwards(apps, schema_editor):
    CasePage = apps.get_model("cases", "CasePage")
    pages = list(
        CasePage.objects.values("pk", "translation_key", "locale_id", "locale__language_code")
    )
    sources = {
        p["translation_key"]: p["pk"]
        for p in pages
        if p["locale__language_code"] == settings.LANGUAGE_CODE
    }
    assigned = _keys_assign(apps, pages, sources)
    locales = {str(p["pk"]): p["locale_id"] for p in pages}
    Revision = apps.get_model("wagtailcore", "Revision")
    revisions = Revision.objects.filter(
        content_type__app_label="cases", content_type__model="casepage"
    )
    for revision in revisions.iterator():
        if _content_keys_add(revision.content, assigned, locales.get(revision.object_id)):
            revision.save(update_fields=["content"])
    TranslationSource = apps.get_model("wagtail_localize", "TranslationSource")
    stored = TranslationSource.objects.filter(
        specific_content_type__app_label="cases", specific_content_type__model="casepage"
    )
    for source in stored.iterator():
        content = json.loads(source.content_json)
        if _content_keys_add(content, assigned, locales.get(str(content.get("pk")))):
            source.content_json = json.dumps(content)
            source.save(update_fields=["content_json"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_record_facts_shared"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
