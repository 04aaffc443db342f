"""View guards for later subsystems: a minimum real-name level, acting for a company."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from .services import realname


def realname_required(level: int):
    """Let the view run only for a person at ``level`` or above (an item's minimum
    real-name level); others sign in or learn how to raise their level."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
            if not realname.meets(request.user, level):
                query = urlencode({"level": int(level), "next": request.get_full_path()})
                return redirect(f"{reverse('accounts:level-required')}?{query}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
