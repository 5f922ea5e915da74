"""The admin form of pages that cite sources: a reference row left empty is dropped."""

from wagtail.admin.forms import WagtailAdminPageForm

# Every field an editor fills in on a reference row (ORDER, DELETE and id are the form's own).
REFERENCE_FIELDS = ("title", "publisher", "published_on", "url", "document")


class CitingPageForm(WagtailAdminPageForm):
    """Drops reference rows the editor added but left empty.

    The row's ordering field counts as a change, so Django keeps an added row even when
    nothing was typed into it: publishing then stopped at the empty row's required
    title, and a draft (autosave included, where Wagtail defers required fields)
    stored a reference with no title at all.
    """

    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("references")
        if formset is not None:
            for form in formset.forms:
                if form.instance.pk is None and _left_empty(form):
                    form.errors  # noqa: B018 - cleans the row, so that it can be marked
                    form.cleaned_data["DELETE"] = True
        return cleaned_data


def _left_empty(form) -> bool:
    return not any(form.data.get(form.add_prefix(name), "").strip() for name in REFERENCE_FIELDS)
