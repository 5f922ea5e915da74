"""URL converters Django lacks, registered when this module is imported."""

from django.urls import register_converter


class UnicodeSlugConverter:
    """A slug in any script. Tags named in Russian or Kazakh keep their letters in their
    slugs (taggit: `здоровье`, `қазақ-тілі`), which Django's `<slug:…>` refuses."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")
