"""The weekly e-mail digest (docs/digest.md): the user's opt-in, the opt-out link, and one user's
digest of one weekly run.

Guarantees and what enforces them:

* **Opt-in.** Only a user who switched it on (``DigestSubscription.active``, set by the user in the
  portal, ``digest_subscription_set``) and still holds an ELIP role gets a digest
  (``elip.selectors.digest_recipients``); ``digest_send`` checks again just before sending.
* **At most one digest per user per run.** ``DigestDelivery`` is unique per (run, user);
  ``digest_send`` takes that row under a row lock and sends only when it has no ``sent_at``. The
  mail goes out inside that transaction: when sending fails the row is rolled back and a retry
  sends; a repeated or redelivered task finds ``sent_at`` and sends nothing. (A crash after the SMTP
  server accepted the mail but before the commit can send it twice: at least once, never lost.)
* **Counts only.** The mail holds per municipality three numbers from
  ``elip.selectors.digest_sections`` (each through the selector of the matching screen, so only
  what the user's roles show there), the run date and links. Never a name, a BSN or a person link.
* **Opt-out without login.** Every mail carries a link with a signed token (``django.core.signing``,
  its own salt; the user id only); its page changes nothing on GET, one POST switches the digest
  off. The same URL is the ``List-Unsubscribe`` header for one-click opt-out (RFC 8058).
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..constants import DigestChannel
from ..models import DigestDelivery, DigestSubscription, SelectionRun
from ..selectors import DIGEST_TERM_MONTHS, digest_recipients, digest_sections

logger = logging.getLogger(__name__)
OPTOUT_SALT = "elip.digest.optout"


def absolute_url(path: str) -> str:
    """A portal URL for a mail: ``PORTAL_BASE_URL`` + path."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def is_subscribed(user) -> bool:
    return DigestSubscription.objects.filter(user=user, active=True).exists()


@transaction.atomic
def digest_subscription_set(*, user, active: bool, via: str = DigestChannel.PORTAL) -> DigestSubscription:
    """Switch the weekly digest on or off for ``user`` (time and channel kept on the row)."""
    row, _ = DigestSubscription.objects.select_for_update().get_or_create(
        user=user, defaults={"active": active, "changed_at": timezone.now(), "changed_via": via}
    )
    if row.active != active:
        row.active = active
        row.changed_at = timezone.now()
        row.changed_via = via
        row.save(update_fields=["active", "changed_at", "changed_via"])
        logger.info("weekly digest %s for user %s via %s", "on" if active else "off", user.pk, via)
    return row


def optout_token(user) -> str:
    return signing.dumps(user.pk, salt=OPTOUT_SALT)


def optout_user(token: str):
    """The user an opt-out token was made for, or None (forged, broken, or the user is gone)."""
    try:
        user_id = signing.loads(token, salt=OPTOUT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(user_id, int):
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def digest_message(*, user, run: SelectionRun, sections) -> EmailMultiAlternatives:
    optout_url = absolute_url(reverse("elip:digest_optout", kwargs={"token": optout_token(user)}))
    context = {
        "run": run,
        "sections": sections,
        "portal_url": absolute_url(reverse("start")),
        "settings_url": absolute_url(reverse("elip:digest_settings")),
        "optout_url": optout_url,
        "term_months": DIGEST_TERM_MONTHS,
    }
    message = EmailMultiAlternatives(
        subject=f"Portal Inburgering: wekelijkse samenvatting van {run.run_date:%d-%m-%Y}",
        body=render_to_string("elip/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{optout_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("elip/email/digest.html", context), "text/html")
    return message


def digest_send(*, run_id: int, user_id: int) -> bool:
    """Send ``run``'s digest to the user once; True when this call sent it. Nothing is sent when the
    user switched it off, has no e-mail address or ELIP role any more, or every count is zero."""
    run = SelectionRun.objects.get(pk=run_id)
    user = digest_recipients(run).filter(pk=user_id).first()
    if user is None:
        return False
    sections = digest_sections(user, run)
    if all(section.empty for section in sections):
        return False  # nothing to tell this week: no mail
    with transaction.atomic():
        DigestDelivery.objects.get_or_create(run=run, user=user)
        delivery = DigestDelivery.objects.select_for_update().get(run=run, user=user)
        if delivery.sent_at is not None:
            return False
        digest_message(user=user, run=run, sections=sections).send(fail_silently=False)
        delivery.sent_at = timezone.now()
        delivery.municipalities = len(sections)
        delivery.save(update_fields=["sent_at", "municipalities"])
    logger.info("weekly digest of run %s sent to user %s", run.run_date, user.pk)
    return True
