"""``import_registry``: the documented format, idempotent upserts, signals as the services emit
them, hostile files refused with a Dutch report (file, line, field; never a BSN), all or nothing
per file. Small files, PostgreSQL (the importer's database)."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from elip.demo.population import build_population
from elip.registry_export import export_entity, registry_export
from elip.services.registry import person_update
from elip.services.registry_format import BY_NAME, ENTITIES, MAX_LINE_BYTES, read_format_line, read_records
from elip.services.registry_import import Context, ImportFailed, registry_import, registry_import_file
from pib.constants import ObligationStatus
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
from pib.route_facts import refresh_route_facts
from signals.models import Signal
from tests.conftest import TODAY
from tests.pib.factories import PersonFactory, municipality, valid_bsn

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "registry-import.md"
BSN = valid_bsn(4242)
PERSON = {
    "bsn": BSN,
    "voornamen": "Amira",
    "voorvoegsel": "",
    "achternaam": "Haddad",
    "geslacht": "vrouw",
    "geboortedatum": "1990-04-02",
    "straat": "Vismarkt",
    "huisnummer": "3",
    "toevoeging": "",
    "postcode": "9712CA",
    "plaats": "Groningen",
    "gemeentecode": "GM0014",
    "wet": "Wi2013",
    "status_inburgeringsplicht": "inburgeringsplichtig",
    "start_termijn": "2023-01-01",
    "einde_termijn": "2026-01-01",
    "verwijtbare_overschrijding": "nee",
    "lesuren_inburgering": "120",
    "lesuren_alfabetisering": "0",
}


def csv_text(entity: str, rows: list[dict], version="1", header=None) -> str:
    columns = header or BY_NAME[entity].header
    lines = [f"ELIP-REGISTEREXTRACT;{version};{entity}", ";".join(columns)]
    lines += [";".join(row.get(c, "") for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def write(tmp_path, entity, rows, **kwargs) -> Path:
    path = tmp_path / f"{entity}.csv"
    path.write_text(csv_text(entity, rows, **kwargs), encoding="utf-8")
    return path


def person_row(n: int = 0, **changes) -> dict:
    return {**PERSON, "bsn": valid_bsn(4242 + n), **changes}


def refused(path) -> list[str]:
    with pytest.raises(ImportFailed) as failed:
        registry_import_file(path=path)
    return failed.value.errors


REGISTRY = [
    Invoice,
    Contract,
    Enrolment,
    ExamAttempt,
    Exam,
    LoanRequest,
    Loan,
    TermExtension,
    Person,
    QualityMarkLoss,
    Institution,
]


def counts():
    return {model.__name__: model.objects.count() for model in REGISTRY}


# --- round trip and idempotency -------------------------------------------------------------


def test_export_then_import_into_an_empty_registry_gives_the_same_files(tmp_path):
    build_population(persons=40, seed=7, today=TODAY)
    registry_export(directory=tmp_path / "first")
    before = counts()
    route_facts = Person.objects.order_by("bsn").values_list("bsn", "route_open_components", "route_min_attempts")
    facts = list(route_facts)
    assert len({f[1:] for f in facts}) > 3  # the population has varied route facts
    for model in REGISTRY:
        model.objects.all().delete()
    results = registry_import(paths=[tmp_path / "first"])
    assert counts() == before
    # INSERT … SELECT sends no signals: the import refreshed the route facts of the persons it loaded
    assert list(route_facts.all()) == facts
    assert refresh_route_facts() == 0
    assert [r.entity for r in results] == [e.name for e in ENTITIES]
    assert sum(r.created for r in results) == sum(before.values())
    registry_export(directory=tmp_path / "again")
    for entity in ENTITIES:
        first = (tmp_path / "first" / entity.filename).read_text(encoding="utf-8")
        assert (tmp_path / "again" / entity.filename).read_text(encoding="utf-8") == first, entity.name


def test_importing_the_same_files_twice_changes_nothing_the_second_time(tmp_path):
    build_population(persons=30, seed=8, today=TODAY)
    registry_export(directory=tmp_path)
    for model in REGISTRY:
        model.objects.all().delete()
    registry_import(paths=[tmp_path])
    history = Person.history.count() + ExamAttempt.history.count() + Invoice.history.count()
    again = registry_import(paths=[tmp_path])
    assert [(r.created, r.updated, r.signals) for r in again] == [(0, 0, 0)] * len(ENTITIES)
    assert all(r.unchanged == r.rows > 0 for r in again)
    assert Person.history.count() + ExamAttempt.history.count() + Invoice.history.count() == history


def test_a_new_person_gets_a_history_row_and_a_public_id_and_emits_nothing(tmp_path):
    result = registry_import_file(path=write(tmp_path, "personen", [person_row()]))
    person = Person.objects.get(bsn=BSN)
    assert (result.created, result.signals) == (1, 0)
    assert person.public_id and person.postcode == "9712 CA" and person.municipality.code == "GM0014"
    assert list(person.history.values_list("history_type", "history_change_reason")) == [("+", "registerimport")]


def test_a_changed_loan_is_saved_with_history_and_no_signal(tmp_path):
    person = PersonFactory(elip=True, loan_used=0)
    row = {"bsn": person.bsn, "hoofdsom": "8000.00", "startdatum": "2021-07-01", "einddatum": "2024-07-01"}
    result = registry_import_file(path=write(tmp_path, "leningen", [{**row, "opgebouwde_rente": "0.00"}]))
    assert (result.created, result.updated, result.signals) == (0, 1, 0)
    assert str(Loan.objects.get(person=person).limit) == "8000.00"
    assert Loan.history.filter(person_id=person.pk, history_type="~").count() == 1


# --- signals: the same as through the services ------------------------------------------------


def emitted(person):
    return sorted(Signal.objects.filter(person=person).values_list("code", "municipality__code", "placed_on"))


CHANGES = {
    "term end": ({"einde_termijn": "2026-06-01"}, {"term_end": dt.date(2026, 6, 1)}),
    "obligation met": ({"status_inburgeringsplicht": "voldaan"}, {"obligation_status": ObligationStatus.MET}),
    "move": ({"gemeentecode": "GM0363", "plaats": "Amsterdam"}, {"municipality": "GM0363", "city": "Amsterdam"}),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_change_through_import_emits_what_the_service_emits(tmp_path, change):
    file_change, service_change = CHANGES[change]
    twins = [PersonFactory(elip=True, code="GM0014", term_end=dt.date(2026, 1, 1)) for _ in range(2)]
    by_service, by_import = twins
    if "municipality" in service_change:
        service_change = {**service_change, "municipality": municipality(service_change["municipality"])}
    person_update(person=by_service, **service_change)

    exported = tmp_path / "export"
    exported.mkdir()
    export_entity(BY_NAME["personen"], exported)
    text = (exported / "personen.csv").read_text(encoding="utf-8").splitlines()
    header = text[1].split(";")
    rows = [dict(zip(header, line.split(";"), strict=True)) for line in text[2:]]
    row = next(r for r in rows if r["bsn"] == by_import.bsn)
    result = registry_import_file(path=write(tmp_path, "personen", [{**row, **file_change}]))

    assert result.updated == 1
    assert emitted(by_import) == emitted(by_service) != []
    assert result.signals == len(emitted(by_service))


def test_a_change_of_a_person_who_is_no_elip_person_emits_nothing(tmp_path):
    registry_import_file(path=write(tmp_path, "personen", [person_row()]))
    result = registry_import_file(path=write(tmp_path, "personen", [person_row(einde_termijn="2027-01-01")]))
    assert (result.updated, result.signals) == (1, 0)
    assert Person.objects.get(bsn=BSN).term_end == dt.date(2027, 1, 1)


def test_a_new_extension_is_recorded_and_the_term_end_comes_from_personen(tmp_path):
    person = PersonFactory(elip=True, term_end=dt.date(2026, 1, 1))
    row = {"bsn": person.bsn, "vorige_einddatum": "2026-01-01", "nieuwe_einddatum": "2026-07-01"}
    row |= {"soort": "Ziekte", "datum_toekenning": "2025-02-01"}
    result = registry_import_file(path=write(tmp_path, "verlengingen", [row]))
    assert (result.created, result.signals) == (1, 0)
    person.refresh_from_db()
    assert person.term_end == dt.date(2026, 1, 1)
    assert TermExtension.objects.get(person=person).new_end == dt.date(2026, 7, 1)


# --- hostile files ------------------------------------------------------------------------------


def test_a_bad_bsn_is_refused_with_file_line_and_field_and_nothing_is_written(tmp_path):
    bad = BSN[:-1] + str((int(BSN[-1]) + 1) % 10)
    errors = refused(write(tmp_path, "personen", [person_row(1), person_row(bsn=bad)]))
    assert errors == ["personen.csv, regel 4, veld bsn: geen geldig BSN (9 cijfers, elfproef)"]
    assert not Person.objects.exists()  # the good line 3 is not written either
    assert bad not in "".join(errors)


def test_an_unknown_municipality_code_is_refused(tmp_path):
    errors = refused(write(tmp_path, "personen", [person_row(gemeentecode="GM9999")]))
    assert errors == ["personen.csv, regel 3, veld gemeentecode: onbekende gemeentecode GM9999"]


def test_a_duplicate_natural_key_in_one_file_is_refused(tmp_path):
    errors = refused(write(tmp_path, "personen", [person_row(0), person_row(1), person_row(0, voornamen="Twee")]))
    assert errors == ["personen.csv, regel 5: dubbele sleutel (bsn): dezelfde als regel 3"]
    assert not Person.objects.exists()


def test_a_duplicate_composite_key_is_refused(tmp_path):
    person = PersonFactory()
    exam = {"bsn": person.bsn, "onderdeel": "KNM", "vrijgesteld": "nee"}
    errors = refused(write(tmp_path, "examens", [exam, {**exam, "onderdeel": "ONA"}, {**exam, "vrijgesteld": "ja"}]))
    assert errors == ["examens.csv, regel 5: dubbele sleutel (bsn, onderdeel): dezelfde als regel 3"]


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_a_file_not_in_utf8_is_refused_and_nothing_is_written(tmp_path, encoding):
    path = tmp_path / "personen.csv"
    path.write_bytes(csv_text("personen", [person_row(0), person_row(1, achternaam="Müller")]).encode(encoding))
    errors = refused(path)
    line = 1 if encoding == "utf-16" else 4
    assert errors == [
        f"personen.csv, regel {line}: het bestand is niet in UTF-8 gecodeerd (sla het op als CSV UTF-8); "
        "bestand geweigerd"
    ]
    assert not Person.objects.exists()


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "personen.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text("personen", [person_row(achternaam="Müller")]).encode())
    assert registry_import_file(path=path).created == 1


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_a_formula_cell_is_refused(tmp_path, start):
    errors = refused(write(tmp_path, "personen", [person_row(achternaam=f"{start}HYPERLINK(1)")]))
    assert errors == [
        "personen.csv, regel 3, veld achternaam: begint met =, +, -, @ of een tab "
        "(formule in een cel is niet toegestaan)"
    ]


class CountingReader(io.BytesIO):
    """Counts the bytes the importer asks for."""

    asked = 0

    def readline(self, size=-1):
        line = super().readline(size)
        self.asked += len(line)
        return line


def test_a_10_mb_line_is_refused_after_reading_at_most_the_line_bound():
    text = csv_text("personen", [person_row()]).encode() + b"x" * (10 * 1024 * 1024) + b"\n"
    binary = CountingReader(text)
    entity = read_format_line(binary, "personen.csv")
    errors = []
    with pytest.raises(Exception) as rejected:
        list(read_records(binary, "personen.csv", entity, Context.load(), errors))
    assert rejected.value.errors == [
        f"personen.csv, regel 4: regel is langer dan {MAX_LINE_BYTES} bytes; bestand geweigerd"
    ]
    assert binary.asked < len(text) // 100  # the 10 MB were never read


def test_a_10_mb_line_in_a_file_writes_nothing(tmp_path):
    path = write(tmp_path, "personen", [person_row(0)])
    with open(path, "ab") as f:
        f.write(b"y" * (10 * 1024 * 1024) + b"\n")
    assert refused(path) == [f"personen.csv, regel 4: regel is langer dan {MAX_LINE_BYTES} bytes; bestand geweigerd"]
    assert not Person.objects.exists()


def test_a_wrong_header_is_refused(tmp_path):
    header = [c if c != "achternaam" else "naam" for c in BY_NAME["personen"].header]
    errors = refused(write(tmp_path, "personen", [person_row()], header=header))
    assert errors == [f"personen.csv, regel 2: kopregel klopt niet; verwacht: {';'.join(BY_NAME['personen'].header)}"]


def test_a_missing_header_is_refused(tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text("ELIP-REGISTEREXTRACT;1;personen\n" + ";".join(person_row().values()) + "\n", encoding="utf-8")
    assert refused(path)[0].startswith("personen.csv, regel 2: kopregel klopt niet")


def test_a_wrong_format_version_is_refused(tmp_path):
    errors = refused(write(tmp_path, "personen", [person_row()], version="2"))
    assert errors == ["personen.csv, regel 1: formaatversie 2 wordt niet ondersteund (verwacht 1)"]


def test_a_file_without_the_format_line_is_refused(tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text(";".join(BY_NAME["personen"].header) + "\n", encoding="utf-8")
    assert refused(path) == ["personen.csv, regel 1: formaatregel ontbreekt; verwacht ELIP-REGISTEREXTRACT;1;<bestand>"]


def test_a_quoted_line_break_and_a_short_line_are_refused(tmp_path):
    path = write(tmp_path, "personen", [person_row(0)])
    with open(path, "a", encoding="utf-8") as f:
        f.write(";".join(person_row(1).values()).replace("Amira", '"Ami\nra"') + "\n")
        f.write("123;456\n")
    assert refused(path) == [
        "personen.csv, regel 5: een veld mag geen regelovergang bevatten",
        "personen.csv, regel 6: 2 velden in plaats van 19",
    ]


def test_cell_errors_name_each_field_and_never_the_bsn(tmp_path):
    row = person_row(geboortedatum="02-04-1990", huisnummer="0", postcode="1234", geslacht="x", achternaam="")
    errors = refused(write(tmp_path, "personen", [row]))
    assert errors == [
        "personen.csv, regel 3, veld achternaam: verplicht veld is leeg",
        "personen.csv, regel 3, veld geslacht: onbekende waarde; toegestaan: vrouw, man, onbekend",
        "personen.csv, regel 3, veld geboortedatum: geen datum in de vorm JJJJ-MM-DD",
        "personen.csv, regel 3, veld huisnummer: moet tussen 1 en 99999 liggen",
        "personen.csv, regel 3, veld postcode: geen geldige postcode, zoals 1234 AB",
    ]


def test_a_term_end_before_its_start_is_refused(tmp_path):
    errors = refused(write(tmp_path, "personen", [person_row(einde_termijn="2022-01-01")]))
    assert errors == ["personen.csv, regel 3, veld einde_termijn: ligt vóór start_termijn"]


def test_a_reference_to_an_unknown_person_is_refused(tmp_path):
    row = {"bsn": BSN, "onderdeel": "KNM", "vrijgesteld": "nee"}
    errors = refused(write(tmp_path, "examens", [row]))
    assert errors == [
        "examens.csv, regel 3, veld bsn: geen inburgeraar met dit BSN in het register (eerst personen.csv laden)"
    ]
    assert not Exam.objects.exists()


def test_an_invoice_on_another_persons_contract_is_refused(tmp_path):
    owner, other = PersonFactory(loan_used=100), PersonFactory()
    contract = Contract.objects.get(person=owner)
    row = {"factuurnummer": "F-1", "contractnummer": contract.number, "bsn": other.bsn, "omschrijving": "Cursus"}
    row |= {"factuurdatum": "2024-01-01", "status": "betaald", "periode_van": "2023-01-01"}
    row |= {"periode_tot_en_met": "2023-06-30", "aantal_cursussen": "1", "bedrag_cursuskosten": "100.00"}
    row |= {"bedrag_lesmateriaal": "0.00", "bedrag_examenkosten": "0.00"}
    errors = refused(write(tmp_path, "facturen", [row]))
    assert errors == ["facturen.csv, regel 3, veld contractnummer: dit contract hoort bij een andere inburgeraar"]


def test_a_change_the_service_refuses_is_reported_at_its_line_and_rolls_the_file_back(tmp_path):
    registry_import_file(path=write(tmp_path, "personen", [person_row(0), person_row(1)]))
    changed = [person_row(0, voornamen="Nieuw"), person_row(1, postcode="9999SA")]
    errors = refused(write(tmp_path, "personen", changed))
    assert errors == ["personen.csv, regel 4, veld postcode: geen geldige postcode, zoals 1234 AB"]
    assert not Person.objects.filter(first_names="Nieuw").exists()


# --- the command ------------------------------------------------------------------------------------


def test_the_command_loads_a_directory_in_load_order_and_prints_figures(tmp_path):
    person = {k: v for k, v in person_row().items()}
    write(tmp_path, "examens", [{"bsn": BSN, "onderdeel": "KNM", "vrijgesteld": "ja"}])
    write(tmp_path, "personen", [person])
    out = io.StringIO()
    call_command("import_registry", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert text.index("personen.csv: 1 regels — 1 nieuw") < text.index("examens.csv: 1 regels — 1 nieuw")
    assert Exam.objects.get(person__bsn=BSN).exempted
    assert BSN not in text


def test_the_command_fails_with_the_dutch_report_and_stops_at_the_failing_file(tmp_path, caplog):
    bad = BSN[:-1] + str((int(BSN[-1]) + 1) % 10)
    write(tmp_path, "personen", [person_row(bsn=bad)])
    write(tmp_path, "examens", [{"bsn": BSN, "onderdeel": "KNM", "vrijgesteld": "ja"}])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_registry", str(tmp_path), stdout=out, stderr=err)
    assert failed.value.returncode == 1
    report = err.getvalue()
    assert "personen.csv, regel 3, veld bsn: geen geldig BSN (9 cijfers, elfproef)" in report
    assert "personen.csv: niets van dit bestand is geladen." in report
    assert "Niet geladen (bouwen op personen.csv): examens.csv." in report
    assert bad not in report + out.getvalue() + caplog.text
    assert not Person.objects.exists() and not Exam.objects.exists()


def test_an_unknown_file_in_the_directory_is_refused(tmp_path):
    write(tmp_path, "personen", [person_row()])
    (tmp_path / "adressen.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        registry_import(paths=[tmp_path])
    assert failed.value.errors[0].startswith("adressen.csv: onbekend bestand")
    assert not Person.objects.exists()


# --- the documentation is the format ---------------------------------------------------------------


def test_the_documentation_lists_every_file_and_column_of_the_format():
    text = DOCS.read_text(encoding="utf-8")
    for entity in ENTITIES:
        section = re.search(rf"### `{entity.filename}`(.*?)(?=\n### |\Z)", text, re.S)
        assert section, entity.filename
        for column in entity.columns:
            assert f"| `{column.name}` |" in section.group(1), (entity.filename, column.name)
        assert ", ".join(f"`{k}`" for k in entity.key) in section.group(1), (entity.filename, "key")


def test_a_quality_mark_loss_is_recorded_and_the_current_mark_comes_from_instellingen(tmp_path):
    institution = {"instellingscode": "BOW77777", "naam": "Taalhuis Noord", "straat_crediteur": "Kade"}
    institution |= {"huisnummer_crediteur": "1", "postcode_crediteur": "9711 AA", "plaats_crediteur": "Groningen"}
    registry_import_file(path=write(tmp_path, "instellingen", [{**institution, "keurmerk": "ja"}]))
    loss = {"instellingscode": "BOW77777", "datum_verlies": "2024-01-31", "toelichting": "Na audit"}
    result = registry_import_file(path=write(tmp_path, "keurmerkverlies", [loss]))
    assert (result.created, result.signals) == (1, 0)
    assert QualityMarkLoss.objects.get(institution__code="BOW77777").lost_on == dt.date(2024, 1, 31)
    assert Institution.objects.get(code="BOW77777").quality_mark  # regained or not: instellingen.csv says
    again = registry_import_file(path=write(tmp_path, "keurmerkverlies", [{**loss, "toelichting": "Audit 2024"}]))
    assert (again.created, again.updated) == (0, 1)


def test_a_bad_bsn_in_a_record_file_is_refused_as_such(tmp_path):
    PersonFactory(bsn=BSN)
    bad = BSN[:-1] + str((int(BSN[-1]) + 1) % 10)
    rows = [
        {"bsn": BSN, "onderdeel": "KNM", "vrijgesteld": "nee"},
        {"bsn": bad, "onderdeel": "ONA", "vrijgesteld": "ja"},
    ]
    assert refused(write(tmp_path, "examens", rows)) == [
        "examens.csv, regel 4, veld bsn: geen geldig BSN (9 cijfers, elfproef)"
    ]


def test_backslashes_and_tabs_inside_a_text_arrive_as_written(tmp_path):
    registry_import_file(path=write(tmp_path, "personen", [person_row(voornamen="A\\N\tB", achternaam="\\\\x")]))
    person = Person.objects.get(bsn=BSN)
    assert (person.first_names, person.last_name) == ("A\\N\tB", "\\\\x")


def foreign_keys():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text LIKE 'pib_%' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_a_first_bulk_load_checks_foreign_keys_set_based_and_keeps_them_as_they_were(tmp_path, monkeypatch):
    from elip.services import registry_import as module

    monkeypatch.setattr(module, "BULK_FIRST_LOAD", 1)
    before = foreign_keys()
    registry_import_file(path=write(tmp_path, "personen", [person_row(0), person_row(1)]))
    exams = [{"bsn": valid_bsn(4242 + n), "onderdeel": "KNM", "vrijgesteld": "nee"} for n in range(2)]
    assert registry_import_file(path=write(tmp_path, "examens", exams)).created == 2
    assert foreign_keys() == before
    assert Exam.history.filter(history_type="+").count() == 2
