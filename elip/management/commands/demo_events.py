"""Demo: apply a handful of realistic registry events to ELIP persons, through the services,
so the municipalities get SS401–SS404 next to the weekly run's SS400.

    python manage.py demo_events --seed 2025 [--events 12] [--force]

Deterministic for a seed and a database. Runs once: when SS401–SS404 signals exist already it
does nothing (``--force`` applies another round). Prints what it did, never a BSN.

The headline demo municipality (Groningen, account ``groningen``) gets every code first: term
extensions (SS401), ended obligations (SS402), persons moving in from another municipality (SS403)
and moving out (SS404) — with the weekly run's SS400 more than 20 signals, enough to page through.
"""

import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from elip.demo.population import postcode
from elip.services.registry import obligation_end, person_move, term_extension_add
from letters.models import Letter
from pib.constants import ObligationStatus, Role
from pib.dates import add_months
from pib.models import Authorisation, Municipality
from signals.constants import SignalCode
from signals.models import Signal
from signals.services import person_contact_assign

HEADLINE_MUNICIPALITY = "GM0014"
EXTENSION_KINDS = ["Coronamaatregelen", "Ziekte of zwangerschap", "Aantoonbaar voldoende inspanning", "Alfabetisering"]
STREETS = ["Stationsstraat", "Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Beatrixlaan"]


class Command(BaseCommand):
    help = "Voert een paar realistische registerwijzigingen door bij ELIP-personen (signalen SS401–SS404)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--events", type=int, default=12, help="Aantal gebeurtenissen (standaard 12).")
        parser.add_argument("--force", action="store_true", help="Ook als er al demo-gebeurtenissen zijn.")

    def handle(self, *args, seed, events, force, **options):
        later_codes = [SignalCode.SS401, SignalCode.SS402, SignalCode.SS403, SignalCode.SS404]
        if not force and Signal.objects.filter(code__in=later_codes).exists():
            self.stdout.write("Demo-gebeurtenissen zijn al toegepast; niets gedaan (gebruik --force voor meer).")
            return
        letters = list(
            Letter.objects.select_related("person", "person__municipality")
            .filter(person__obligation_status=ObligationStatus.OBLIGED)
            .order_by("pk")
        )
        if not letters:
            self.stdout.write("Geen ELIP-personen gevonden: draai eerst de wekelijkse run (manage.py elip_run).")
            return
        rng = random.Random(seed)  # noqa: S311 - demo data, not security
        today = timezone.localdate()
        # Moves go to municipalities that have ELIP persons, so a demo user sees both sides.
        elip_municipalities = sorted({letter.municipality_id for letter in letters})
        headline = self._headline_events(rng, letters)
        taken = {person.pk for _kind, person, _target in headline}
        rest = [letter for letter in letters if letter.person_id not in taken]
        persons = [letter.person for letter in rng.sample(rest, min(events, len(rest)))]
        kinds = ["verlenging", "verhuizing", "voldaan", "verlenging", "verhuizing", "ontheffing"]
        planned = headline + [(kinds[i % len(kinds)], person, None) for i, person in enumerate(persons)]
        with transaction.atomic():
            for kind, person, target in planned:
                label = f"inburgeraar {person.public_id}"
                if kind == "verlenging":
                    new_end = add_months(max(person.term_end, today), rng.choice([3, 6, 12]))
                    term_extension_add(
                        person=person,
                        kind=rng.choice(EXTENSION_KINDS),
                        new_end=new_end,
                        granted_on=today,
                        on_date=today,
                    )
                    self.stdout.write(f"Verlenging: {label}, nieuwe einddatum {new_end:%d-%m-%Y} (SS401)")
                elif kind == "verhuizing":
                    old = person.municipality
                    target = target or self._target_municipality(rng, old.pk, elip_municipalities)
                    person_move(
                        person=person,
                        municipality=target,
                        street=rng.choice(STREETS),
                        house_number=rng.randint(1, 120),
                        house_number_addition="",
                        postcode=postcode(rng, target.code, target.province),
                        city=target.name,
                        on_date=today,
                    )
                    self.stdout.write(f"Verhuizing: {label} van {old.name} naar {target.name} (SS404, SS403)")
                else:
                    status = ObligationStatus.MET if kind == "voldaan" else ObligationStatus.EXEMPTED
                    obligation_end(person=person, status=status, on_date=today)
                    self.stdout.write(f"Inburgeringsplicht beëindigd ({status.label}): {label} (SS402)")
            self._assign_contacts(rng, letters)
        self.stdout.write(self.style.SUCCESS(f"{len(planned)} gebeurtenissen toegepast."))

    def _headline_events(self, rng, letters):
        """(kind, person, target) for Groningen: 3 extensions, 1 met and 1 exempted, 2 moves out,
        3 moves in. Empty when Groningen has too few ELIP persons (a small test database)."""
        headline = Municipality.objects.filter(code=HEADLINE_MUNICIPALITY).first()
        if headline is None:
            return []
        own = [letter.person for letter in letters if letter.person.municipality_id == headline.pk]
        others = [letter.person for letter in letters if letter.person.municipality_id != headline.pk]
        if len(own) < 8 or len(others) < 3:
            return []
        own = rng.sample(own, 7)
        kinds = ["verlenging"] * 3 + ["voldaan", "ontheffing", "verhuizing", "verhuizing"]
        events = [(kind, person, None) for kind, person in zip(kinds, own, strict=True)]
        return events + [("verhuizing", person, headline) for person in rng.sample(others, 3)]

    def _target_municipality(self, rng, current_id, elip_municipalities):
        choices = [pk for pk in elip_municipalities if pk != current_id]
        if choices:
            return Municipality.objects.get(pk=rng.choice(choices))
        return Municipality.objects.exclude(pk=current_id).order_by("code")[rng.randrange(10)]

    def _assign_contacts(self, rng, letters):
        """Give some ELIP persons a contact person: a user holding the signals role there."""
        assigned = 0
        for letter in letters[:: max(1, len(letters) // 10)]:
            person = letter.person
            person.refresh_from_db(fields=["municipality"])
            users = [
                a.user
                for a in Authorisation.objects.filter(municipality_id=person.municipality_id, role=Role.ELIP_SIGNALS)
                .select_related("user")
                .order_by("user__username")
            ]
            if users:
                person_contact_assign(municipality=person.municipality, person=person, user=rng.choice(users))
                assigned += 1
        if assigned:
            self.stdout.write(f"Contactpersoon toegewezen aan {assigned} ELIP-personen.")
