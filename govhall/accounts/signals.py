"""Sign-ins and sign-outs go into the audit chain."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from govhall.core import context
from govhall.core.logging import mask_text
from govhall.core.services import audit


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender, request, user, **kwargs):
    with context.acting(user_id=user.pk, label=user.get_username()):
        audit.record(
            audit.Action.LOGIN,
            object_type="accounts.user",
            object_id=str(user.pk),
            object_repr=user.get_username(),
        )


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(
            audit.Action.LOGOUT,
            object_type="accounts.user",
            object_id=str(user.pk),
            object_repr=user.get_username(),
        )


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record(
        audit.Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=mask_text(str(credentials.get("username", "")))[:150],
    )
