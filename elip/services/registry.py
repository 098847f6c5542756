"""Writes of DUO's registry that emit ELIP signals. They live in ``elip`` because they need to know
who is an ELIP person (a letter was sent) and the signals app; the registry's models stay in ``pib``.
Every change to a person goes through these services — the portal, Django admin (the person and
term-extension admins in ``elip.admin``) and the demo generator alike — so that the signals
SS401–SS404 are emitted in the same transaction as their cause, and only for ELIP persons.

| change                                   | signal                                            |
|------------------------------------------|---------------------------------------------------|
| term end date changes (e.g. extension)   | SS401 to the municipality of residence            |
| obligation ends (inburgeringsplichtig →   | SS402 to the municipality of residence            |
|   voldaan/ontheffing/vrijstelling/beëindigd)|                                                 |
| municipality of residence changes        | SS403 to the new, SS404 to the old municipality   |

SS400 is emitted by the weekly run when the ELIP letter is created.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from letters.models import Letter
from pib.constants import ObligationStatus
from pib.models import Municipality, Person, TermExtension
from signals.constants import SignalCode
from signals.services import signal_emit

# Fields of Person that a registry update may set (everything but the keys).
UPDATABLE_FIELDS = frozenset(
    f.name for f in Person._meta.concrete_fields if f.name not in {"id", "public_id"} and f.editable
)
ADDRESS_FIELDS = ("street", "house_number", "house_number_addition", "postcode", "city")


def is_elip_person(person: Person) -> bool:
    """An ELIP person: a person who was sent the ELIP letter (``letters.models.Letter``).
    The one definition used to decide whether a registry change emits a signal."""
    return Letter.objects.filter(person_id=person.pk).exists()


def _today(on_date: dt.date | None) -> dt.date:
    return on_date or timezone.localdate()


@transaction.atomic
def person_create(*, instance: Person | None = None, **fields) -> Person:
    """A new registry person. Emits nothing: a new person has no ELIP letter yet."""
    person = instance if instance is not None else Person(**fields)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def person_update(*, person: Person, on_date: dt.date | None = None, **changes) -> Person:
    """Change registry fields of a person and emit the signals the change causes.

    The person's row is locked and compared with the stored values, so the signals follow
    what really changed: term_end → SS401; obligation_status leaving "inburgeringsplichtig"
    → SS402; municipality → SS404 (old) + SS403 (new). Validation errors raise
    ``ValidationError`` (Dutch) and nothing is saved.
    """
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"Unknown person fields: {sorted(unknown)}")
    current = Person.objects.select_for_update().get(pk=person.pk)
    if not changes:
        return current
    old = {
        "term_end": current.term_end,
        "obligation_status": current.obligation_status,
        "municipality_id": current.municipality_id,
    }
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean(validate_unique=False)
    current.save(update_fields=list(changes))
    _emit_for_changes(current, old, _today(on_date))
    # Keep the caller's instance in step with the database.
    for name in changes:
        setattr(person, name, getattr(current, name))
    return current


def _emit_for_changes(person: Person, old: dict, on_date: dt.date) -> None:
    term_changed = person.term_end != old["term_end"]
    obligation_ended = (
        old["obligation_status"] == ObligationStatus.OBLIGED and person.obligation_status != ObligationStatus.OBLIGED
    )
    moved = person.municipality_id != old["municipality_id"]
    if not (term_changed or obligation_ended or moved) or not is_elip_person(person):
        return
    if moved:
        old_municipality = Municipality.objects.get(pk=old["municipality_id"])
        signal_emit(person=person, municipality=old_municipality, code=SignalCode.SS404, on_date=on_date)
        signal_emit(person=person, municipality=person.municipality, code=SignalCode.SS403, on_date=on_date)
    # SS401/SS402 go to the municipality of residence (after a move: the new one).
    if term_changed:
        signal_emit(person=person, municipality=person.municipality, code=SignalCode.SS401, on_date=on_date)
    if obligation_ended:
        signal_emit(person=person, municipality=person.municipality, code=SignalCode.SS402, on_date=on_date)


def person_move(*, person: Person, municipality: Municipality, on_date: dt.date | None = None, **address) -> Person:
    """The person moves (to another municipality, or within one): new address fields
    (street, house_number, house_number_addition, postcode, city) and municipality."""
    unknown = set(address) - set(ADDRESS_FIELDS)
    if unknown:
        raise ValueError(f"Unknown address fields: {sorted(unknown)}")
    return person_update(person=person, on_date=on_date, municipality=municipality, **address)


def person_term_end_change(*, person: Person, term_end: dt.date, on_date: dt.date | None = None) -> Person:
    return person_update(person=person, on_date=on_date, term_end=term_end)


def obligation_end(*, person: Person, status: str, on_date: dt.date | None = None) -> Person:
    """The obligation ends: met (voldaan), ontheffing, vrijstelling or beëindigd."""
    if status == ObligationStatus.OBLIGED or status not in ObligationStatus.values:
        raise ValidationError("Kies hoe de inburgeringsplicht is geëindigd.", code="invalid_status")
    return person_update(person=person, on_date=on_date, obligation_status=status)


@transaction.atomic
def term_extension_add(
    *, person: Person, kind: str, new_end: dt.date, granted_on: dt.date, on_date: dt.date | None = None
) -> TermExtension:
    """Grant an extension: records it (previous end = the current term end) and moves
    Person.term_end to ``new_end`` (→ SS401 for an ELIP person)."""
    current = Person.objects.select_for_update().get(pk=person.pk)
    if new_end <= current.term_end:
        raise ValidationError(
            "De nieuwe einddatum moet na de huidige einddatum van de inburgeringstermijn "
            f"({current.term_end:%d-%m-%Y}) liggen.",
            code="extension_not_later",
        )
    extension = TermExtension(
        person=current, kind=kind, previous_end=current.term_end, new_end=new_end, granted_on=granted_on
    )
    extension.full_clean()
    extension.save()
    person_update(person=person, on_date=on_date, term_end=new_end)
    return extension


@transaction.atomic
def term_extension_update(*, extension: TermExtension, on_date: dt.date | None = None, **changes) -> TermExtension:
    """Correct a recorded extension. When it is the extension in force (its new end is the
    person's term end) and its new end changes, the person's term end follows (→ SS401)."""
    stored = TermExtension.objects.select_for_update().get(pk=extension.pk)
    person = Person.objects.select_for_update().get(pk=stored.person_id)
    in_force = stored.new_end == person.term_end
    for name, value in changes.items():
        setattr(stored, name, value)
    stored.full_clean()
    stored.save()
    if in_force and stored.new_end != person.term_end:
        person_update(person=person, on_date=on_date, term_end=stored.new_end)
    return stored
