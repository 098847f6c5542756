"""Writes the registry as extract files in the import format (``elip.services.registry_format``,
docs/registry-import.md): ``manage.py export_registry DIR``.

What it is for: the round trip that proves the format complete (export → import into an empty
database → export again gives the same files), the import benchmark's input (a seeded population
of any size) and moving a registry between environments. The files hold personal data (BSNs,
names, addresses): they are written with mode 0600 and belong on an encrypted volume, never in a
ticket or a log. Rows are written in id order, read through a server-side cursor (memory stays
flat whatever the size)."""

import csv
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from .services.registry_format import DELIMITER, ENTITIES, Entity, format_line

CHUNK = 5000


def _lookup(entity: Entity, stage: str) -> str:
    model = entity.model
    attnames = {f.attname: f.name for f in model._meta.concrete_fields}
    if stage in attnames and stage != "municipality_id":
        return attnames[stage]
    person = "exam__person" if model.__name__ == "ExamAttempt" else "person"
    return {
        "bsn": f"{person}__bsn",
        "institution_code": "institution__code",
        "contract_number": "contract__number",
        "component": "exam__component",
        "municipality_id": "municipality__code",
    }[stage]


def _cell(value) -> str:
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def export_entity(entity: Entity, directory: Path) -> int:
    path = Path(directory) / entity.filename
    lookups = [_lookup(entity, column.stage) for column in entity.columns]
    rows = entity.model.objects.order_by("id").values_list(*lookups).iterator(chunk_size=CHUNK)
    count = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=DELIMITER, lineterminator="\n")
        writer.writerow(format_line(entity))
        writer.writerow(entity.header)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
            count += 1
    return count


def registry_export(*, directory: str | Path, progress=None) -> dict[str, int]:
    """Writes one file per entity into ``directory`` (created if missing); returns rows per file."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for entity in ENTITIES:
        counts[entity.filename] = export_entity(entity, directory)
        if progress:
            progress(entity.filename, counts[entity.filename])
    return counts
