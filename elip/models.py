"""ELIP policy versions, municipality enrolment, the weekly run's records and its e-mail digest."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from letters.models import Dispatch
from pib.models import Municipality, Person, QualityMarkLoss

from .constants import DigestChannel, EnrolmentAction, EnrolmentStatus, PolicyAction, PolicyStatus, RunStatus


class PolicyVersion(models.Model):
    """The ELIP criteria in force from ``valid_from`` until the next *approved* version.

    Four eyes: a DUO admin drafts a version (status concept); it takes force only once a second DUO
    admin, not the drafter, approves it (``elip.services.policy``). Approved versions and versions a
    run used are read-only."""

    valid_from = models.DateField("geldig vanaf", unique=True)
    months_before_term_end = models.PositiveSmallIntegerField("maanden voor einde inburgeringstermijn")
    term_rule_percentage = models.DecimalField(
        "percentage leenruimte benut (termijnregel)", max_digits=5, decimal_places=2
    )
    loan_rule_percentage = models.DecimalField(
        "percentage leenruimte benut (ongeacht termijn)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Leeg: deze regel geldt niet in deze versie.",
    )
    note = models.CharField("toelichting", max_length=300, blank=True)
    status = models.CharField("status", max_length=12, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="opgesteld door",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drafted_at = models.DateTimeField("opgesteld op", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="goedgekeurd door",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("goedgekeurd op", null=True, blank=True)

    class Meta:
        verbose_name = "ELIP-criteria (versie)"
        verbose_name_plural = "ELIP-criteria (versies)"
        ordering = ["-valid_from"]
        permissions = [("approve_policyversion", "Mag ELIP-criteria goedkeuren (tweede beheerder)")]
        constraints = [
            # Four eyes in the database too: the approver is never the drafter.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(drafted_by__isnull=True) | ~Q(approved_by=F("drafted_by")),
                name="policy_approver_not_drafter",
            ),
            models.CheckConstraint(
                condition=Q(status=PolicyStatus.APPROVED)
                | Q(status=PolicyStatus.DRAFT, approved_by__isnull=True, approved_at__isnull=True),
                name="policy_draft_not_approved",
            ),
            models.CheckConstraint(
                condition=Q(term_rule_percentage__gte=0) & Q(term_rule_percentage__lte=100),
                name="policy_term_percentage_range",
            ),
            models.CheckConstraint(
                condition=Q(loan_rule_percentage__isnull=True)
                | (Q(loan_rule_percentage__gte=0) & Q(loan_rule_percentage__lte=100)),
                name="policy_loan_percentage_range",
            ),
        ]

    def __str__(self):
        rule = f", of {self.loan_rule_percentage}%" if self.loan_rule_percentage is not None else ""
        draft = " (concept)" if self.status == PolicyStatus.DRAFT else ""
        return (
            f"Vanaf {self.valid_from:%d-%m-%Y}: {self.months_before_term_end} maanden + "
            f"{self.term_rule_percentage}%{rule}{draft}"
        )


class PolicyVersionEvent(models.Model):
    """The log of the four-eyes procedure (as ``pib.audit`` logs role changes): who drafted, changed,
    approved or deleted which criteria version, and when. Read-only in admin; never edited."""

    at = models.DateTimeField("tijdstip", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="door", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.ForeignKey(
        PolicyVersion,
        verbose_name="criteriaversie",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    action = models.CharField("actie", max_length=12, choices=PolicyAction.choices)
    description = models.CharField("versie", max_length=300, help_text="De versie zoals ze op dat moment luidde.")
    changes = models.JSONField("wijzigingen", default=dict, blank=True, help_text="Per veld: [oud, nieuw].")

    class Meta:
        verbose_name = "logregel ELIP-criteria"
        verbose_name_plural = "logboek ELIP-criteria"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%d-%m-%Y %H:%M}: {self.description}"


class ElipEnrolment(models.Model):
    """A municipality's enrolment for ELIP letters (manual §3.3–3.6). One row per municipality;
    withdrawing keeps the row (status afgemeld) so re-enrolling keeps the history."""

    municipality = models.OneToOneField(
        Municipality, verbose_name="gemeente", on_delete=models.PROTECT, related_name="elip_enrolment"
    )
    status = models.CharField(
        "status", max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    # In the letter.
    letter_phone = models.CharField("telefoonnummer (brief)", max_length=20, blank=True)
    letter_email = models.EmailField("e-mailadres (brief)", blank=True)
    letter_website = models.CharField("webadres (brief)", max_length=200, blank=True)
    # For DUO only, never in the letter.
    contact_name = models.CharField("contactpersoon", max_length=100)
    contact_phone = models.CharField("telefoonnummer contactpersoon", max_length=20, blank=True)
    contact_email = models.EmailField("e-mailadres contactpersoon", blank=True)
    contact_postcode = models.CharField("postcode", max_length=7, blank=True)
    contact_house_number = models.CharField("huisnummer", max_length=5, blank=True)
    contact_house_number_addition = models.CharField("toevoeging", max_length=10, blank=True)
    contact_street = models.CharField("straat", max_length=200, blank=True)
    contact_city = models.CharField("plaats", max_length=100, blank=True)
    enrolled_at = models.DateTimeField("aangemeld op")
    updated_at = models.DateTimeField("laatst gewijzigd", auto_now=True)
    withdrawn_at = models.DateTimeField("afgemeld op", null=True, blank=True)

    class Meta:
        verbose_name = "aanmelding ELIP-ondersteuning"
        verbose_name_plural = "aanmeldingen ELIP-ondersteuning"
        ordering = ["municipality__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(letter_phone="") | ~Q(letter_email=""), name="enrolment_letter_phone_or_email"
            ),
        ]

    def __str__(self):
        return f"{self.municipality} ({self.get_status_display()})"

    @property
    def is_enrolled(self):
        return self.status == EnrolmentStatus.ENROLLED


class ElipEnrolmentChange(models.Model):
    """History: who enrolled, changed or withdrew, when, and what changed."""

    enrolment = models.ForeignKey(
        ElipEnrolment, verbose_name="aanmelding", on_delete=models.CASCADE, related_name="changes"
    )
    at = models.DateTimeField("tijdstip", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("actie", max_length=10, choices=EnrolmentAction.choices)
    changes = models.JSONField("wijzigingen", default=dict, help_text="Per veld: [oud, nieuw].")

    class Meta:
        verbose_name = "wijziging aanmelding"
        verbose_name_plural = "wijzigingen aanmelding"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%d-%m-%Y %H:%M}"


class SelectionRun(models.Model):
    """One weekly ELIP run (a 'verzending'). At most one per date and per ISO week."""

    run_date = models.DateField("datum verzending", unique=True)
    iso_year = models.PositiveSmallIntegerField("ISO-jaar")
    iso_week = models.PositiveSmallIntegerField("ISO-week")
    policy = models.ForeignKey(PolicyVersion, verbose_name="gebruikte criteria", on_delete=models.PROTECT)
    status = models.CharField("status", max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField("gestart", auto_now_add=True)
    finished_at = models.DateTimeField("voltooid", null=True, blank=True)
    # The run's letters and bundles (letters app); made with the run, same date.
    dispatch = models.OneToOneField(
        Dispatch, verbose_name="verzending (brieven)", on_delete=models.PROTECT, related_name="selection_run"
    )

    class Meta:
        verbose_name = "verzending (wekelijkse ELIP-run)"
        verbose_name_plural = "verzendingen (wekelijkse ELIP-runs)"
        ordering = ["-run_date"]
        constraints = [models.UniqueConstraint(fields=["iso_year", "iso_week"], name="run_unique_iso_week")]

    def __str__(self):
        return f"Verzending {self.run_date:%d-%m-%Y}"

    def save(self, *args, **kwargs):
        """A run is a dispatch of letters: the run of a date gets the dispatch of that date."""
        if self.dispatch_id is None:
            self.dispatch, _ = Dispatch.objects.get_or_create(date=self.run_date)
        super().save(*args, **kwargs)


class RunMunicipality(models.Model):
    """Per run and municipality: how many letters were sent."""

    run = models.ForeignKey(
        SelectionRun, verbose_name="verzending", on_delete=models.CASCADE, related_name="per_municipality"
    )
    municipality = models.ForeignKey(Municipality, verbose_name="gemeente", on_delete=models.PROTECT)
    letters_count = models.PositiveIntegerField("aantal brieven", default=0)

    class Meta:
        verbose_name = "verzending per gemeente"
        verbose_name_plural = "verzendingen per gemeente"
        constraints = [models.UniqueConstraint(fields=["run", "municipality"], name="run_municipality_unique")]

    def __str__(self):
        return f"{self.run} – {self.municipality}: {self.letters_count}"


class ComparisonEntry(models.Model):
    """The comparison group for the effect of the letters (issue 15, docs/figures.md): a person who met
    the ELIP criteria at a weekly run while living in a municipality that was *not* enrolled, so got no
    letter. Recorded once, at the first such run (the moment an enrolled municipality's resident would
    have had the letter); the cohort figures set these persons against the letter cohorts."""

    person = models.OneToOneField(
        Person, verbose_name="inburgeraar", on_delete=models.PROTECT, related_name="comparison_entry"
    )
    municipality = models.ForeignKey(Municipality, verbose_name="gemeente (niet aangemeld)", on_delete=models.PROTECT)
    run = models.ForeignKey(SelectionRun, verbose_name="verzending", on_delete=models.PROTECT, related_name="+")
    selected_on = models.DateField("voor het eerst geselecteerd op", db_index=True)

    class Meta:
        verbose_name = "vergelijkingsgroep (geselecteerd, geen brief)"
        verbose_name_plural = "vergelijkingsgroep (geselecteerd, geen brief)"
        ordering = ["-selected_on", "pk"]

    def __str__(self):
        return f"Vergelijkingsgroep {self.municipality} {self.selected_on:%d-%m-%Y}"


class DigestSubscription(models.Model):
    """A user's choice for the weekly e-mail digest (docs/digest.md). Opt-in: without a row, or with
    ``active`` off, the user gets no digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", on_delete=models.CASCADE, related_name="elip_digest"
    )
    active = models.BooleanField("wekelijkse samenvatting per e-mail", default=False)
    changed_at = models.DateTimeField("laatst gewijzigd")
    changed_via = models.CharField("gewijzigd via", max_length=10, choices=DigestChannel.choices)

    class Meta:
        verbose_name = "instelling wekelijkse samenvatting"
        verbose_name_plural = "instellingen wekelijkse samenvatting"

    def __str__(self):
        return f"{self.user}: {'aan' if self.active else 'uit'}"


class DigestDelivery(models.Model):
    """The digest of one run sent to one user: at most one row per run and user (the task checks it
    under a row lock before sending, so a redelivered or repeated task sends nothing twice)."""

    run = models.ForeignKey(SelectionRun, verbose_name="verzending", on_delete=models.CASCADE, related_name="digests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", on_delete=models.CASCADE, related_name="elip_digests"
    )
    sent_at = models.DateTimeField("verstuurd", null=True, blank=True)
    municipalities = models.PositiveSmallIntegerField("aantal gemeenten", default=0)

    class Meta:
        verbose_name = "verstuurde wekelijkse samenvatting"
        verbose_name_plural = "verstuurde wekelijkse samenvattingen"
        ordering = ["-run__run_date", "user__username"]
        constraints = [models.UniqueConstraint(fields=["run", "user"], name="digest_delivery_unique")]

    def __str__(self):
        return f"{self.run} – {self.user}"


class QualityMarkAcknowledgement(models.Model):
    """A user of a municipality acknowledged the start-screen notice about an institution that lost
    its Blik op Werk mark (docs/quality-mark-notice.md). Per municipality: once acknowledged, the notice
    is gone for every colleague, until more of the municipality's ELIP persons turn out to be
    enrolled there than at the last acknowledgement. Append-only: every acknowledgement is a row."""

    municipality = models.ForeignKey(Municipality, verbose_name="gemeente", on_delete=models.PROTECT)
    loss = models.ForeignKey(
        QualityMarkLoss, verbose_name="verlies keurmerk", on_delete=models.CASCADE, related_name="acknowledgements"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gezien door", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField("gezien op", auto_now_add=True)
    persons_count = models.PositiveIntegerField("aantal ELIP-inburgeraars in de melding")

    class Meta:
        verbose_name = "melding keurmerk gezien"
        verbose_name_plural = "meldingen keurmerk gezien"
        ordering = ["-acknowledged_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "loss"], name="qm_ack_municipality_loss_idx")]

    def __str__(self):
        return f"{self.municipality} – {self.loss}"
