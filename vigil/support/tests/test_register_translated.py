"""The support register in Russian names the case in Russian, title before the name too."""

import pytest
from wagtail.models import Locale

from .factories import StatementFactory

pytestmark = pytest.mark.django_db


def test_russian_register_names_the_russian_case(client, case, register):
    case.honorific = "Dr."
    case.save_revision().publish()
    StatementFactory(case=case)
    russian = Locale.objects.get_or_create(language_code="ru")[0]
    case_ru = case.copy_for_translation(russian, copy_parents=True)
    case_ru.honorific, case_ru.person_name = "д-р", "Тестовый Человек"
    case_ru.save_revision().publish()
    register.copy_for_translation(russian, copy_parents=True).save_revision().publish()

    html = client.get("/ru/support/").content.decode()
    assert "д-р Тестовый Человек" in html
    assert "Dr." not in html
    english = client.get("/support/").content.decode()
    assert "Dr. Test Person" in english
