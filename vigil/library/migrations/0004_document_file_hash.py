"""Documents saved without Wagtail's upload form had no file_hash, which Wagtail serves
as their ETag: every one answered with the same empty ETag. Fill it in from the file."""

import hashlib

from django.db import migrations

CHUNK_SIZE = 1 << 20


def file_hashes_fill(apps, schema_editor):
    Document = apps.get_model("library", "LibraryDocument")
    for document in Document.objects.filter(file_hash="").only("pk", "file"):
        digest = hashlib.sha1(usedforsecurity=False)
        try:
            with document.file.open("rb") as file:
                for chunk in iter(lambda: file.read(CHUNK_SIZE), b""):
                    digest.update(chunk)
        except (FileNotFoundError, ValueError):
            continue  # a missing file: nothing to serve, nothing to hash
        Document.objects.filter(pk=document.pk).update(file_hash=digest.hexdigest())


class Migration(migrations.Migration):
    dependencies = [("library", "0003_document_slug_unicode")]

    operations = [migrations.RunPython(file_hashes_fill, migrations.RunPython.noop)]
