"""`{{ code|language_name }}`: a language's name where the admin would show its code."""

from django import template

from vigil.languages.services import language_name as name_of

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    return name_of(code=code)
