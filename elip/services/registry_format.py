"""The DUO registry extract format, version 1: one CSV file per entity (docs/registry-import.md).

This module is the one description of the format — the files, their columns (name, type, required,
meaning), the natural keys and the load order — and the one reader of a line: ``read_records``
(bounded line length, strict UTF-8, one record per line) and ``Entity.parse`` (every cell checked
and converted, errors in Dutch naming file, line and column). The importer
(``elip.services.registry_import``) and the exporter (``elip.registry_export``) both work from it,
and the reference in docs/registry-import.md is checked against it by a test.

Guarantees of the reader:
- a line longer than ``MAX_LINE_BYTES`` is refused after reading at most that many bytes of it;
- a file that is not UTF-8 (Latin-1, UTF-16, NUL bytes) is refused at its first bad line;
- a record is one line: a quoted line break is refused (so "regel N" is the line an editor shows);
- a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR is refused (CSV/formula injection),
  and so is a text with a bidirectional control character (``pib.validators``);
- a BSN is nine digits passing the elfproef (``pib.validators.is_valid_bsn``) and is never echoed in
  a message; only codes (municipality, institution, choices) are.
"""

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from pib.constants import (
    AttemptResult,
    Course,
    ExamComponent,
    Gender,
    InvoiceStatus,
    Law,
    LoanRequestStatus,
    ObligationStatus,
)
from pib.models import (
    Contract,
    Enrolment,
    Exam,
    ExamAttempt,
    Institution,
    Invoice,
    Loan,
    LoanRequest,
    Person,
    QualityMarkLoss,
    TermExtension,
)
from pib.validators import BIDI_CONTROLS, is_valid_bsn

MAGIC = "ELIP-REGISTEREXTRACT"
FORMAT_VERSION = 1
DELIMITER = ";"
MAX_LINE_BYTES = 16 * 1024  # a line, its line end included; a person's line is at most ~3 KiB
MAX_ERRORS = 20  # errors reported per file before reading stops
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = b"\xef\xbb\xbf"

# Column types: (name in the documentation, PostgreSQL type of the staging column)
TEXT, BSN, DATE, INTEGER, DECIMAL, BOOLEAN, CHOICE, POSTCODE, MUNICIPALITY = (
    "tekst",
    "bsn",
    "datum",
    "geheel getal",
    "bedrag",
    "ja/nee",
    "keuze",
    "postcode",
    "gemeentecode",
)
PG_TYPES = {
    TEXT: "text",
    BSN: "text",
    DATE: "date",
    INTEGER: "bigint",
    DECIMAL: "numeric(14, 2)",
    BOOLEAN: "boolean",
    CHOICE: "text",
    POSTCODE: "text",
    MUNICIPALITY: "integer",  # the municipality's id, resolved while reading
}

DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INTEGER_RE = re.compile(r"[0-9]{1,9}")
DECIMAL_RE = re.compile(r"[0-9]{1,8}(\.[0-9]{1,2})?")
POSTCODE_RE = re.compile(r"([1-9][0-9]{3}) ?([A-Z]{2})")
MUNICIPALITY_RE = re.compile(r"GM[0-9]{4}")
BSN_RE = re.compile(r"[0-9]{9}")


class CellError(ValueError):
    """A cell's value is not allowed; the message is Dutch and names no personal data."""


class FileRejected(Exception):
    """The file as a whole is refused (encoding, line length, format line, header): ``errors`` are
    ready report lines."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header
    kind: str  # one of the types above
    stage: str  # staging column: the model's attname, or bsn / institution_code / contract_number / component
    meaning: str
    required: bool = True
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 999_999_999


def _text(col: Column):
    limit, required = col.max_length, col.required

    def parse(value: str, ctx) -> str:
        value = value.strip(" ")
        if value.startswith(FORMULA_STARTS):
            raise CellError("begint met =, +, -, @ of een tab (formule in een cel is niet toegestaan)")
        value = value.strip()
        if not value:
            if required:
                raise CellError("verplicht veld is leeg")
            return ""
        if limit and len(value) > limit:
            raise CellError(f"te lang: hoogstens {limit} tekens")
        if not BIDI_CONTROLS.isdisjoint(value):
            raise CellError("bevat een onzichtbaar teken dat de schrijfrichting verandert")
        return value

    return parse


def _bsn(col: Column):
    def parse(value: str, ctx) -> str:
        value = value.strip()
        if value in ctx.valid_bsns:  # checked before in this run (a person's rows repeat the BSN)
            return value
        if not value:
            raise CellError("verplicht veld is leeg")
        if not BSN_RE.fullmatch(value) or not is_valid_bsn(value):
            raise CellError("geen geldig BSN (9 cijfers, elfproef)")
        ctx.valid_bsns.add(value)
        return value

    return parse


def _date(col: Column):
    required = col.required

    def parse(value: str, ctx) -> dt.date | None:
        value = value.strip()
        if not value:
            if required:
                raise CellError("verplicht veld is leeg")
            return None
        if not DATE_RE.fullmatch(value):
            raise CellError("geen datum in de vorm JJJJ-MM-DD")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise CellError("geen bestaande datum") from None

    return parse


def _integer(col: Column):
    low, high = col.minimum, col.maximum

    def parse(value: str, ctx) -> int:
        value = value.strip()
        if not value:
            raise CellError("verplicht veld is leeg")
        if not INTEGER_RE.fullmatch(value):
            raise CellError("geen geheel getal (alleen cijfers)")
        number = int(value)
        if not low <= number <= high:
            raise CellError(f"moet tussen {low} en {high} liggen")
        return number

    return parse


def _decimal(col: Column):
    def parse(value: str, ctx) -> Decimal:
        value = value.strip()
        if not value:
            raise CellError("verplicht veld is leeg")
        if not DECIMAL_RE.fullmatch(value):
            raise CellError("geen bedrag in de vorm 1234.56 (punt als decimaalteken, geen duizendtallen)")
        return Decimal(value)

    return parse


def _boolean(col: Column):
    def parse(value: str, ctx) -> bool:
        value = value.strip()
        if value == "ja":
            return True
        if value == "nee":
            return False
        raise CellError("vul ja of nee in")

    return parse


def _choice(col: Column):
    allowed = frozenset(col.choices)
    listed = ", ".join(col.choices)

    def parse(value: str, ctx) -> str:
        value = value.strip()
        if value not in allowed:
            raise CellError(f"onbekende waarde; toegestaan: {listed}")
        return value

    return parse


def _postcode(col: Column):
    def parse(value: str, ctx) -> str:
        match = POSTCODE_RE.fullmatch(value.strip())
        if not match or match.group(2) in ("SA", "SD", "SS"):
            raise CellError("geen geldige postcode, zoals 1234 AB")
        return f"{match.group(1)} {match.group(2)}"

    return parse


def _municipality(col: Column):
    def parse(value: str, ctx) -> int:
        value = value.strip()
        if not MUNICIPALITY_RE.fullmatch(value):
            raise CellError("geen gemeentecode in de vorm GM0000")
        try:
            return ctx.municipalities[value]
        except KeyError:
            raise CellError(f"onbekende gemeentecode {value}") from None

    return parse


PARSERS = {
    TEXT: _text,
    BSN: _bsn,
    DATE: _date,
    INTEGER: _integer,
    DECIMAL: _decimal,
    BOOLEAN: _boolean,
    CHOICE: _choice,
    POSTCODE: _postcode,
    MUNICIPALITY: _municipality,
}


@dataclass(frozen=True)
class Join:
    """A reference resolved in SQL: ``JOIN table alias ON on``; a row without a match is refused at
    ``column`` with ``message``."""

    alias: str
    model: type
    on: str
    column: str
    message: str


@dataclass(frozen=True)
class Check:
    """A rule across cells of one row: ``test(values) -> bool`` (True = fine)."""

    column: str
    message: str
    test: Callable[[dict], bool]


@dataclass(frozen=True)
class SqlCheck:
    """A rule against the database, after the references are resolved: ``bad`` is a condition over
    ``s`` (the file's rows) and the join aliases."""

    bad: str
    column: str
    message: str


@dataclass
class Entity:
    name: str  # file name without .csv; the third cell of the format line
    model: type
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # natural key: CSV column names
    joins: tuple[Join, ...] = ()
    target: dict[str, str] = field(default_factory=dict)  # model attname -> SQL over s and the aliases
    checks: tuple[Check, ...] = ()
    sql_checks: tuple[SqlCheck, ...] = ()

    def __post_init__(self):
        model_attnames = {f.attname for f in self.model._meta.concrete_fields}
        for col in self.columns:
            if col.stage in model_attnames and col.stage not in self.target:
                self.target[col.stage] = f's."{col.stage}"'
        self._parsers = [(col.name, PARSERS[col.kind](col)) for col in self.columns]
        self.header = [col.name for col in self.columns]
        self.stage_columns = [col.stage for col in self.columns]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(col for col in self.columns if col.name == name)

    def key_target_columns(self) -> list[str]:
        """The model attnames matched on to find an existing row (the natural key, resolved)."""
        keys = []
        for name in self.key:
            expr = f's."{self.column(name).stage}"'
            attname = next((a for a, e in self.target.items() if e == expr), None)
            if attname is None:
                aliases = {f"{join.alias}.id" for join in self.joins if join.column == name}
                attname = next((a for a, e in self.target.items() if e in aliases), None)
            if attname and attname not in keys:
                keys.append(attname)
        return keys

    def parse(self, cells: list[str], ctx) -> tuple[list, list[tuple[str, str]]]:
        """``(values in column order, [(column, message)])`` for one record."""
        values, errors = [], []
        for (name, parse), cell in zip(self._parsers, cells, strict=True):
            try:
                values.append(parse(cell, ctx))
            except CellError as error:
                values.append(None)
                errors.append((name, str(error)))
        if not errors and self.checks:
            row = dict(zip(self.header, values, strict=True))
            errors.extend((check.column, check.message) for check in self.checks if not check.test(row))
        return values, errors


def _choices(enum) -> tuple[str, ...]:
    return tuple(enum.values)


def _after(later: str, earlier: str, strict: bool = False) -> Callable[[dict], bool]:
    if strict:
        return lambda row: row[later] > row[earlier]
    return lambda row: row[later] >= row[earlier]


PERSON_JOIN = Join(
    "p", Person, 'p."bsn" = s."bsn"', "bsn", "geen inburgeraar met dit BSN in het register (eerst personen.csv laden)"
)
INSTITUTION_JOIN = Join(
    "i",
    Institution,
    'i."code" = s."institution_code"',
    "instellingscode",
    "onbekende instellingscode (eerst instellingen.csv laden)",
)
BSN_COL = Column("bsn", BSN, "bsn", "burgerservicenummer van de inburgeraar (9 cijfers, elfproef)")
MAX_TOTAL = Decimal("9999999999.99")  # the generated total amounts are numeric(12, 2)

ENTITIES: list[Entity] = [
    Entity(
        "instellingen",
        Institution,
        "cursusinstellingen (met keurmerk Blik op Werk) en hun crediteurgegevens",
        (
            Column("instellingscode", TEXT, "code", "code van de instelling bij DUO", max_length=20),
            Column("naam", TEXT, "name", "naam van de instelling", max_length=200),
            Column("straat_crediteur", TEXT, "creditor_street", "straat van het crediteuradres", max_length=80),
            Column("huisnummer_crediteur", TEXT, "creditor_house_number", "huisnummer (met toevoeging)", max_length=10),
            Column("postcode_crediteur", POSTCODE, "creditor_postcode", "postcode, 1234 AB of 1234AB"),
            Column("plaats_crediteur", TEXT, "creditor_city", "plaats van het crediteuradres", max_length=80),
            Column("keurmerk", BOOLEAN, "quality_mark", "heeft het keurmerk Blik op Werk"),
        ),
        key=("instellingscode",),
    ),
    Entity(
        "keurmerkverlies",
        QualityMarkLoss,
        "verlies van het keurmerk Blik op Werk door een instelling, met datum (de geschiedenis; het huidige "
        "keurmerk staat in instellingen.csv)",
        (
            Column("instellingscode", TEXT, "institution_code", "code van de instelling", max_length=20),
            Column("datum_verlies", DATE, "lost_on", "dag vanaf welke de instelling het keurmerk niet meer heeft"),
            Column("toelichting", TEXT, "note", "toelichting", required=False, max_length=500),
        ),
        key=("instellingscode", "datum_verlies"),
        joins=(INSTITUTION_JOIN,),
        target={"institution_id": "i.id", "recorded_at": "now()"},
    ),
    Entity(
        "personen",
        Person,
        "inburgeraars: persoonsgegevens, adres, gemeente en inburgeringstermijn",
        (
            BSN_COL,
            Column("voornamen", TEXT, "first_names", "voornamen (BRP 01.02.10)", max_length=200),
            Column("voorvoegsel", TEXT, "prefix", "voorvoegsel geslachtsnaam", required=False, max_length=10),
            Column("achternaam", TEXT, "last_name", "geslachtsnaam (BRP 01.02.40)", max_length=200),
            Column("geslacht", CHOICE, "gender", "geslacht", choices=_choices(Gender)),
            Column("geboortedatum", DATE, "birth_date", "geboortedatum"),
            Column("straat", TEXT, "street", "straat (naam openbare ruimte)", max_length=80),
            Column("huisnummer", INTEGER, "house_number", "huisnummer, 1 tot en met 99999", minimum=1, maximum=99999),
            Column(
                "toevoeging", TEXT, "house_number_addition", "huisletter en/of toevoeging", required=False, max_length=5
            ),
            Column("postcode", POSTCODE, "postcode", "postcode, 1234 AB of 1234AB"),
            Column("plaats", TEXT, "city", "woonplaats", max_length=80),
            Column("gemeentecode", MUNICIPALITY, "municipality_id", "CBS-code van de woongemeente, zoals GM0363"),
            Column("wet", CHOICE, "law", "wet waaronder de inburgeringsplicht valt", choices=_choices(Law)),
            Column(
                "status_inburgeringsplicht",
                CHOICE,
                "obligation_status",
                "status van de inburgeringsplicht",
                choices=_choices(ObligationStatus),
            ),
            Column("start_termijn", DATE, "term_start", "datum start inburgeringstermijn"),
            Column("einde_termijn", DATE, "term_end", "datum einde inburgeringstermijn, verlengingen inbegrepen"),
            Column("verwijtbare_overschrijding", BOOLEAN, "culpable_overrun", "verwijtbare termijnoverschrijding"),
            Column(
                "lesuren_inburgering", INTEGER, "lesson_hours_integration", "bij DUO geregistreerde lesuren inburgering"
            ),
            Column(
                "lesuren_alfabetisering",
                INTEGER,
                "lesson_hours_literacy",
                "bij DUO geregistreerde lesuren alfabetisering",
            ),
        ),
        key=("bsn",),
        target={"public_id": "gen_random_uuid()"},
        checks=(Check("einde_termijn", "ligt vóór start_termijn", _after("einde_termijn", "start_termijn")),),
    ),
    Entity(
        "verlengingen",
        TermExtension,
        "toegekende verlengingen van de inburgeringstermijn (de geschiedenis; de geldende einddatum staat in "
        "personen.csv)",
        (
            BSN_COL,
            Column("vorige_einddatum", DATE, "previous_end", "einddatum van de termijn vóór deze verlenging"),
            Column("nieuwe_einddatum", DATE, "new_end", "einddatum na deze verlenging"),
            Column("soort", TEXT, "kind", "soort verlenging, zoals Coronamaatregelen", max_length=100),
            Column("datum_toekenning", DATE, "granted_on", "datum waarop de verlenging is toegekend"),
        ),
        key=("bsn", "vorige_einddatum"),
        joins=(PERSON_JOIN,),
        target={"person_id": "p.id"},
        checks=(
            Check(
                "nieuwe_einddatum",
                "ligt niet na vorige_einddatum",
                _after("nieuwe_einddatum", "vorige_einddatum", strict=True),
            ),
        ),
    ),
    Entity(
        "leningen",
        Loan,
        "de lening (leenruimte) van een inburgeraar: hoogstens één per inburgeraar",
        (
            BSN_COL,
            Column("hoofdsom", DECIMAL, "limit", "hoofdsom (leenruimte) in euro"),
            Column("startdatum", DATE, "start_date", "start van de lening"),
            Column("einddatum", DATE, "end_date", "einde van de lening"),
            Column("opgebouwde_rente", DECIMAL, "interest", "opgebouwde rente in euro"),
        ),
        key=("bsn",),
        joins=(PERSON_JOIN,),
        target={"person_id": "p.id"},
        checks=(Check("einddatum", "ligt vóór startdatum", _after("einddatum", "startdatum")),),
    ),
    Entity(
        "verzoeken",
        LoanRequest,
        "verzoeken om een lening",
        (
            BSN_COL,
            Column("soort", TEXT, "kind", "soort verzoek, zoals Verzoek lening", max_length=100),
            Column("ontvangstdatum", DATE, "received_on", "datum van ontvangst"),
            Column("status", CHOICE, "status", "besluit op het verzoek", choices=_choices(LoanRequestStatus)),
        ),
        key=("bsn", "soort", "ontvangstdatum"),
        joins=(PERSON_JOIN,),
        target={"person_id": "p.id"},
    ),
    Entity(
        "examens",
        Exam,
        "examenonderdelen van een inburgeraar (de status volgt uit de pogingen of de vrijstelling)",
        (
            BSN_COL,
            Column("onderdeel", CHOICE, "component", "examenonderdeel", choices=_choices(ExamComponent)),
            Column("vrijgesteld", BOOLEAN, "exempted", "vrijgesteld van dit onderdeel"),
        ),
        key=("bsn", "onderdeel"),
        joins=(PERSON_JOIN,),
        target={"person_id": "p.id"},
    ),
    Entity(
        "examenpogingen",
        ExamAttempt,
        "pogingen per examenonderdeel",
        (
            BSN_COL,
            Column("onderdeel", CHOICE, "component", "examenonderdeel", choices=_choices(ExamComponent)),
            Column("poging", INTEGER, "number", "volgnummer van de poging, vanaf 1", minimum=1, maximum=32767),
            Column("datum", DATE, "date", "datum van de poging"),
            Column("resultaat", CHOICE, "result", "uitslag", choices=_choices(AttemptResult)),
        ),
        key=("bsn", "onderdeel", "poging"),
        joins=(
            PERSON_JOIN,
            Join(
                "e",
                Exam,
                'e."person_id" = p."id" AND e."component" = s."component"',
                "onderdeel",
                "dit examenonderdeel van deze inburgeraar staat niet in het register (eerst examens.csv laden)",
            ),
        ),
        target={"exam_id": "e.id"},
    ),
    Entity(
        "inschrijvingen",
        Enrolment,
        "inschrijvingen voor een opleiding bij een cursusinstelling",
        (
            BSN_COL,
            Column("opleiding", CHOICE, "course", "opleiding", choices=_choices(Course)),
            Column("instellingscode", TEXT, "institution_code", "code van de instelling", max_length=20),
            Column("startdatum", DATE, "start_date", "startdatum"),
            Column("einddatum", DATE, "end_date", "datum einde"),
        ),
        key=("bsn", "opleiding", "instellingscode", "startdatum"),
        joins=(PERSON_JOIN, INSTITUTION_JOIN),
        target={"person_id": "p.id", "institution_id": "i.id"},
        checks=(Check("einddatum", "ligt vóór startdatum", _after("einddatum", "startdatum")),),
    ),
    Entity(
        "contracten",
        Contract,
        "contracten tussen inburgeraar en cursusinstelling (het totaalbedrag rekent de database uit)",
        (
            Column("contractnummer", TEXT, "number", "contractnummer, uniek", max_length=20),
            BSN_COL,
            Column("opleiding", CHOICE, "course", "opleiding", choices=_choices(Course)),
            Column("instellingscode", TEXT, "institution_code", "code van de instelling", max_length=20),
            Column("startdatum", DATE, "start_date", "startdatum"),
            Column("einddatum", DATE, "end_date", "einddatum"),
            Column("uren", INTEGER, "hours", "aantal uren"),
            Column("uurtarief", DECIMAL, "hourly_rate", "uurtarief in euro"),
            Column("bedrag_lesmiddel", DECIMAL, "materials_amount", "bedrag lesmiddel in euro"),
        ),
        key=("contractnummer",),
        joins=(PERSON_JOIN, INSTITUTION_JOIN),
        target={"person_id": "p.id", "institution_id": "i.id"},
        checks=(
            Check("einddatum", "ligt vóór startdatum", _after("einddatum", "startdatum")),
            Check(
                "uren",
                "uren × uurtarief + bedrag_lesmiddel is groter dan 9999999999.99",
                lambda row: row["uren"] * row["uurtarief"] + row["bedrag_lesmiddel"] <= MAX_TOTAL,
            ),
        ),
    ),
    Entity(
        "facturen",
        Invoice,
        "facturen op een contract (betaalde facturen vormen het gebruik van de lening)",
        (
            Column("factuurnummer", TEXT, "number", "factuurnummer, uniek", max_length=30),
            Column("contractnummer", TEXT, "contract_number", "nummer van het contract", max_length=20),
            BSN_COL,
            Column("omschrijving", TEXT, "description", "omschrijving", max_length=200),
            Column("factuurdatum", DATE, "invoice_date", "factuurdatum"),
            Column("status", CHOICE, "status", "status van de factuur", choices=_choices(InvoiceStatus)),
            Column("periode_van", DATE, "period_start", "begin van de gefactureerde periode"),
            Column("periode_tot_en_met", DATE, "period_end", "einde van de gefactureerde periode"),
            Column("aantal_cursussen", INTEGER, "course_count", "aantal cursussen"),
            Column("bedrag_cursuskosten", DECIMAL, "course_amount", "cursuskosten in euro"),
            Column("bedrag_lesmateriaal", DECIMAL, "materials_amount", "lesmateriaal in euro"),
            Column("bedrag_examenkosten", DECIMAL, "exam_amount", "examenkosten in euro"),
            Column("reden_weigering", TEXT, "rejection_reason", "reden van afwijzing", required=False, max_length=300),
        ),
        key=("factuurnummer",),
        joins=(
            PERSON_JOIN,
            Join(
                "c",
                Contract,
                'c."number" = s."contract_number"',
                "contractnummer",
                "onbekend contractnummer (eerst contracten.csv laden)",
            ),
        ),
        target={"person_id": "p.id", "contract_id": "c.id"},
        checks=(
            Check("periode_tot_en_met", "ligt vóór periode_van", _after("periode_tot_en_met", "periode_van")),
            Check(
                "bedrag_cursuskosten",
                "som van de bedragen is groter dan 9999999999.99",
                lambda row: (
                    row["bedrag_cursuskosten"] + row["bedrag_lesmateriaal"] + row["bedrag_examenkosten"] <= MAX_TOTAL
                ),
            ),
        ),
        sql_checks=(
            SqlCheck('c."person_id" <> p."id"', "contractnummer", "dit contract hoort bij een andere inburgeraar"),
        ),
    ),
]
BY_NAME = {entity.name: entity for entity in ENTITIES}


def format_line(entity: Entity) -> list[str]:
    return [MAGIC, str(FORMAT_VERSION), entity.name]


def _where(filename: str, line: int, column: str | None = None) -> str:
    return f"{filename}, regel {line}" + (f", veld {column}" if column else "")


def read_lines(binary, filename: str, first: int = 1) -> Iterator[str]:
    """The file's lines as text (``first``: the number of the next line), each read with a bound: a
    longer line is refused after ``MAX_LINE_BYTES`` bytes of it, without reading the rest; bytes that
    are not UTF-8 refuse the file."""
    number = first - 1
    while True:
        raw = binary.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise FileRejected(
                [f"{_where(filename, number)}: regel is langer dan {MAX_LINE_BYTES} bytes; bestand geweigerd"]
            )
        if number == 1 and raw.startswith(UTF8_BOM):
            raw = raw[len(UTF8_BOM) :]
        try:
            if b"\x00" in raw:
                raise UnicodeDecodeError("utf-8", raw, raw.index(b"\x00"), raw.index(b"\x00") + 1, "NUL")
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FileRejected(
                [
                    f"{_where(filename, number)}: het bestand is niet in UTF-8 gecodeerd "
                    "(sla het op als CSV UTF-8); bestand geweigerd"
                ]
            ) from None


def read_format_line(binary, filename: str) -> Entity:
    """Reads and checks line 1: ``ELIP-REGISTEREXTRACT;1;<bestand>``."""
    first = next(read_lines(binary, filename), "")
    cells = next(csv.reader([first], delimiter=DELIMITER), [])
    where = _where(filename, 1)
    if len(cells) != 3 or cells[0] != MAGIC:
        raise FileRejected([f"{where}: formaatregel ontbreekt; verwacht {MAGIC};{FORMAT_VERSION};<bestand>"])
    if cells[1] != str(FORMAT_VERSION):
        raise FileRejected(
            [f"{where}: formaatversie {cells[1][:10]} wordt niet ondersteund (verwacht {FORMAT_VERSION})"]
        )
    if cells[2] not in BY_NAME:
        raise FileRejected([f"{where}: onbekend soort bestand {cells[2][:40]}"])
    return BY_NAME[cells[2]]


def read_records(binary, filename: str, entity: Entity, ctx, errors: list[str]) -> Iterator[tuple[int, list]]:
    """``(line number, values)`` per data line of a file whose format line has been read. Row
    errors are appended to ``errors`` (at most ``MAX_ERRORS``; reading stops there); file errors raise
    ``FileRejected``."""
    lines = read_lines(binary, filename, first=2)
    reader = csv.reader(lines, delimiter=DELIMITER, strict=True)
    offset = 1  # the format line was read already
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header != entity.header:
        raise FileRejected([f"{_where(filename, 2)}: kopregel klopt niet; verwacht: {DELIMITER.join(entity.header)}"])
    width = len(entity.header)
    previous = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            line = offset + reader.line_num
            errors.append(f"{_where(filename, line)}: onjuist gebruik van aanhalingstekens")
            if len(errors) >= MAX_ERRORS:
                return
            previous = reader.line_num
            continue
        line = offset + reader.line_num
        if reader.line_num - previous != 1:
            errors.append(f"{_where(filename, line)}: een veld mag geen regelovergang bevatten")
        elif not cells:
            pass  # an empty line (e.g. at the end) carries nothing
        elif len(cells) != width:
            errors.append(f"{_where(filename, line)}: {len(cells)} velden in plaats van {width}")
        else:
            values, cell_errors = entity.parse(cells, ctx)
            if cell_errors:
                errors.extend(f"{_where(filename, line, column)}: {message}" for column, message in cell_errors)
            else:
                yield line, values
        previous = reader.line_num
        if len(errors) >= MAX_ERRORS:
            return
