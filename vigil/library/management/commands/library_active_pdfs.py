"""List stored library PDFs with active content, uploaded before such PDFs were refused."""

from django.core.management.base import BaseCommand
from pypdf import PdfReader

from vigil.library import services
from vigil.library.models import LibraryDocument


class Command(BaseCommand):
    help = (
        "List library PDFs that hold JavaScript, launch actions, embedded files or other "
        "active content (new uploads of these are refused). Replace each with a plain copy "
        "in the admin. Exit status 1 when any is found."
    )

    def handle(self, *args, **options):
        found = 0
        for document in LibraryDocument.objects.filter(media_type=services.PDF).iterator():
            try:
                with document.file.open("rb") as handle:
                    active = services.pdf_active_content(reader=PdfReader(handle, strict=False))
            except Exception as error:  # noqa: BLE001 - a missing or broken file is reported
                self.stderr.write(f"{document.pk} {document.file.name}: unreadable ({error})")
                continue
            if active:
                found += 1
                kinds = ", ".join(sorted(active))
                self.stdout.write(f"{document.pk} {document.file.name}: {kinds}")
        self.stdout.write(f"{found} PDFs with active content.")
        if found:
            raise SystemExit(1)
