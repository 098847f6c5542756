"""ELIP criteria versions with four eyes (issue 15): draft, change, approve, delete a draft.

Guarantees and what enforces them:

* A version takes force only once approved: ``elip.selectors.active_policy`` reads approved
  versions only, so the weekly run, the estimate and every other reader ignore drafts.
* Four eyes: ``policy_approve`` refuses the drafter (and the database refuses it too: the check
  constraint ``policy_approver_not_drafter``) and anyone without the permission
  ``elip.approve_policyversion`` (DUO functioneel beheer, ``pib.duo_groups``). The approval is taken
  under a row lock on the version, so two approvers at once approve it once.
* An approved version, and a version a run used (``SelectionRun.policy``), is read-only: every
  write here refuses it (``PolicyLocked``), the admin shows it read-only, and it cannot be deleted
  (PROTECT from the run; the admin refuses deleting an approved version).
* A version can only be approved for a date still ahead: its ``valid_from`` must be after today and
  after the newest run, so no run that already happened is ever judged by other criteria.
* Every step is logged in the same transaction (``PolicyVersionEvent``: who, when, what, the fields
  changed), as ``pib.audit`` logs role changes.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ..constants import PolicyAction, PolicyStatus
from ..models import PolicyVersion, PolicyVersionEvent, SelectionRun

EDITABLE_FIELDS = ("valid_from", "months_before_term_end", "term_rule_percentage", "loan_rule_percentage", "note")
APPROVE_PERMISSION = "elip.approve_policyversion"


class PolicyError(ValueError):
    """A step of the four-eyes procedure that is not allowed; the message is Dutch, for the screen."""


class PolicyLocked(PolicyError):
    """The version is approved or was used by a run: it can no longer change."""


def policy_used_by_run(version: PolicyVersion) -> bool:
    return version.pk is not None and SelectionRun.objects.filter(policy=version).exists()


def _jsonable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _log(*, version, user, action, changes=None):
    PolicyVersionEvent.objects.create(
        version=version if action != PolicyAction.DELETED else None,
        user=user,
        action=action,
        description=str(version)[:300],
        changes=changes or {},
    )


def check_valid_from(valid_from: dt.date, *, version: PolicyVersion | None = None, today: dt.date) -> None:
    if valid_from <= today:
        raise PolicyError(f"De ingangsdatum moet na vandaag ({today:%d-%m-%Y}) liggen.")
    last_run = SelectionRun.objects.order_by("-run_date").values_list("run_date", flat=True).first()
    if last_run is not None and valid_from <= last_run:
        raise PolicyError(f"De ingangsdatum moet na de laatste verzending ({last_run:%d-%m-%Y}) liggen.")
    clash = PolicyVersion.objects.filter(valid_from=valid_from)
    if version is not None and version.pk is not None:
        clash = clash.exclude(pk=version.pk)
    if clash.exists():
        raise PolicyError(f"Er is al een versie met ingangsdatum {valid_from:%d-%m-%Y}.")


def check_percentages(term: Decimal, loan: Decimal | None) -> None:
    for value in (term, loan):
        if value is not None and not (Decimal(0) <= Decimal(value) <= Decimal(100)):
            raise PolicyError("Een percentage ligt tussen 0 en 100.")


@transaction.atomic
def policy_draft_create(
    *,
    user,
    valid_from: dt.date,
    months_before_term_end: int,
    term_rule_percentage: Decimal,
    loan_rule_percentage: Decimal | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> PolicyVersion:
    """A new draft (concept) by ``user``; it has no effect until a second admin approves it."""
    today = today or timezone.localdate()
    check_valid_from(valid_from, today=today)
    check_percentages(term_rule_percentage, loan_rule_percentage)
    version = PolicyVersion.objects.create(
        valid_from=valid_from,
        months_before_term_end=months_before_term_end,
        term_rule_percentage=term_rule_percentage,
        loan_rule_percentage=loan_rule_percentage,
        note=note,
        status=PolicyStatus.DRAFT,
        drafted_by=user,
        drafted_at=timezone.now(),
    )
    _log(version=version, user=user, action=PolicyAction.DRAFTED)
    return version


def _locked_draft(version: PolicyVersion) -> PolicyVersion:
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if policy_used_by_run(locked):
        raise PolicyLocked("Deze versie is door een verzending gebruikt en kan niet meer worden gewijzigd.")
    if locked.status != PolicyStatus.DRAFT:
        raise PolicyLocked("Deze versie is goedgekeurd en kan niet meer worden gewijzigd.")
    return locked


@transaction.atomic
def policy_draft_update(*, version: PolicyVersion, user, today: dt.date | None = None, **fields) -> PolicyVersion:
    """Change a draft. Refused for an approved version or one a run used (``PolicyLocked``). A change
    by someone else makes them a co-author: they may then not approve it either (the last editor
    becomes ``drafted_by``)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise PolicyError(f"Onbekend veld: {', '.join(sorted(unknown))}.")
    locked = _locked_draft(version)
    today = today or timezone.localdate()
    changes = {
        name: [_jsonable(getattr(locked, name)), _jsonable(value)]
        for name, value in fields.items()
        if getattr(locked, name) != value
    }
    if not changes:
        return locked
    if "valid_from" in fields:
        check_valid_from(fields["valid_from"], version=locked, today=today)
    for name, value in fields.items():
        setattr(locked, name, value)
    check_percentages(locked.term_rule_percentage, locked.loan_rule_percentage)
    if locked.drafted_by_id != getattr(user, "pk", None):
        changes["drafted_by"] = [locked.drafted_by_id, user.pk]
        locked.drafted_by = user
    locked.drafted_at = timezone.now()
    locked.save()
    _log(version=locked, user=user, action=PolicyAction.CHANGED, changes=changes)
    return locked


def approval_refusal(version: PolicyVersion, user, today: dt.date | None = None) -> str:
    """Why ``user`` may not approve ``version`` now (Dutch), or "" when they may."""
    today = today or timezone.localdate()
    if version.status != PolicyStatus.DRAFT:
        return "Deze versie is al goedgekeurd."
    if policy_used_by_run(version):
        return "Deze versie is door een verzending gebruikt."
    if not user.has_perm(APPROVE_PERMISSION):
        return "U mag ELIP-criteria niet goedkeuren: daarvoor is de groep DUO functioneel beheer nodig."
    if version.drafted_by_id is None or version.drafted_by_id == user.pk:
        return "U heeft dit concept zelf opgesteld of gewijzigd. Een tweede beheerder moet het goedkeuren."
    try:
        check_valid_from(version.valid_from, version=version, today=today)
    except PolicyError as error:
        return f"{error} Pas eerst de ingangsdatum van het concept aan."
    return ""


@transaction.atomic
def policy_approve(*, version: PolicyVersion, user, today: dt.date | None = None) -> PolicyVersion:
    """The second admin approves the draft: from ``valid_from`` on it is the version in force."""
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    refusal = approval_refusal(locked, user, today)
    if refusal:
        raise PolicyError(refusal)
    locked.status = PolicyStatus.APPROVED
    locked.approved_by = user
    locked.approved_at = timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    _log(version=locked, user=user, action=PolicyAction.APPROVED)
    return locked


@transaction.atomic
def policy_draft_delete(*, version: PolicyVersion, user) -> None:
    """Delete a draft (an approved or used version is never deleted); the log keeps its text."""
    locked = _locked_draft(version)
    _log(version=locked, user=user, action=PolicyAction.DELETED)
    locked.delete()
