"""The Letter factory: the ELIP letter that makes a person an ELIP person of a municipality.

PersonFactory(elip=True) uses it; LetterFactory(person=p) adds a letter to an existing person.
"""

import datetime as dt

import factory

from letters.models import Letter
from tests.elip.factories import SelectionRunFactory

LETTER_DATE = dt.date(2025, 3, 5)


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letter

    person = factory.SubFactory("tests.pib.factories.PersonFactory")
    municipality = factory.LazyAttribute(lambda o: o.person.municipality)
    letter_date = LETTER_DATE
    dispatch = factory.LazyAttribute(lambda o: SelectionRunFactory(run_date=o.letter_date).dispatch)
    reference = factory.LazyAttribute(lambda o: f"ELIP-{o.person.pk}")
    matched_rule = "termijn_en_lening"
    snapshot = factory.LazyFunction(dict)
