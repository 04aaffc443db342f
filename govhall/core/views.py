"""The 400 page: bad input refused before a view (``InputGuardMiddleware``) or by Django."""

from django.shortcuts import render


def bad_request(request, exception=None, message: str = ""):
    """Django's ``handler400`` outside /api/, and the input check's page: in Chinese, saying
    what was wrong when it is known."""
    return render(request, "400.html", {"message": message}, status=400)
