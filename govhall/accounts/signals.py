"""Sign-ins and sign-outs go into the audit chain; failures feed the lockout counters;
every successful sign-in is recorded with its channel and hall."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from govhall.core import context
from govhall.core.logging import mask_text
from govhall.core.services import audit

from .audit import record_account


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender, request, user, **kwargs):
    with context.acting(user_id=user.pk, label=user.get_username()):
        record_account(audit.Action.LOGIN, user)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_account(audit.Action.LOGOUT, user)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record(
        audit.Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=mask_text(str(credentials.get("username", "")))[:150],
    )


@receiver(user_login_failed, dispatch_uid="identity-lockout-count")
def _count_failure(sender, credentials, request=None, **kwargs):
    from .backends import remote_addr_of, resolve_user
    from .services import lockout

    identifier = str(credentials.get("username", ""))
    user = resolve_user(identifier)
    addr = remote_addr_of(request)
    if lockout.current_lock(user, identifier, addr):
        return  # already locked: the refusal is not a new guess
    left = lockout.register_failure(user, identifier, addr)
    if request is not None:
        request.govhall_login_tries_left = left


@receiver(user_logged_in, dispatch_uid="identity-login-record")
def _record_login(sender, request, user, **kwargs):
    from .services import lockout, login

    lockout.register_success(user)
    if request is not None:
        login.record_login(request, user)
