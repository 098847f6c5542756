"""Who granted or removed which role, and when (issue 11: least privilege for DUO).

Every change of a municipal account role (``Authorisation``), of a user's DUO groups, direct
permissions, staff or superuser status made in Django admin writes one ``RoleChange`` row per
grant or removal, in the same transaction. DUO reads them in admin (read-only; nobody edits or
deletes them there).
"""

from .models import RoleChange


def record(*, actor, user, kind: str, granted: bool, what: str) -> None:
    RoleChange.objects.create(
        actor=actor,
        user=user,
        kind=kind,
        action=RoleChange.Action.GRANTED if granted else RoleChange.Action.REMOVED,
        what=what[:300],
    )


def record_set_change(*, actor, user, kind: str, before, after) -> None:
    """One row per item added to or removed from a set of roles (shown by ``str``)."""
    before, after = set(before), set(after)
    for item in sorted(after - before, key=str):
        record(actor=actor, user=user, kind=kind, granted=True, what=str(item))
    for item in sorted(before - after, key=str):
        record(actor=actor, user=user, kind=kind, granted=False, what=str(item))
