from decimal import Decimal

import pytest

from pib.selectors import person_loan_usage
from tests.pib.factories import PersonFactory


@pytest.mark.django_db
def test_factory_person_has_loan_usage_from_paid_invoices():
    person = PersonFactory(loan_used=Decimal("7500"))
    assert person_loan_usage(person) == (Decimal("10000.00"), Decimal("7500.00"), Decimal("2500.00"))
