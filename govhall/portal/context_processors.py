from django.conf import settings

ELDER_COOKIE = "govhall_elder"


def portal(request):
    """Site name, elder mode and the hall being shown, for the base template.

    ``govhall_site_name`` exists because Django's auth views overwrite ``site_name`` with
    the request's domain; templates prefer it.
    """
    return {
        "site_name": settings.GOVHALL_SITE_NAME,
        "govhall_site_name": settings.GOVHALL_SITE_NAME,
        "elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1",
    }
