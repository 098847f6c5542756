"""DUO's registry of inburgeraars: the data the ELIP portal stands on.

Every field has a Dutch verbose_name so Django admin reads as DUO staff speak.
Money is Decimal; what must never be wrong is a database constraint.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .constants import (
    COMPONENT_COUNT,
    ROUTE_FACT_FIELDS,
    AttemptResult,
    Course,
    ExamComponent,
    ExamStatus,
    Gender,
    InvoiceStatus,
    Law,
    LoanRequestStatus,
    ObligationStatus,
    Role,
)
from .validators import validate_bsn, validate_house_number, validate_no_bidi_controls, validate_postcode

MONEY = {"max_digits": 10, "decimal_places": 2}
DEFAULT_LOAN_LIMIT = 10000


class Municipality(models.Model):
    code = models.CharField("CBS-code", max_length=6, unique=True, help_text="Bijvoorbeeld GM0363.")
    name = models.CharField("naam", max_length=100, validators=[validate_no_bidi_controls])
    province = models.CharField("provincie", max_length=50, blank=True)

    class Meta:
        verbose_name = "gemeente"
        verbose_name_plural = "gemeenten"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Institution(models.Model):
    name = models.CharField("naam", max_length=200, validators=[validate_no_bidi_controls])
    code = models.CharField("instellingscode", max_length=20, unique=True)
    creditor_street = models.CharField("straat crediteur", max_length=80, validators=[validate_no_bidi_controls])
    creditor_house_number = models.CharField("huisnummer crediteur", max_length=10)
    creditor_postcode = models.CharField("postcode crediteur", max_length=7, validators=[validate_postcode])
    creditor_city = models.CharField("plaats crediteur", max_length=80, validators=[validate_no_bidi_controls])
    quality_mark = models.BooleanField("keurmerk Blik op Werk", default=True)

    class Meta:
        verbose_name = "cursusinstelling"
        verbose_name_plural = "cursusinstellingen"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def creditor_address(self):
        return f"{self.creditor_street} {self.creditor_house_number} {self.creditor_postcode} {self.creditor_city}"


class QualityMarkLoss(models.Model):
    """DUO's record that an institution lost its Blik op Werk quality mark on a date (DOMAIN.md
    "Routes out of the obligation"). A dated event, kept with its history: the municipalities of the
    ELIP persons enrolled there are told (``elip.selectors.enrolled_at_lost_institution``).
    ``Institution.quality_mark`` stays the current state; recording a loss switches it off
    (``pib.services.quality_mark_loss_record``)."""

    institution = models.ForeignKey(
        Institution, verbose_name="instelling", on_delete=models.PROTECT, related_name="quality_mark_losses"
    )
    lost_on = models.DateField(
        "datum verlies keurmerk",
        help_text="De dag vanaf welke de instelling het keurmerk Blik op Werk niet meer heeft.",
    )
    note = models.CharField("toelichting", max_length=500, blank=True, validators=[validate_no_bidi_controls])
    recorded_at = models.DateTimeField("vastgelegd op", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "verlies keurmerk"
        verbose_name_plural = "verlies keurmerken"
        ordering = ["-lost_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "lost_on"], name="quality_mark_loss_unique_date"),
        ]

    def __str__(self):
        return f"{self.institution}: keurmerk verloren op {self.lost_on:%d-%m-%Y}"


class Person(models.Model):
    public_id = models.UUIDField("publiek kenmerk", default=uuid.uuid4, unique=True, editable=False)
    bsn = models.CharField("burgerservicenummer", max_length=9, unique=True, validators=[validate_bsn])
    # Lengths as the BRP (Logisch Ontwerp BRP, categorie 01/08; docs/privacy.md "Field lengths").
    first_names = models.CharField("voornamen", max_length=200, validators=[validate_no_bidi_controls])  # 01.02.10: 200
    prefix = models.CharField(
        "voorvoegsel", max_length=10, blank=True, validators=[validate_no_bidi_controls]
    )  # 01.02.30: 10
    last_name = models.CharField(
        "achternaam", max_length=200, validators=[validate_no_bidi_controls]
    )  # 01.02.40 geslachtsnaam: 200
    gender = models.CharField("geslacht", max_length=10, choices=Gender.choices)
    birth_date = models.DateField("geboortedatum")
    street = models.CharField(
        "straat", max_length=80, validators=[validate_no_bidi_controls]
    )  # 08.11.15 naam openbare ruimte: 80
    house_number = models.PositiveIntegerField("huisnummer", validators=[validate_house_number])  # 08.11.20: 5 digits
    # 08.11.30 huisletter (1) + 08.11.40 huisnummertoevoeging (4)
    house_number_addition = models.CharField(
        "toevoeging", max_length=5, blank=True, validators=[validate_no_bidi_controls]
    )
    postcode = models.CharField("postcode", max_length=7, validators=[validate_postcode])  # 08.11.60: 6 + space
    city = models.CharField(
        "plaats", max_length=80, validators=[validate_no_bidi_controls]
    )  # 08.11.70 woonplaatsnaam: 80
    municipality = models.ForeignKey(
        Municipality, verbose_name="gemeente", on_delete=models.PROTECT, related_name="persons"
    )
    law = models.CharField("wet", max_length=6, choices=Law.choices, default=Law.WI2013)
    obligation_status = models.CharField(
        "status inburgeringsplicht", max_length=25, choices=ObligationStatus.choices, default=ObligationStatus.OBLIGED
    )
    term_start = models.DateField("datum start inburgeringstermijn")
    term_end = models.DateField("datum einde inburgeringstermijn", help_text="Inclusief toegekende verlengingen.")
    culpable_overrun = models.BooleanField("verwijtbare termijnoverschrijding", default=False)
    lesson_hours_integration = models.PositiveIntegerField(
        "bij DUO geregistreerde lesuren inburgeringscursus", default=0
    )
    lesson_hours_literacy = models.PositiveIntegerField(
        "bij DUO geregistreerde lesuren alfabetiseringscursus", default=0
    )
    # A cache of the exam rows (pib/route_facts.py), kept current on every exam write.
    route_open_components = models.PositiveSmallIntegerField(
        "open examenonderdelen", default=COMPONENT_COUNT, db_default=COMPONENT_COUNT, editable=False
    )
    route_min_attempts = models.PositiveSmallIntegerField(
        "minste pogingen van een open onderdeel", default=0, db_default=0, editable=False
    )
    history = HistoricalRecords(excluded_fields=list(ROUTE_FACT_FIELDS))

    class Meta:
        verbose_name = "inburgeraar"
        verbose_name_plural = "inburgeraars"
        ordering = ["last_name", "first_names"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gte=F("term_start")), name="person_term_end_after_start"),
            models.CheckConstraint(condition=Q(bsn__regex=r"^[0-9]{9}$"), name="person_bsn_nine_digits"),
        ]
        indexes = [
            # "Overzicht ELIP" and its count (elip.selectors.elip_persons_listed): a municipality's obliged
            # persons in name order, with the id for the letter check, straight from the index.
            models.Index(
                fields=["municipality", "obligation_status", "last_name", "first_names", "id"],
                name="person_muni_status_name_idx",
            ),
            # The Werkvoorraad: the same persons in id order, so the letter check is a merge join with
            # the letters' person index, with every column of the urgency order included (PostgreSQL:
            # an index-only scan; docs/portal.md "Werkvoorraad at national scale").
            models.Index(
                fields=["municipality", "obligation_status", "id"],
                include=[
                    "term_end",
                    "lesson_hours_integration",
                    "lesson_hours_literacy",
                    *ROUTE_FACT_FIELDS,
                    "last_name",
                    "first_names",
                    "prefix",
                ],
                name="person_worklist_idx",
            ),
            models.Index(fields=["term_end"], name="person_term_end_idx"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        """An existing person is saved without the route facts: they follow the exam rows
        (pib/route_facts.py), and an instance read before an exam was written must not undo that."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in ROUTE_FACT_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return " ".join(p for p in (self.first_names, self.prefix, self.last_name) if p)

    @property
    def initials(self):
        return "".join(f"{n[0]}." for n in self.first_names.split() if n)

    @property
    def surname(self):
        """Achternaam with voorvoegsel, as used in a salutation ("van Zuilen")."""
        return " ".join(p for p in (self.prefix, self.last_name) if p)

    @property
    def address_line(self):
        addition = f" {self.house_number_addition}" if self.house_number_addition else ""
        return f"{self.street} {self.house_number}{addition}"


class TermExtension(models.Model):
    person = models.ForeignKey(Person, verbose_name="inburgeraar", on_delete=models.CASCADE, related_name="extensions")
    kind = models.CharField("soort verlenging", max_length=100)
    previous_end = models.DateField("vorige einddatum")
    new_end = models.DateField("nieuwe einddatum")
    granted_on = models.DateField("datum toekenning")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "verlenging inburgeringstermijn"
        verbose_name_plural = "verlengingen inburgeringstermijn"
        ordering = ["-new_end"]
        constraints = [
            models.CheckConstraint(condition=Q(new_end__gt=F("previous_end")), name="extension_new_end_after_previous"),
        ]

    def __str__(self):
        return f"{self.kind}: {self.previous_end:%d-%m-%Y} → {self.new_end:%d-%m-%Y}"


class Loan(models.Model):
    person = models.OneToOneField(Person, verbose_name="inburgeraar", on_delete=models.CASCADE, related_name="loan")
    limit = models.DecimalField("hoofdsom (leenruimte)", default=DEFAULT_LOAN_LIMIT, **MONEY)
    start_date = models.DateField("lening start")
    end_date = models.DateField("lening einde")
    interest = models.DecimalField("opgebouwde rente", default=0, **MONEY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "lening"
        verbose_name_plural = "leningen"
        constraints = [
            models.CheckConstraint(condition=Q(limit__gte=0), name="loan_limit_non_negative"),
            models.CheckConstraint(condition=Q(interest__gte=0), name="loan_interest_non_negative"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="loan_end_after_start"),
        ]

    def __str__(self):
        return f"Lening van {self.person}"


class LoanRequest(models.Model):
    person = models.ForeignKey(Person, verbose_name="inburgeraar", on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField("soort verzoek", max_length=100, default="Verzoek lening")
    received_on = models.DateField("ontvangstdatum")
    status = models.CharField("status", max_length=10, choices=LoanRequestStatus.choices)

    class Meta:
        verbose_name = "verzoek"
        verbose_name_plural = "verzoeken"
        ordering = ["received_on"]

    def __str__(self):
        return f"{self.kind} ({self.get_status_display()})"


class Exam(models.Model):
    person = models.ForeignKey(Person, verbose_name="inburgeraar", on_delete=models.CASCADE, related_name="exams")
    component = models.CharField("examenonderdeel", max_length=10, choices=ExamComponent.choices)
    exempted = models.BooleanField("vrijgesteld", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "examenonderdeel"
        verbose_name_plural = "examenonderdelen"
        constraints = [models.UniqueConstraint(fields=["person", "component"], name="exam_unique_component_per_person")]

    def __str__(self):
        return self.get_component_display()

    @staticmethod
    def derive_status(exempted: bool, results) -> str:
        """Status from exemption or attempts: one passed attempt is enough."""
        if exempted:
            return ExamStatus.EXEMPTED
        results = list(results)
        if AttemptResult.PASSED in results:
            return ExamStatus.PASSED
        return ExamStatus.FAILED if results else ExamStatus.TO_DO

    @property
    def status(self) -> str:
        """Uses prefetched attempts when present (no query per exam then)."""
        return self.derive_status(self.exempted, (a.result for a in self.attempts.all()))

    def get_status_display(self):
        return ExamStatus(self.status).label


class ExamAttempt(models.Model):
    exam = models.ForeignKey(Exam, verbose_name="examenonderdeel", on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField("poging", validators=[MinValueValidator(1)])
    date = models.DateField("datum")
    result = models.CharField("resultaat", max_length=15, choices=AttemptResult.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "examenpoging"
        verbose_name_plural = "examenpogingen"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "number"], name="attempt_unique_number_per_exam"),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}e poging, {self.date:%d-%m-%Y}, {self.get_result_display()}"


class Enrolment(models.Model):
    person = models.ForeignKey(Person, verbose_name="inburgeraar", on_delete=models.CASCADE, related_name="enrolments")
    course = models.CharField("opleiding", max_length=15, choices=Course.choices)
    institution = models.ForeignKey(Institution, verbose_name="instelling", on_delete=models.PROTECT)
    start_date = models.DateField("startdatum")
    end_date = models.DateField("datum einde")

    class Meta:
        verbose_name = "inschrijving"
        verbose_name_plural = "inschrijvingen"
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="enrolment_end_after_start"),
        ]

    def __str__(self):
        return f"{self.get_course_display()} bij {self.institution}"


class Contract(models.Model):
    person = models.ForeignKey(Person, verbose_name="inburgeraar", on_delete=models.CASCADE, related_name="contracts")
    number = models.CharField("contractnummer", max_length=20, unique=True)
    course = models.CharField("opleiding", max_length=15, choices=Course.choices)
    institution = models.ForeignKey(Institution, verbose_name="instelling", on_delete=models.PROTECT)
    start_date = models.DateField("startdatum")
    end_date = models.DateField("einddatum")
    hours = models.PositiveIntegerField("uren")
    hourly_rate = models.DecimalField("uurtarief", **MONEY)
    materials_amount = models.DecimalField("bedrag lesmiddel", default=0, **MONEY)
    total_amount = models.GeneratedField(
        verbose_name="totaalbedrag",
        expression=F("hours") * F("hourly_rate") + F("materials_amount"),
        output_field=models.DecimalField(max_digits=12, decimal_places=2),
        db_persist=True,
    )
    history = HistoricalRecords(excluded_fields=["total_amount"])

    class Meta:
        verbose_name = "contract"
        verbose_name_plural = "contracten"
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="contract_end_after_start"),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="contract_rate_non_negative"),
            models.CheckConstraint(condition=Q(materials_amount__gte=0), name="contract_materials_non_negative"),
        ]

    def __str__(self):
        return self.number


class Invoice(models.Model):
    person = models.ForeignKey(Person, verbose_name="inburgeraar", on_delete=models.CASCADE, related_name="invoices")
    contract = models.ForeignKey(Contract, verbose_name="contract", on_delete=models.RESTRICT, related_name="invoices")
    number = models.CharField("factuurnummer", max_length=30, unique=True)
    description = models.CharField("omschrijving", max_length=200)
    invoice_date = models.DateField("factuurdatum")
    status = models.CharField("status", max_length=10, choices=InvoiceStatus.choices)
    period_start = models.DateField("periode van")
    period_end = models.DateField("periode tot en met")
    course_count = models.PositiveIntegerField("aantal cursussen", default=0)
    course_amount = models.DecimalField("bedrag cursuskosten", default=0, **MONEY)
    materials_amount = models.DecimalField("bedrag lesmateriaal", default=0, **MONEY)
    exam_amount = models.DecimalField("bedrag examenkosten", default=0, **MONEY)
    total_amount = models.GeneratedField(
        verbose_name="totaalbedrag",
        expression=F("course_amount") + F("materials_amount") + F("exam_amount"),
        output_field=models.DecimalField(max_digits=12, decimal_places=2),
        db_persist=True,
    )
    rejection_reason = models.CharField("reden weigering", max_length=300, blank=True)
    history = HistoricalRecords(excluded_fields=["total_amount"])

    class Meta:
        verbose_name = "factuur"
        verbose_name_plural = "facturen"
        ordering = ["invoice_date"]
        constraints = [
            models.CheckConstraint(condition=Q(course_amount__gte=0), name="invoice_course_non_negative"),
            models.CheckConstraint(condition=Q(materials_amount__gte=0), name="invoice_materials_non_negative"),
            models.CheckConstraint(condition=Q(exam_amount__gte=0), name="invoice_exam_non_negative"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="invoice_period_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="invoice_person_status_idx")]

    def __str__(self):
        return self.number


class Authorisation(models.Model):
    """An account role of one user for one municipality (the manual's 'accountrol')."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", on_delete=models.CASCADE, related_name="authorisations"
    )
    municipality = models.ForeignKey(Municipality, verbose_name="gemeente", on_delete=models.CASCADE)
    role = models.CharField("accountrol", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "accountrol"
        verbose_name_plural = "accountrollen"
        ordering = ["user__username", "municipality__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality", "role"], name="authorisation_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.municipality} – {self.get_role_display()}"


class SsoIdentity(models.Model):
    """The single-sign-on identity (OpenID Connect issuer + subject) an account was linked to when the
    colleague activated it (mijnduo, ``pib.sso_links``); at every later SSO sign-in
    ``accounts.oidc`` finds the account by it. One identity per account, one account per identity."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", on_delete=models.CASCADE, related_name="sso_identity"
    )
    issuer = models.CharField("identity provider (iss)", max_length=255)
    subject = models.CharField("kenmerk bij de identity provider (sub)", max_length=255)
    linked_at = models.DateTimeField("gekoppeld op", auto_now_add=True)

    class Meta:
        verbose_name = "gekoppelde inlog van de organisatie"
        verbose_name_plural = "gekoppelde inloggen van de organisatie"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique")]

    def __str__(self):
        return f"{self.user}: {self.subject}"


class RoleChange(models.Model):
    """One grant or removal of a role (account role, DUO group, permission, staff or superuser
    status), written by ``pib.audit`` in the transaction of the change: who, what, when."""

    class Action(models.TextChoices):
        GRANTED = "toegekend", "Toegekend"
        REMOVED = "ingetrokken", "Ingetrokken"

    at = models.DateTimeField("tijdstip", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="door", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField("soort", max_length=20)
    action = models.CharField("actie", max_length=12, choices=Action.choices)
    what = models.CharField("rol of recht", max_length=300)

    class Meta:
        verbose_name = "wijziging rol"
        verbose_name_plural = "wijzigingen rollen"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%d-%m-%Y %H:%M} {self.get_action_display()}: {self.what}"


class ReadLogEntry(models.Model):
    """Append-only record of one read of a person's data (VNG 'Verwerkingenlogging' in spirit).

    The BSN is never stored in plain text: ``person`` links to the registry row,
    and DUO admins search by BSN through the admin, which hashes the query.
    """

    class Result(models.TextChoices):
        SHOWN = "getoond", "Getoond"
        FOUND = "gevonden", "Gevonden (zoekopdracht)"
        DENIED = "geweigerd", "Geweigerd"
        NOT_FOUND = "niet_gevonden", "Niet gevonden"

    at = models.DateTimeField("tijdstip", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", on_delete=models.PROTECT, related_name="+"
    )
    municipality = models.ForeignKey(Municipality, verbose_name="gemeente", null=True, on_delete=models.PROTECT)
    role = models.CharField("accountrol", max_length=20, choices=Role.choices, blank=True)
    screen = models.CharField("scherm", max_length=100)
    person = models.ForeignKey(
        Person, verbose_name="inburgeraar", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bsn_hash = models.CharField("BSN (gehasht)", max_length=64, blank=True, db_index=True)
    bsn_key_id = models.CharField("sleutel-id BSN-hash", max_length=16, blank=True)
    result = models.CharField("resultaat", max_length=15, choices=Result.choices, default=Result.SHOWN)

    class Meta:
        verbose_name = "leesregistratie"
        verbose_name_plural = "leesregistraties"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%d-%m-%Y %H:%M} {self.user} {self.screen}"
