"""ELIP reads: which ELIP persons a municipality's user may see, the policy in force, the
selection of ELIP candidates, and the run records the portal shows on "Beheren ELIP brief".

Boundary semantics of the selection (DOMAIN.md "ELIP criteria"), for reference date D and the
policy version in force on D (``active_policy``):

* Only persons under Wi2013 whose ``obligation_status`` is ``inburgeringsplichtig`` count.
  Met (voldaan), exempted (ontheffing, vrijstelling) and ended (beëindigd) never count, whatever
  their loan or term.
* The 100% is the person's own ``Loan.limit``. A person without a Loan row, or with a limit of 0,
  has nothing to borrow and is never selected.
* "Used" is the sum of the person's paid (Betaald) invoices (``pib.selectors.persons_with_loan_usage``);
  rejected invoices never count. Percentages compare exactly, in whole cents and basis points,
  never floats (not even on SQLite, whose SUM of decimals is a float):
  ``used * 100 >= percentage * limit``. With a limit of € 10.000,00: € 7.500,00 (exactly 75.00%)
  counts, € 7.499,00 (74.99%) does not; € 9.500,00 (exactly 95.00%) counts for the loan rule.
* Term rule: ``term_end <= D + N months`` (N = ``months_before_term_end``) and used ≥ the term-rule
  percentage. ``Person.term_end`` already includes granted extensions. A term end exactly on
  D + N months counts; one day later does not. There is no lower bound: persons past their term end
  who are still obliged count (they are overdue, not done).
* D + N months is a calendar-month step with the day clamped to the month's last day
  (``add_months``): 31-01-2021 + 1 month = 28-02-2021, 31-08-2021 + 6 months = 28-02-2022,
  29-02-2024 + 12 months = 28-02-2025.
* Loan rule, only in versions that have ``loan_rule_percentage`` (from 2021-06-01: 95%): used ≥ that
  percentage, whatever the term. Versions before 2021-06-01 have no loan rule.
* ``matched_rule`` says which rule selected the person. When both hold, the term rule wins
  (``termijn_en_lening``).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from letters.models import Letter, LetterBundle
from pib.access import municipality_ids_with_role
from pib.constants import Law, ObligationStatus, Role
from pib.dates import add_months
from pib.formatting import number
from pib.models import Enrolment, Municipality, Person, QualityMarkLoss
from pib.selectors import persons_with_loan_usage
from signals.models import Signal
from signals.selectors import still_shared

from .constants import MatchedRule, PolicyStatus
from .models import PolicyVersion, RunMunicipality, SelectionRun

PREVIOUS_DISPATCH_MONTHS = 3


def visible_persons(user, municipality: Municipality | None) -> QuerySet[Person]:
    """The ELIP persons ``user`` may see for ``municipality`` (DOMAIN.md "Visibility and roles"):
    only once the ELIP letter was sent, only while the person lives there, and only when ``user``
    holds the role "Raadplegen ELIP personen" there (``pib.access``). Every person screen starts
    from it; anything outside it answers 404."""
    if municipality is None:
        return Person.objects.none()
    return _elip_persons(user).filter(municipality=municipality)


def _elip_persons(user) -> QuerySet[Person]:
    """ELIP persons (letter sent) living in any municipality where ``user`` holds "Raadplegen ELIP
    personen" — the rule of ``visible_persons`` without the choice of one municipality."""
    # "Has a letter" as EXISTS: an index-only probe of letters_letter(person_id), where a join reads
    # the wide letter rows (their snapshot) of every candidate.
    return Person.objects.filter(
        Exists(Letter.objects.filter(person=OuterRef("pk"))),
        municipality_id__in=municipality_ids_with_role(user, Role.ELIP_PERSONS),
    )


class NoPolicyInForce(PolicyVersion.DoesNotExist):
    """No ELIP criteria version is valid on the date asked for."""


def active_policy(on_date: dt.date) -> PolicyVersion:
    """The criteria version in force on ``on_date``: the *approved* one with the latest ``valid_from``
    on or before that date (a draft never takes force: four eyes, ``elip.services.policy``).
    Raises ``NoPolicyInForce`` when none is."""
    policy = (
        PolicyVersion.objects.filter(status=PolicyStatus.APPROVED, valid_from__lte=on_date)
        .order_by("-valid_from")
        .first()
    )
    if policy is None:
        raise NoPolicyInForce(f"Geen ELIP-criteria geldig op {on_date:%d-%m-%Y}.")
    return policy


def _basis_points(percentage) -> int:
    """A policy percentage with 2 decimals as a whole number of hundredths of a percent (75.00 -> 7500)."""
    return int(Decimal(percentage).scaleb(2))


def policy_thresholds(policy: PolicyVersion, on_date: dt.date) -> tuple[dt.date, int, int | None]:
    """The selection rule of ``policy`` at ``on_date`` as three numbers: the horizon (term ends on or
    before it are "in term"), the basis points a person in term must have used (the lower of the two
    rules), and those a person outside it must have used (the loan rule; None: not selectable).
    A person is selected when ``used × 10,000 ≥ required basis points × limit`` (both in cents).
    ``elip_candidates`` and the what-if (``elip.figures``) both decide with it."""
    horizon = add_months(on_date, policy.months_before_term_end)
    term_bp = _basis_points(policy.term_rule_percentage)
    loan_bp = None if policy.loan_rule_percentage is None else _basis_points(policy.loan_rule_percentage)
    return horizon, term_bp if loan_bp is None else min(term_bp, loan_bp), loan_bp


def elip_candidates(on_date: dt.date, policy: PolicyVersion | None = None) -> QuerySet[Person]:
    """Persons in the ELIP population at ``on_date`` (see the module docstring for every boundary),
    annotated with the loan usage of ``pib.selectors.persons_with_loan_usage`` and ``matched_rule``
    (``elip.constants.MatchedRule``). One SQL query; letters are not taken into account here.

    The paid-invoice sum appears once in the WHERE clause: the percentage a person must reach
    depends only on the term (inside the horizon: the lower of the two rules; outside: the loan
    rule, or nothing), so ``used * 100 >= limit * required`` decides both rules in one comparison.
    It is done in integers (cents × 10,000 against basis points × cents), so it is exact on SQLite
    as on PostgreSQL: no float ever decides a boundary.
    """
    policy = policy or active_policy(on_date)
    horizon, within_term_bp, loan_bp = policy_thresholds(policy, on_date)
    term_bp = _basis_points(policy.term_rule_percentage)

    in_term = Q(term_end__lte=horizon)
    required_bp = Case(
        When(in_term, then=Value(within_term_bp, output_field=BigIntegerField())),
        default=Value(loan_bp, output_field=BigIntegerField()),  # NULL: not selectable
        output_field=BigIntegerField(),
    )
    base = Person.objects.filter(law=Law.WI2013, obligation_status=ObligationStatus.OBLIGED)
    used_x10000 = ExpressionWrapper(F("loan_used_cents") * Value(10_000), output_field=BigIntegerField())
    return (
        persons_with_loan_usage(base)
        .filter(loan_limit_cents__gt=0)
        .alias(
            used_x10000=used_x10000,
            required_x_limit=ExpressionWrapper(required_bp * F("loan_limit_cents"), output_field=BigIntegerField()),
        )
        .filter(used_x10000__gte=F("required_x_limit"))
        .annotate(
            matched_rule=Case(
                When(
                    in_term
                    & Q(
                        used_x10000__gte=ExpressionWrapper(
                            Value(term_bp) * F("loan_limit_cents"), output_field=BigIntegerField()
                        )
                    ),
                    then=Value(MatchedRule.TERM_AND_LOAN),
                ),
                default=Value(MatchedRule.LOAN_ONLY),
                output_field=CharField(),
            )
        )
    )


def elip_candidates_without_letter(on_date: dt.date, policy: PolicyVersion | None = None) -> QuerySet[Person]:
    """Candidates who never received an ELIP letter (a person gets at most one, ever)."""
    return elip_candidates(on_date, policy).filter(elip_letter__isnull=True)


def estimate_for_municipality(municipality: Municipality, on_date: dt.date | None = None) -> int:
    """ "Naar schatting N ELIP-inburgeraars": candidates living in ``municipality`` on ``on_date``
    (default today) who have had no letter yet. Shown whether or not the municipality is enrolled."""
    on_date = on_date or timezone.localdate()
    return elip_candidates_without_letter(on_date).filter(municipality=municipality).count()


def _run_weekday() -> int:
    """Python weekday (Monday 0) of the weekly run, read from the beat schedule in settings."""
    schedule = settings.CELERY_BEAT_SCHEDULE["elip-weekly-run"]["schedule"]
    cron_days = sorted(schedule.day_of_week)  # celery: Sunday 0 … Saturday 6
    return (cron_days[0] - 1) % 7


def next_dispatch_date(today: dt.date | None = None) -> dt.date:
    """The next weekly run: the first run day (Wednesday) on or after today whose ISO week has no
    run yet. So on a Wednesday it is today until today's run exists; and after a run by hand
    earlier in the week (``elip_run --date``) it is next week's Wednesday, because a week has at
    most one run."""
    today = today or timezone.localdate()
    candidate = today + dt.timedelta(days=(_run_weekday() - today.weekday()) % 7)
    done_weeks = set(
        SelectionRun.objects.filter(run_date__gte=candidate - dt.timedelta(days=6)).values_list("iso_year", "iso_week")
    )
    while tuple(candidate.isocalendar())[:2] in done_weeks:
        candidate += dt.timedelta(days=7)
    return candidate


def dispatch_overview(municipality: Municipality, today: dt.date | None = None) -> dict:
    """The run records of one municipality, for "Beheren ELIP brief":

    * ``last_dispatch_date``: the newest run (on or before today) the municipality took part in,
      i.e. it was enrolled then (also when that run had no new person for it); None if never.
    * ``next_dispatch_date``: see ``next_dispatch_date``.
    * ``previous_dispatches``: its runs of the last 3 months (run date > today − 3 months),
      newest first, each ``{"date", "count"}``.
    * ``total_sent``: all letters ever sent on its behalf.
    """
    today = today or timezone.localdate()
    rows = RunMunicipality.objects.filter(municipality=municipality, run__run_date__lte=today)
    last = rows.order_by("-run__run_date").values_list("run__run_date", flat=True).first()
    since = add_months(today, -PREVIOUS_DISPATCH_MONTHS)
    previous = [
        {"date": run_date, "count": count}
        for run_date, count in rows.filter(run__run_date__gt=since)
        .order_by("-run__run_date")
        .values_list("run__run_date", "letters_count")
    ]
    total = rows.aggregate(total=Sum("letters_count"))["total"] or 0
    return {
        "last_dispatch_date": last,
        "next_dispatch_date": next_dispatch_date(today),
        "previous_dispatches": previous,
        "total_sent": total,
    }


def downloadable_bundles(user, municipality: Municipality | None, today: dt.date | None = None):
    """'Downloaden bestanden': the municipality's bundles ("gebundelde versie") of its runs of the
    last 3 months (run date > today − 3 months, as "Vorige verzendingen"), newest first; only
    bundles whose PDF exists, and only when ``user`` holds "Raadplegen ELIP personen" there. The one
    place that decides which bundle may be downloaded."""
    if municipality is None:
        return LetterBundle.objects.none()
    today = today or timezone.localdate()
    since = add_months(today, -PREVIOUS_DISPATCH_MONTHS)
    return (
        LetterBundle.objects.filter(
            municipality=municipality,
            municipality_id__in=municipality_ids_with_role(user, Role.ELIP_PERSONS),
            dispatch__date__gt=since,
            dispatch__date__lte=today,
        )
        .exclude(pdf="")
        .select_related("dispatch")
        .order_by("-dispatch__date")
    )


# --- Raadplegen ELIP personen: who is listed, who can be opened --------------------------------


def elip_persons_listed(user, municipality) -> QuerySet[Person]:
    """ "Overzicht ELIP", its count ("Er zijn N inburgeringsplichtigen") and the BSN search: the
    visible ELIP persons whose obligation is still active. When the obligation ends (SS402) the
    purpose of sharing ends with it and the person leaves the list at once (DOMAIN.md)."""
    return visible_persons(user, municipality).filter(obligation_status=ObligationStatus.OBLIGED)


def elip_persons_listed_region(user) -> QuerySet[Person]:
    """Regional teams (DOMAIN.md "Visibility and roles"): the persons ``elip_persons_listed`` gives
    for each municipality where ``user`` holds "Raadplegen ELIP personen", together — and nothing of
    a municipality where the user lacks that role, whichever municipality is chosen. Every other rule
    applies per municipality (a person's screens open only with their municipality chosen)."""
    return _elip_persons(user).filter(obligation_status=ObligationStatus.OBLIGED)


def regional_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities of the regional lists: where ``user`` holds "Raadplegen ELIP personen"."""
    return Municipality.objects.filter(pk__in=municipality_ids_with_role(user, Role.ELIP_PERSONS)).order_by("name")


def persons_reachable(user, municipality) -> QuerySet[Person]:
    """The persons whose screens open: the visible ELIP persons that are still shared with the
    municipality (``signals.selectors.still_shared``: obligation active, or ended while its SS402
    signal still exists — then reachable from that signal only, not listed)."""
    if municipality is None:
        return Person.objects.none()
    return visible_persons(user, municipality).filter(still_shared(municipality))


# --- Quality mark lost (DOMAIN.md "Routes out of the obligation") ------------------------------


def enrolled_at_lost_institution(losses: QuerySet[QualityMarkLoss] | None = None) -> Exists:
    """On Person: enrolled at an institution that lost its Blik op Werk mark — the persons whose
    municipality must be told (the Werkvoorraad flag and filter, the start-screen notice).

    The rule: the person has an ``Enrolment`` at the institution whose ``end_date`` is on or after
    the loss date (``QualityMarkLoss.lost_on``) — enrolled there when the mark was lost, or enrolled
    later, while the institution had no mark. An enrolment that ended before the loss date does not
    count (the hours were taken while the mark held). The start date does not matter, and the loss
    counts from the day it is recorded, also when ``lost_on`` lies ahead (an announced loss).

    ``losses`` narrows the losses taken into account (e.g. those a municipality has not yet
    acknowledged); by default every recorded loss. An ``Exists`` expression, so it costs no extra
    query: ``persons.filter(enrolled_at_lost_institution())`` or
    ``persons.annotate(quality_mark_lost=enrolled_at_lost_institution())``."""
    lost = QualityMarkLoss.objects.filter(institution_id=OuterRef("institution_id"), lost_on__lte=OuterRef("end_date"))
    if losses is not None:
        lost = lost.filter(pk__in=losses.values("pk"))
    return Exists(Enrolment.objects.filter(person_id=OuterRef("pk")).filter(Exists(lost)))


# --- The weekly e-mail digest (docs/digest.md) --------------------------------------------------

# The ELIP roles; a user holding any of them for a municipality gets that municipality's section.
DIGEST_ROLES = (Role.ELIP_PERSONS, Role.ELIP_LETTER, Role.ELIP_SIGNALS)
DIGEST_TERM_MONTHS = 3


@dataclass(frozen=True)
class DigestSection:
    """One municipality's counts in a user's digest. A count is None when none of the user's roles
    there shows it in the portal (then the mail leaves it out): new ELIP persons for "Beheren ELIP
    brief" or "Raadplegen ELIP personen", new signals for the signals role, terms ending soon for
    "Raadplegen ELIP personen". Counts only: no name, no BSN, nothing that points to a person."""

    municipality: Municipality
    new_persons: int | None
    new_signals: int | None
    term_soon: int | None

    @property
    def empty(self) -> bool:
        return not any((self.new_persons, self.new_signals, self.term_soon))

    @property
    def parts(self) -> list[str]:
        """The counts as Dutch phrases ("3 nieuwe ELIP-inburgeraars", "1 nieuw signaal", …)."""
        phrases = []
        if self.new_persons is not None:
            n = self.new_persons
            phrases.append(f"{number(n)} nieuwe ELIP-inburgeraar{'' if n == 1 else 's'}")
        if self.new_signals is not None:
            n = self.new_signals
            phrases.append(f"{number(n)} {'nieuw signaal' if n == 1 else 'nieuwe signalen'}")
        if self.term_soon is not None:
            n = self.term_soon
            phrases.append(
                f"{number(n)} {'persoon' if n == 1 else 'personen'} met termijn binnen {DIGEST_TERM_MONTHS} maanden"
            )
        return phrases

    @property
    def summary(self) -> str:
        """One line, as issue 14 words it: "N nieuwe ELIP-inburgeraars, M nieuwe signalen, K personen …"."""
        return ", ".join(self.parts)


def digest_recipients(run: SelectionRun) -> QuerySet:
    """Who gets the digest of ``run``: active users who switched it on, have an e-mail address and
    hold an ELIP role for at least one municipality."""
    return (
        get_user_model()
        .objects.filter(is_active=True, elip_digest__active=True, authorisations__role__in=DIGEST_ROLES)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def digest_signals_since(run: SelectionRun) -> dt.date:
    """New signals are those placed after the previous run's date, up to and including this run's
    date (the first run ever: the 7 days before it)."""
    previous = (
        SelectionRun.objects.filter(run_date__lt=run.run_date)
        .order_by("-run_date")
        .values_list("run_date", flat=True)
        .first()
    )
    return previous or run.run_date - dt.timedelta(days=7)


def digest_sections(user, run: SelectionRun) -> list[DigestSection]:
    """Per municipality the user holds an ELIP role for (by name): the counts of ``run``, each
    through the selector that scopes the matching screen (``visible_persons`` via
    ``elip_persons_listed``, ``Signal.objects.filter_for_user``), so the digest can never count
    what the user could not see in the portal."""
    roles: dict[Municipality, set[str]] = {}
    for row in user.authorisations.filter(role__in=DIGEST_ROLES).select_related("municipality"):
        roles.setdefault(row.municipality, set()).add(row.role)
    letters = dict(RunMunicipality.objects.filter(run=run).values_list("municipality_id", "letters_count"))
    since = digest_signals_since(run)
    term_until = add_months(run.run_date, DIGEST_TERM_MONTHS)
    sections = []
    for municipality in sorted(roles, key=lambda m: m.name):
        held = roles[municipality]
        sees_persons = Role.ELIP_PERSONS in held
        sections.append(
            DigestSection(
                municipality=municipality,
                new_persons=letters.get(municipality.pk, 0) if held & {Role.ELIP_PERSONS, Role.ELIP_LETTER} else None,
                new_signals=(
                    Signal.objects.filter_for_user(user, municipality)
                    .filter(placed_on__gt=since, placed_on__lte=run.run_date)
                    .count()
                    if Role.ELIP_SIGNALS in held
                    else None
                ),
                term_soon=(
                    elip_persons_listed(user, municipality)
                    .filter(term_end__gte=run.run_date, term_end__lte=term_until)
                    .count()
                    if sees_persons
                    else None
                ),
            )
        )
    return sections
