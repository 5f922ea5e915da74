import pytest

from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory

from .factories import SupportRegisterPageFactory


@pytest.fixture
def case(home):
    return CasePageFactory(parent=CaseIndexPageFactory(parent=home), slug="test-person")


@pytest.fixture
def register(home, case):
    return SupportRegisterPageFactory(parent=home, case=case)
