"""Scopes per client: a department system gets only the scopes the hall registered for it."""

from oauth2_provider.scopes import SettingsScopes

# What a client without a profile (e.g. created by hand in the admin) may ask for.
BASIC_SCOPES = ("openid", "profile")


class ClientScopes(SettingsScopes):
    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        every = super().get_available_scopes(application, request, *args, **kwargs)
        if application is None:
            return every
        from ..models import ClientProfile

        profile = ClientProfile.objects.filter(application=application).first()
        allowed = set(profile.scopes) if profile is not None else set(BASIC_SCOPES)
        return [scope for scope in every if scope in allowed]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return ["openid"]
