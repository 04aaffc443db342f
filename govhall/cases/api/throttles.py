"""The public progress query pairs a case number with an ID, so guessing must stay slow."""

from govhall.operations.throttling import AnonRateThrottle


class ProgressThrottle(AnonRateThrottle):
    """30 queries a minute per client address, signed in or not (rate set here on purpose:
    it protects applicants' data and is not a tuning knob)."""

    scope = "case_progress"
    rate = "30/minute"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
