"""The campaign's library of primary documents."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument, Document


class LibraryDocument(AbstractDocument):
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_(
            "Two or three sentences telling readers what this document is and why it matters."
        ),
    )

    admin_form_fields = Document.admin_form_fields + ("summary",)
