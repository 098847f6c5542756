"""Control-room test data: runs with per-municipality counts, letters in each render status, bundles.

week_run(date(2025, 3, 5), {"GM0014": 3}, failed={"GM0014": 1}, bundles=["GM0014"])
"""

import datetime as dt

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from controlroom.models import Alert, ControlAction
from elip.models import RunMunicipality
from letters.models import Letter, LetterBundle, RenderStatus
from pib.duo_groups import ACCOUNTS, FUNCTIONAL
from tests.elip.factories import SelectionRunFactory
from tests.pib.factories import PersonFactory, UserFactory, municipality


def week_run(run_date: dt.date, counts: dict[str, int], *, letters: dict[str, int] | None = None,
             failed: dict[str, int] | None = None, pending: dict[str, int] | None = None,
             bundles=(), status="voltooid", finished_at=None):  # fmt: skip
    """A run on ``run_date`` with RunMunicipality ``counts``; ``letters`` rendered letters (with a
    person each), plus ``failed`` / ``pending`` ones; a bundle with a PDF for each code in ``bundles``."""
    run = SelectionRunFactory(run_date=run_date, status=status, finished_at=finished_at or timezone.now())
    for code, count in counts.items():
        RunMunicipality.objects.create(run=run, municipality=municipality(code), letters_count=count)
    for states, status_value in ((letters, RenderStatus.RENDERED), (failed, RenderStatus.FAILED),
                                 (pending, RenderStatus.PENDING)):  # fmt: skip
        for code, n in (states or {}).items():
            for _ in range(n):
                person = PersonFactory(municipality=municipality(code))
                Letter.objects.create(person=person, municipality=person.municipality, dispatch=run.dispatch,
                                      letter_date=run_date, reference=f"ELIP-T-{person.pk}", matched_rule="lening",
                                      snapshot={}, render_status=status_value)  # fmt: skip
    for code in bundles:
        total = Letter.objects.filter(dispatch=run.dispatch, municipality=municipality(code)).count()
        LetterBundle.objects.create(dispatch=run.dispatch, municipality=municipality(code), letters_count=total,
                                    pdf=f"bundles/test-{code}.pdf")  # fmt: skip
    return run


def duo_user(username: str, group: str | None = FUNCTIONAL, **fields):
    user = UserFactory(username=username, is_staff=True, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def functional(username="fb", **fields):
    return duo_user(username, FUNCTIONAL, **fields)


def accounts(username="ab", **fields):
    return duo_user(username, ACCOUNTS, **fields)


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    key = factory.Sequence(lambda n: f"test:{n}")
    kind = "pdf_mislukt"
    run_date = dt.date(2025, 3, 5)
    message = "3 PDF('s) mislukt voor Groningen."


class ControlActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlAction

    kind = "melding_gezien"
