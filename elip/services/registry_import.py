"""Loads DUO registry extracts (format: ``elip.services.registry_format``, docs/registry-import.md)
into the registry, one file per transaction.

Guarantees, and what enforces them:
- **All or nothing per file.** A file is read, checked and written inside one
  ``transaction.atomic``; any error (a bad cell, a duplicate natural key, an unknown reference, a
  service refusing a change) raises ``ImportFailed`` with the Dutch report and rolls the file back.
- **Idempotent upserts by natural key.** Rows are matched on the entity's natural key; a row whose
  values equal the stored ones is not touched (no write, no history row, no signal), so importing
  the same file twice changes nothing the second time.
- **Signals as for admin edits.** A changed *existing* person goes through
  ``elip.services.registry.person_update`` (the service behind ``PersonAdmin.save_model``), a changed
  term extension through ``term_extension_update``; so SS401–SS404 follow exactly the same rule
  (only for ELIP persons, in the same transaction). Other changed rows are saved as their admin
  inlines save them (``full_clean`` + ``save``: a history row, no signal). *New* rows are written
  set-based (``INSERT … SELECT`` from a staging table filled by COPY) with a history row each, as
  ``person_create`` would leave them: a new row emits no signal (a new person has no ELIP letter; a
  new extension's term end arrives through ``einde_termijn`` in personen.csv, which is a change of
  the person and so emits SS401 — once, not twice).
- **Reading overlaps loading**: ``registry_import`` reads and checks the files in load order in one
  reader thread (``prepare_file``: no database access; rows spooled as COPY text to a temporary
  file), while the database loads the previous file; so Python's parsing and PostgreSQL's writing
  run on the two cores at once.
- **Nothing personal in a message or a log line**: errors name file, line and column; a BSN is never
  echoed (``registry_format``).

PostgreSQL only (staging table, COPY): the production database. The embedded SQLite demo does not
import (``ImportFailed`` says so).
"""

import datetime as dt
import logging
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation

from pib.models import Exam, ExamAttempt, Municipality, Person, TermExtension
from pib.route_facts import refresh_route_facts
from signals.models import Signal

from .registry import person_update, term_extension_update
from .registry_format import (
    BOOLEAN,
    BSN,
    BY_NAME,
    CHOICE,
    DATE,
    DECIMAL,
    ENTITIES,
    INTEGER,
    MAX_ERRORS,
    MUNICIPALITY,
    PG_TYPES,
    POSTCODE,
    TEXT,
    Entity,
    FileRejected,
    read_format_line,
    read_records,
)

logger = logging.getLogger(__name__)

STAGE = "registry_import_stage"
COPY_BLOCK = 1 << 20  # bytes per write of the spool file into COPY
CHANGE_BATCH = 500  # changed rows fetched per query
CHANGE_REASON = "registerimport"


class ImportFailed(Exception):
    """The file was not loaded; ``errors`` are the report's lines (Dutch, no personal data)."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class FileResult:
    filename: str
    entity: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    signals: int = 0
    seconds: float = 0.0
    phases: dict = field(default_factory=dict)

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated


@dataclass
class Context:
    """What reading a file needs: the municipality ids by code, and the BSNs found valid so far in
    this run (the elfproef once per person, not once per row of each of its records)."""

    municipalities: dict[str, int]
    valid_bsns: set[str] = field(default_factory=set)

    @classmethod
    def load(cls):
        return cls(dict(Municipality.objects.values_list("code", "id")))


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model, attname: str) -> str:
    return model._meta.get_field(attname).column


def registry_files(paths: list[str | Path]) -> list[tuple[Entity, Path]]:
    """The files to load, in load order: a directory gives its ``<bestand>.csv`` files; a file is
    recognised by its format line. Raises ``ImportFailed`` for an unknown file or two of one kind."""
    found: dict[str, Path] = {}
    errors = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            known = {entity.filename for entity in ENTITIES}
            for other in sorted(path.glob("*.csv")):
                if other.name not in known:
                    errors.append(f"{other.name}: onbekend bestand; verwacht een van: {', '.join(sorted(known))}")
            candidates = [(entity, path / entity.filename) for entity in ENTITIES if (path / entity.filename).exists()]
        elif path.is_file():
            try:
                with open(path, "rb") as binary:
                    candidates = [(read_format_line(binary, path.name), path)]
            except FileRejected as rejected:
                errors.extend(rejected.errors)
                continue
        else:
            errors.append(f"{path.name}: bestand of map bestaat niet")
            continue
        for entity, file in candidates:
            if entity.name in found:
                errors.append(f"{file.name}: een tweede bestand {entity.name}; lever één bestand per soort")
            found[entity.name] = file
    if errors:
        raise ImportFailed(errors)
    return [(entity, found[entity.name]) for entity in ENTITIES if entity.name in found]


@dataclass
class Prepared:
    """A file read and checked cell by cell, its rows written as PostgreSQL COPY text to ``spool``
    (or its ``errors``): what ``prepare_file`` hands to the loading."""

    path: Path
    entity: Entity | None
    spool: Path | None
    rows: int
    errors: list[str]
    seconds: float


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _copy_text(value) -> str:
    return NULL if value is None else value.translate(COPY_ESCAPES)


def _copy_date(value) -> str:
    return NULL if value is None else value.isoformat()


def _copy_bool(value) -> str:
    return "t" if value else "f"


COPY_FORMAT = {TEXT: _copy_text, BSN: _copy_text, CHOICE: _copy_text, POSTCODE: _copy_text, DATE: _copy_date}
COPY_FORMAT |= {INTEGER: str, DECIMAL: str, MUNICIPALITY: str, BOOLEAN: _copy_bool}


def prepare_file(
    *,
    path: Path,
    context: Context,
    spool_dir: Path,
    expected: Entity | None = None,
    stop: threading.Event | None = None,
) -> Prepared:
    """Reads and checks one file (``registry_format.read_records``) and writes its rows in COPY
    text format to a spool file. No database access: ``registry_import`` runs it in a reader thread
    for the next file while the database loads the current one."""
    path, started = Path(path), time.monotonic()
    errors: list[str] = []
    rows = 0
    try:
        with open(path, "rb") as binary:
            entity = read_format_line(binary, path.name)
            if expected is not None and entity is not expected:
                raise FileRejected([f"{path.name}, regel 1: formaatregel noemt {entity.name}, niet {expected.name}"])
            formats = [COPY_FORMAT[column.kind] for column in entity.columns]
            spool = Path(spool_dir) / f"{entity.name}.copy"
            with open(spool, "w", encoding="utf-8", newline="") as out:
                for line, values in read_records(binary, path.name, entity, context, errors):
                    rows += 1
                    if not errors:
                        out.write(f"{line}\t" + "\t".join([f(v) for f, v in zip(formats, values, strict=True)]) + "\n")
                    if stop is not None and stop.is_set():
                        break
    except FileRejected as rejected:
        return Prepared(path, None, None, 0, rejected.errors, time.monotonic() - started)
    return Prepared(path, entity, spool, rows, errors, time.monotonic() - started)


def registry_import_file(
    *,
    path: str | Path,
    expected: Entity | None = None,
    on_date: dt.date | None = None,
    context: Context | None = None,
    prepared: Prepared | None = None,
) -> FileResult:
    """Loads one file in one transaction; returns its ``FileResult`` or raises ``ImportFailed``.
    ``prepared``: the file read already (by ``registry_import``'s reader thread)."""
    path = Path(path)
    if connection.vendor != "postgresql":
        raise ImportFailed([f"{path.name}: importeren kan alleen op PostgreSQL (de productiedatabase)"])
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="registry-import-") as spool_dir:
        if prepared is None:
            prepared = prepare_file(
                path=path, expected=expected, context=context or Context.load(), spool_dir=spool_dir
            )
        if prepared.errors:
            raise ImportFailed(prepared.errors)
        with translation.override("nl"):
            signals_before = Signal.objects.count()
            with transaction.atomic():
                result = _load(prepared, on_date or timezone.localdate())
                result.signals = Signal.objects.count() - signals_before
    result.seconds = time.monotonic() - started
    logger.info(
        "Registry import %s: %d rows, %d new, %d changed, %d signals, %.1f s",
        result.filename,
        result.rows,
        result.created,
        result.updated,
        result.signals,
        result.seconds,
    )
    return result


def _load(prepared: Prepared, on_date: dt.date) -> FileResult:
    entity, filename = prepared.entity, prepared.path.name
    result = FileResult(filename=filename, entity=entity.name, rows=prepared.rows)
    result.phases["lezen (lezer)"] = prepared.seconds
    tick = time.monotonic()
    with connection.cursor() as cursor:
        cols = ", ".join(f"{q(c.stage)} {PG_TYPES[c.kind]}" for c in entity.columns)
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(f"CREATE TEMP TABLE {STAGE} (line integer NOT NULL, {cols})")
        copy_sql = f"COPY {STAGE} (line, {', '.join(q(c) for c in entity.stage_columns)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy, open(prepared.spool, "rb") as spool:
            while block := spool.read(COPY_BLOCK):
                copy.write(block)
        cursor.execute(f"ANALYZE {STAGE}")
        result.phases["kopiëren"] = time.monotonic() - tick

        tick = time.monotonic()
        errors = _duplicates(cursor, entity, filename) or _references(cursor, entity, filename)
        if errors:
            raise ImportFailed(errors)
        result.phases["controleren"] = time.monotonic() - tick

        tick = time.monotonic()
        result.updated = _apply_changes(cursor, entity, filename, on_date)
        result.phases["wijzigen"] = time.monotonic() - tick

        tick = time.monotonic()
        try:
            result.created = _insert_new(cursor, entity)
        except DatabaseError as error:  # a rule the checks above missed: refuse the file, say which
            raise ImportFailed([f"{filename}: de database weigerde de nieuwe rijen ({type(error).__name__})"]) from None
        if result.created > 1000:
            cursor.execute(f"ANALYZE {q(entity.model._meta.db_table)}")
        if result.created and entity.model in (Exam, ExamAttempt):
            # INSERT … SELECT sends no signals: the route facts of the persons in the file, set-based
            cursor.execute(f"SELECT DISTINCT p.id FROM {STAGE} s {_from_joins(entity)}")
            refresh_route_facts([person_id for (person_id,) in cursor.fetchall()])
        cursor.execute(f"DROP TABLE {STAGE}")
        result.phases["toevoegen"] = time.monotonic() - tick
    return result


def _from_joins(entity: Entity, left: bool = False) -> str:
    kind = "LEFT JOIN" if left else "JOIN"
    return " ".join(f"{kind} {q(j.model._meta.db_table)} {j.alias} ON {j.on}" for j in entity.joins)


def _duplicates(cursor, entity: Entity, filename: str) -> list[str]:
    keys = ", ".join(q(entity.column(name).stage) for name in entity.key)
    cursor.execute(f"SELECT 1 FROM {STAGE} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1")
    if cursor.fetchone() is None:
        return []
    cursor.execute(
        f"SELECT line, first FROM (SELECT line, min(line) OVER (PARTITION BY {keys}) AS first FROM {STAGE}) d "
        f"WHERE line <> first ORDER BY line LIMIT {MAX_ERRORS}"
    )
    names = ", ".join(entity.key)
    return [
        f"{filename}, regel {line}: dubbele sleutel ({names}): dezelfde als regel {first}"
        for line, first in cursor.fetchall()
    ]


def _references(cursor, entity: Entity, filename: str) -> list[str]:
    errors = []
    if entity.joins:
        missing = " OR ".join(f"{j.alias}.id IS NULL" for j in entity.joins)
        which = " ".join(f"WHEN {j.alias}.id IS NULL THEN {n}" for n, j in enumerate(entity.joins))
        cursor.execute(
            f"SELECT s.line, CASE {which} END FROM {STAGE} s {_from_joins(entity, left=True)} "
            f"WHERE {missing} ORDER BY s.line LIMIT {MAX_ERRORS}"
        )
        for line, n in cursor.fetchall():
            join = entity.joins[n]
            errors.append(f"{filename}, regel {line}, veld {join.column}: {join.message}")
    for check in entity.sql_checks:
        cursor.execute(
            f"SELECT s.line FROM {STAGE} s {_from_joins(entity)} WHERE {check.bad} ORDER BY s.line LIMIT {MAX_ERRORS}"
        )
        errors.extend(
            f"{filename}, regel {line}, veld {check.column}: {check.message}" for (line,) in cursor.fetchall()
        )
    return errors[:MAX_ERRORS]


def _compared(entity: Entity) -> list[str]:
    """The attnames an existing row is compared on: the file's values, not the key, not generated ones."""
    keys = set(entity.key_target_columns())
    return [a for a, expr in entity.target.items() if a not in keys and "(" not in expr]


def _key_join(entity: Entity) -> str:
    table = q(entity.model._meta.db_table)
    on = " AND ".join(f"t.{q(_column(entity.model, a))} = {entity.target[a]}" for a in entity.key_target_columns())
    return f"{table} t ON {on}"


def _apply_changes(cursor, entity: Entity, filename: str, on_date: dt.date) -> int:
    """Existing rows whose values differ: through the services (persons, extensions) or a model save."""
    compared = _compared(entity)
    if not compared:
        return 0
    model = entity.model
    stored = ", ".join(f"t.{q(_column(model, a))}" for a in compared)
    incoming = ", ".join(entity.target[a] for a in compared)
    cursor.execute(
        f"SELECT t.id, s.line, {incoming} FROM {STAGE} s {_from_joins(entity)} JOIN {_key_join(entity)} "
        f"WHERE ROW({stored}) IS DISTINCT FROM ROW({incoming}) ORDER BY s.line"
    )
    changed = cursor.fetchall()
    labels = {col.stage: col.name for col in entity.columns}
    by_alias = {join.alias: join.column for join in entity.joins}
    labels.update({a: by_alias[e[:-3]] for a, e in entity.target.items() if e.endswith(".id") and e[:-3] in by_alias})
    errors = []
    municipalities = {}
    for start in range(0, len(changed), CHANGE_BATCH):
        chunk = changed[start : start + CHANGE_BATCH]
        objects = model.objects.in_bulk([row[0] for row in chunk])
        for pk, line, *values in chunk:
            new = dict(zip(compared, values, strict=True))
            try:
                _apply_one(model, objects[pk], new, on_date, municipalities)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    column = labels.get(name) or labels.get(f"{name}_id") or name
                    errors.append(f"{filename}, regel {line}, veld {column}: {' '.join(messages)}")
            if len(errors) >= MAX_ERRORS:
                raise ImportFailed(errors)
    if errors:
        raise ImportFailed(errors)
    return len(changed)


def _apply_one(model, obj, new: dict, on_date: dt.date, municipalities: dict) -> None:
    fields = {a: model._meta.get_field(a) for a in new}
    diff = {a: v for a, v in new.items() if getattr(obj, a) != v}
    if model is Person:
        changes = {}
        for attname, value in diff.items():
            if attname == "municipality_id":
                if value not in municipalities:
                    municipalities[value] = Municipality.objects.get(pk=value)
                changes["municipality"] = municipalities[value]
            else:
                changes[fields[attname].name] = value
        person_update(person=obj, on_date=on_date, **changes)
    elif model is TermExtension:
        term_extension_update(extension=obj, on_date=on_date, **{fields[a].name: v for a, v in diff.items()})
    else:
        with transaction.atomic():
            for attname, value in diff.items():
                setattr(obj, attname, value)
            obj.full_clean(validate_unique=False)
            obj._change_reason = CHANGE_REASON
            obj.save(update_fields=[fields[a].name for a in diff])


BULK_FIRST_LOAD = 10_000  # rows into an empty table from which foreign keys are checked set-based


def _foreign_keys(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    return cursor.fetchall()


def _insert_new(cursor, entity: Entity) -> int:
    """Rows whose natural key is not in the table yet: one ``INSERT … SELECT`` (in file order), with
    their history rows ('+', reason "registerimport") in the same statement.

    A first load (the table empty, at least ``BULK_FIRST_LOAD`` rows) checks its foreign keys
    set-based: the constraints of the table and its history table are dropped and added again, with
    the definitions PostgreSQL reports (``pg_get_constraintdef``), in the file's transaction. Adding
    a constraint checks every row in one join instead of one trigger per row at commit; the lock it
    takes only holds an empty table (and its history), and a failure rolls the file back, constraints
    included."""
    model = entity.model
    tables = [model._meta.db_table]
    if getattr(model, "history", None) is not None:
        tables.append(model.history.model._meta.db_table)
    cursor.execute(f"SELECT count(*) FROM {STAGE}")
    (staged,) = cursor.fetchone()
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {q(tables[0])})")
    (empty,) = cursor.fetchone()
    dropped = []
    if empty and staged >= BULK_FIRST_LOAD:
        for table in tables:
            for name, definition in _foreign_keys(cursor, table):
                cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
                dropped.append((table, name, definition))
    created = _insert_statement(cursor, entity)
    for table, name, definition in dropped:
        cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
    return created


def _insert_statement(cursor, entity: Entity) -> int:
    model = entity.model
    attnames = list(entity.target)
    table = q(model._meta.db_table)
    columns = ", ".join(q(_column(model, a)) for a in attnames)
    exprs = ", ".join(entity.target[a] for a in attnames)
    first_key = q(_column(model, entity.key_target_columns()[0]))
    insert = (
        f"INSERT INTO {table} ({columns}) SELECT {exprs} FROM {STAGE} s {_from_joins(entity)} "
        f"LEFT JOIN {_key_join(entity)} WHERE t.{first_key} IS NULL ORDER BY s.line"
    )
    history = getattr(model, "history", None)
    if history is None:
        cursor.execute(insert)
        return cursor.rowcount
    historical = history.model
    tracked = [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    tracked_sql = ", ".join(q(c) for c in tracked)
    meta = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    cursor.execute(
        f"WITH ins AS ({insert} RETURNING {tracked_sql}) "
        f"INSERT INTO {q(historical._meta.db_table)} ({tracked_sql}, {', '.join(q(c) for c in meta)}) "
        f"SELECT {tracked_sql}, %s, %s, '+', NULL FROM ins",
        [timezone.now(), CHANGE_REASON],
    )
    return cursor.rowcount


def registry_import(*, paths: list[str | Path], on_date: dt.date | None = None, progress=None) -> list[FileResult]:
    """Loads every file in load order; stops at the first file that fails (``ImportFailed``, whose
    report also says which files were then not loaded: they build on it). Files loaded before it stay
    loaded (all or nothing is per file). One reader thread reads and checks the files in order, ahead
    of the database, which loads them one by one (``prepare_file``): reading and loading overlap."""
    files = registry_files(paths)
    context = Context.load()
    results = []
    stop = threading.Event()
    with (
        tempfile.TemporaryDirectory(prefix="registry-import-") as spool_dir,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry-import-reader") as reader,
    ):
        futures = [
            reader.submit(prepare_file, path=path, expected=entity, context=context, spool_dir=spool_dir, stop=stop)
            for entity, path in files
        ]
        try:
            for n, ((_entity, path), future) in enumerate(zip(files, futures, strict=True)):
                waiting = time.monotonic()
                prepared = future.result()
                waiting = time.monotonic() - waiting
                try:
                    result = registry_import_file(path=path, on_date=on_date, prepared=prepared)
                except ImportFailed as failed:
                    rest = [p.name for _e, p in files[n + 1 :]]
                    failed.errors.append(f"{path.name}: niets van dit bestand is geladen.")
                    if rest:
                        failed.errors.append(f"Niet geladen (bouwen op {path.name}): {', '.join(rest)}.")
                    failed.results = results
                    raise
                finally:
                    if prepared.spool:
                        prepared.spool.unlink(missing_ok=True)
                result.seconds += waiting  # the file's time in the run: waiting for the reader, then loading
                result.phases = {"wachten op lezer": waiting, **result.phases}
                results.append(result)
                if progress:
                    progress(result)
        finally:
            stop.set()
            for future in futures:
                future.cancel()
    return results


__all__ = ["BY_NAME", "FileResult", "ImportFailed", "registry_files", "registry_import", "registry_import_file"]
