"""Audit entries about a user account: sign-ins and sign-outs, locks lifted,
authenticators bound or reset, personal data downloaded."""

from govhall.core.services import audit


def record_account(action: str, user, reason: str = ""):
    """One entry about ``user``'s account, named by its id and username."""
    return audit.record(
        action,
        object_type="accounts.user",
        object_id=str(user.pk),
        object_repr=user.get_username(),
        reason=reason,
    )
