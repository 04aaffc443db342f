"""Per-channel rate limits: ``Channel.rate_per_minute`` calls a minute per channel, all of
its users and addresses together (the channel's servers call on behalf of many people,
so the per-address anonymous limit does not fit them)."""

from __future__ import annotations

from govhall.operations.throttling import SharedRateThrottle


class ChannelRateThrottle(SharedRateThrottle):
    """Keyed by the token's client (the channel), in the shared cache like every limit."""

    scope = "channel"

    def __init__(self):  # the rate is the channel's, known only per request
        self.rate = None

    def allow_request(self, request, view):
        channel = getattr(request._request, "govhall_channel", None)
        if channel is None:
            return True
        self.channel = channel
        self.rate = f"{channel.rate_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.channel.code}
