"""Letter history for the demo and the benchmarks (issue 15): past weekly runs with letters, the
comparison group and what happened to those persons afterwards, so the letter-effect figures
(docs/figures.md) have cohorts to show.

Deterministic for a seed. Who: the Wi2013 persons of the population with at least 75 % of their loan
used (a candidate at some point), except the showcase persons of the headline municipality (they get
their letter in the demo's own run). Persons whose obligation has ended (met, exempted, released,
ended) all get a past start date; still-obliged ones half of them (the other half is left for the
current run). With ``extra_persons`` it first adds that many persons in the enrolled municipalities
(all of whose candidates get a past letter), so the cohorts are large enough to show. A person in an
enrolled municipality gets a letter at a past run; one elsewhere a comparison entry. To give the
comparison something to show, 15 % of the still-obliged letter recipients are made to meet the
obligation after their letter (synthetic data: this demonstrates the screens, it proves nothing).
For an ended obligation a registry-history row records the change on a date after
the start (that is what the figures read); a third of the still-obliged get a term extension granted
after the start.

Written in bulk (``bulk_create``): runs of every week (Wednesday) of the period that has none,
their dispatches, letters (render status *aangemaakt* but **no PDF**: the person screen then says the
letter is not available, the admin shows no link; nothing re-renders them), the per-municipality
counts and a bundle row per run and municipality with its count and **no PDF** (Downloaden bestanden
lists bundles with a PDF only). No SS400 signals for history (retention would have removed them).
An existing run of a week is reused and its counts increased.
"""

import datetime as dt
import random
from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from letters.models import Dispatch, Letter, LetterBundle, RenderStatus
from pib.constants import Law, ObligationStatus
from pib.models import Person, TermExtension
from pib.selectors import persons_with_loan_usage

from ..constants import EnrolmentStatus, MatchedRule, RunStatus
from ..models import ComparisonEntry, ElipEnrolment, RunMunicipality, SelectionRun
from ..selectors import active_policy, next_dispatch_date
from ..services.weekly_run import letter_reference
from .population import build_population

ENDED = (ObligationStatus.MET, ObligationStatus.EXEMPTED, ObligationStatus.RELEASED, ObligationStatus.ENDED)
LETTER_EFFECT = 0.15  # share of still-obliged letter recipients the demo lets meet the obligation
SHOWCASE = 6  # the first persons of a population of some size (elip.demo.population.showcase_persons)


def _run_dates(today: dt.date, months: int) -> list[dt.date]:
    """The run days (Wednesdays) of the past ``months`` months, before the current week's run."""
    first_open = next_dispatch_date(today)  # the next run still to happen (not history)
    start = today - dt.timedelta(days=round(months * 30.44))
    day = start + dt.timedelta(days=(2 - start.weekday()) % 7)
    dates = []
    while day < first_open and day.isocalendar()[:2] != first_open.isocalendar()[:2] and day < today:
        dates.append(day)
        day += dt.timedelta(days=7)
    return dates


def _runs(dates: list[dt.date]) -> dict[dt.date, SelectionRun]:
    weeks = {d.isocalendar()[:2]: d for d in dates}
    existing = {(r.iso_year, r.iso_week): r for r in SelectionRun.objects.filter(run_date__gte=dates[0])}
    missing = [d for w, d in weeks.items() if w not in existing]
    dispatches = {d.date: d for d in Dispatch.objects.filter(date__in=missing)}
    Dispatch.objects.bulk_create([Dispatch(date=d) for d in missing if d not in dispatches])
    dispatches = {d.date: d for d in Dispatch.objects.filter(date__in=missing)}
    now = timezone.now()
    SelectionRun.objects.bulk_create(
        [
            SelectionRun(
                run_date=d,
                iso_year=d.isocalendar()[0],
                iso_week=d.isocalendar()[1],
                policy=active_policy(d),
                status=RunStatus.DONE,
                finished_at=now,
                dispatch=dispatches[d],
            )  # fmt: skip
            for d in missing
        ]
    )
    by_week = {(r.iso_year, r.iso_week): r for r in SelectionRun.objects.filter(run_date__gte=dates[0])}
    return {d: by_week[w] for w, d in weeks.items()}


@transaction.atomic
def add_letter_history(
    *, today: dt.date | None = None, months: int = 18, seed: int = 2025, extra_persons: int = 0
) -> dict:
    """Adds the history (see the module docstring); returns counts. Does nothing when letters older
    than the current week exist already (run once, e.g. by ``make demo``)."""
    today = today or timezone.localdate()
    dates = _run_dates(today, months)
    if not dates or Letter.objects.filter(letter_date__lt=dates[-1] + dt.timedelta(days=1)).exists():
        return {}
    rng = random.Random(seed)
    enrolled = set(
        ElipEnrolment.objects.filter(status=EnrolmentStatus.ENROLLED).values_list("municipality_id", flat=True)
    )
    showcase = set(Person.objects.order_by("pk").values_list("pk", flat=True)[:SHOWCASE])
    first_extra = None
    if extra_persons and enrolled:
        # more persons in the enrolled municipalities, all lettered in the past (none left for the current run)
        first_extra = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        build_population(persons=extra_persons, seed=seed + 1, today=today, municipality_ids=enrolled)
    candidates = (
        persons_with_loan_usage(
            Person.objects.filter(law=Law.WI2013, elip_letter__isnull=True, comparison_entry__isnull=True)
        )  # fmt: skip
        .alias(used4=F("loan_used_cents") * 4, limit3=F("loan_limit_cents") * 3)
        .filter(loan_limit_cents__gt=0, used4__gte=F("limit3"))  # at least 75 % used
        .order_by("pk")
        .values_list("pk", "municipality_id", "obligation_status", "term_end")
    )
    runs = _runs(dates)
    letters, entries, ends, extensions, met_after_letter = [], [], [], [], []
    public_ids = {}
    for pk, municipality_id, status, term_end in candidates:
        if pk in showcase or (status not in ENDED and status != ObligationStatus.OBLIGED):
            continue
        extra = first_extra is not None and pk >= first_extra
        if status == ObligationStatus.OBLIGED and not extra and rng.random() < 0.5:
            continue  # left for the current run
        start = rng.choice(dates[:-2] if status in ENDED and len(dates) > 2 else dates)
        run = runs[start]
        if municipality_id in enrolled:
            letters.append((pk, municipality_id, run))
        else:
            entries.append(ComparisonEntry(person_id=pk, municipality_id=municipality_id, run=run, selected_on=start))
        if status == ObligationStatus.OBLIGED and municipality_id in enrolled and rng.random() < LETTER_EFFECT:
            status = ObligationStatus.MET  # the demo's letters help a little (synthetic: proves nothing)
            met_after_letter.append(pk)
        if status in ENDED:
            # most endings within the year after the letter; a few later
            days = min(int(rng.expovariate(1 / 150)) + 7, (today - start).days - 1)
            ends.append((pk, start + dt.timedelta(days=max(days, 1))))
        elif rng.random() < 0.33 and (today - start).days > 14:
            granted = start + dt.timedelta(days=rng.randint(7, (today - start).days - 1))
            extensions.append((pk, term_end, granted))
    if letters:
        public_ids = dict(Person.objects.filter(pk__in=[p for p, _m, _r in letters]).values_list("pk", "public_id"))
    Letter.objects.bulk_create(
        [
            Letter(
                person_id=pk,
                municipality_id=mid,
                dispatch_id=run.dispatch_id,
                letter_date=run.run_date,
                reference=letter_reference(run.run_date, public_ids[pk]),
                matched_rule=MatchedRule.TERM_AND_LOAN,
                snapshot={"historisch": True},
                render_status=RenderStatus.RENDERED,
            )  # fmt: skip
            for pk, mid, run in letters
        ],
        batch_size=5000,
    )
    ComparisonEntry.objects.bulk_create(entries, batch_size=5000)
    counts = Counter((run.pk, run.dispatch_id, mid) for _pk, mid, run in letters)
    _add_counts(counts, runs=list(runs.values()), enrolled=enrolled)
    Person.objects.filter(pk__in=met_after_letter).update(obligation_status=ObligationStatus.MET)
    _add_registry_history(ends, extensions)
    return {"runs": len(dates), "letters": len(letters), "comparison": len(entries), "ended": len(ends),
            "extensions": len(extensions)}  # fmt: skip


def _add_counts(counts: Counter, *, runs: list[SelectionRun], enrolled: set[int]) -> None:
    """Per run a count row for every enrolled municipality (0 included, as a real run records), plus
    the history's letters; a bundle row (no PDF) where letters were sent."""
    existing = {
        (r.run_id, r.municipality_id): r for r in RunMunicipality.objects.filter(run_id__in=[r.pk for r in runs])
    }
    for run in runs:
        for mid in enrolled:
            counts.setdefault((run.pk, run.dispatch_id, mid), 0)
    new, changed = [], []
    for (run_id, _dispatch_id, mid), n in counts.items():
        row = existing.get((run_id, mid))
        if row is None:
            new.append(RunMunicipality(run_id=run_id, municipality_id=mid, letters_count=n))
        else:
            row.letters_count += n
            changed.append(row)
    RunMunicipality.objects.bulk_create(new, batch_size=5000)
    RunMunicipality.objects.bulk_update(changed, ["letters_count"], batch_size=5000)
    bundles = {(b.dispatch_id, b.municipality_id): b for b in LetterBundle.objects.filter(
        dispatch_id__in={d for _r, d, _m in counts})}  # fmt: skip
    LetterBundle.objects.bulk_create(
        [
            LetterBundle(dispatch_id=d, municipality_id=mid, letters_count=n)
            for (_r, d, mid), n in counts.items()
            if n and (d, mid) not in bundles
        ],  # fmt: skip
        batch_size=5000,
    )


def _add_registry_history(ends: list, extensions: list) -> None:
    """A history row per ended obligation, dated on its end (the figures read the status changes from
    the registry history), and term extensions granted after the start (the person's term end moves)."""
    History = Person.history.model
    fields = [f.attname for f in History._meta.fields if not f.name.startswith("history_")]  # what it tracks
    persons = Person.objects.in_bulk([pk for pk, _d in ends] + [pk for pk, _t, _g in extensions])
    noon = dt.time(12, 0)
    tz = timezone.get_current_timezone()
    rows = []
    for pk, day in ends:
        person = persons[pk]
        rows.append(
            History(
                **{name: getattr(person, name) for name in fields},
                history_type="~",
                history_date=dt.datetime.combine(day, noon, tzinfo=tz),
                history_change_reason="demo: einde inburgeringsplicht",
            )  # fmt: skip
        )
    History.objects.bulk_create(rows, batch_size=5000)
    new_extensions, moved = [], []
    for pk, term_end, granted in extensions:
        person = persons[pk]
        new_end = term_end + dt.timedelta(days=183)
        new_extensions.append(TermExtension(person_id=pk, kind="Ziekte of overmacht", previous_end=term_end,
                                            new_end=new_end, granted_on=granted))  # fmt: skip
        person.term_end = new_end
        moved.append(person)
    TermExtension.objects.bulk_create(new_extensions, batch_size=5000)
    Person.objects.bulk_update(moved, ["term_end"], batch_size=5000)
