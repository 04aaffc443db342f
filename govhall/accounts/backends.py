"""Authentication: one backend for citizens and staff, by username, ID number or mobile."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from govhall.core.identifiers import clean, validate_id_number

from .models import Person
from .services import lockout


def resolve_user(identifier: str):
    """The account an identifier names: an ID number, an 11-digit mobile, or a username."""
    User = get_user_model()
    text = (identifier or "").strip()
    if not text:
        return None
    normalized = clean(text)
    if len(normalized) in (15, 18) and normalized[:17].isdigit():
        result = validate_id_number(normalized)
        if result.valid:
            person = (
                Person.objects.select_related("user")
                .filter(id_number_index=Person.index_for(result.normalized))
                .first()
            )
            return person.user if person else None
    if len(normalized) == 11 and normalized.isdigit() and normalized.startswith("1"):
        user = User.objects.filter(mobile=normalized).first()
        if user is not None:
            return user
    return User.objects.filter(**{User.USERNAME_FIELD: text}).first()


def remote_addr_of(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class IdentityBackend(ModelBackend):
    """Django's model backend with identifier resolution and the lockout check.

    A locked account raises ``PermissionDenied``: Django then stops asking other backends
    and reports a failed login. Failures are counted by a ``user_login_failed`` receiver
    (signals.py), so every login form — the hall's, the workbench's, the admin's — counts.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = resolve_user(username)
        if lockout.current_lock(user, username, remote_addr_of(request)):
            raise PermissionDenied("locked")
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        try:
            valid = user.check_password(password)
        except ValueError:
            valid = False  # e.g. bcrypt refuses passwords over 72 bytes: simply wrong
        if valid and self.user_can_authenticate(user):
            return user
        return None
