"""The staff gate of the workbench shell, shared by every app's staff pages: who may open
a staff page, the 403 page, and putting a service's refusal next to the form field it
names."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from govhall.regions.services.scope import scope_of


def staff_gate(message):
    """A decorator: signed-in staff with at least one post (or superusers) pass; anyone
    else sees a 403 page with ``message`` (called at request time, so it is translated)."""

    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not scope_of(request.user).is_staff_member:
                return forbidden(request, message())
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


staff_only = staff_gate(lambda: _("只有在岗的工作人员可以使用办件工作台。"))


def forbidden(request, message: str):
    return render(request, "workbench/forbidden.html", {"message": message}, status=403)


def apply_errors(form, error: ValidationError, field_for=None) -> None:
    """Show a service's messages on the form: each next to the field its key names
    (``field_for`` maps service keys to form fields), the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        name = field_for(key) if field_for else key
        form.add_error(name if name in form.fields else None, messages)
