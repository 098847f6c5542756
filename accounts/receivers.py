"""Signal receivers: session start time at sign-in; a successful sign-in forgets the account's own
failed attempts; all sessions end when an account is disabled,
loses staff/superuser status or loses (or has changed) any municipal role (``Authorisation`` row).

Bulk ``QuerySet.update()`` sends no signals: disable accounts through the admin or ``save()``.
"""

import time

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from pib.models import Authorisation

from .services import end_sessions

SESSION_STARTED = "sessie_begin"
SESSION_SEEN = "sessie_laatst"
User = get_user_model()
_PRIVILEGES = ("is_active", "is_staff", "is_superuser")


@receiver(user_logged_in)
def mark_session_start(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


@receiver(user_logged_in)
def forget_own_failures(sender, request, user, **kwargs):
    """A correct password forgets this account's earlier typos (not a lockout: that stays until a DUO
    admin lifts it). Unlike ``AXES_RESET_ON_SUCCESS`` it never clears another account's failures
    from the same IP, so signing in to one's own account cannot reset a guesser's count."""
    AccessAttempt.objects.filter(
        username=user.get_username(), failures_since_start__lt=settings.AXES_FAILURE_LIMIT
    ).delete()


@receiver(pre_save, sender=User)
def remember_privileges(sender, instance, **kwargs):
    if instance.pk:
        instance._privileges_before = User.objects.filter(pk=instance.pk).values_list(*_PRIVILEGES).first()


@receiver(post_save, sender=User)
def end_sessions_when_privileges_drop(sender, instance, created, **kwargs):
    before = getattr(instance, "_privileges_before", None)
    if created or before is None:
        return
    after = tuple(getattr(instance, name) for name in _PRIVILEGES)
    if any(was and not now for was, now in zip(before, after, strict=True)):
        end_sessions(instance.pk)


@receiver(post_delete, sender=User)
def end_sessions_of_deleted_user(sender, instance, **kwargs):
    end_sessions(instance.pk)


@receiver(post_save, sender=Authorisation)
def end_sessions_when_role_changes(sender, instance, created, **kwargs):
    if not created:
        end_sessions(instance.user_id)


@receiver(post_delete, sender=Authorisation)
def end_sessions_when_role_removed(sender, instance, **kwargs):
    end_sessions(instance.user_id)
