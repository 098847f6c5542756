"""Account services: backup codes, ending an account's sessions.

* ``issue_backup_codes`` replaces a user's backup codes by ``count`` new single-use codes (django-otp
  static tokens: each code verifies once and is then deleted) and returns them; they are shown once.
* ``end_sessions`` deletes every session row of a user: the next request of any browser of that
  account is anonymous.
"""

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from .models import PortalSession

BACKUP_DEVICE_NAME = "Back-upcodes"
BACKUP_CODE_COUNT = 10


def issue_backup_codes(user, count=BACKUP_CODE_COUNT) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def unused_backup_codes(user) -> list[str]:
    return list(
        StaticToken.objects.filter(device__user=user, device__name=BACKUP_DEVICE_NAME)
        .order_by("pk")
        .values_list("token", flat=True)
    )


def end_sessions(user_id) -> int:
    deleted, _ = PortalSession.objects.filter(user_id=user_id).delete()
    return deleted
