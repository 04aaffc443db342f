"""Rate limits that hold across every app process: atomic counters in the shared cache.

DRF's own throttles keep a list of timestamps per client and write it back with
``cache.set`` — two processes answering at once each write their own list and one
request is forgotten. Here each request is counted by ``core.windows.sliding_count``:
one atomic ``incr`` per request, the limit applied to a sliding estimate, so a burst at
a window boundary cannot double the rate.
The client is ``REMOTE_ADDR`` as ``ClientAddressMiddleware`` resolved it
(``NUM_PROXIES`` is 0: DRF never reads X-Forwarded-For on its own).
"""

from __future__ import annotations

import math

from rest_framework import throttling

from govhall.core.windows import sliding_count


class SharedRateThrottle(throttling.SimpleRateThrottle):
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        duration = self.duration
        window = int(now // duration)
        estimate, previous = sliding_count(self.key, duration, now, count=True, cache=self.cache)
        if estimate <= self.num_requests:
            return True
        # Seconds until the estimate falls back under the limit (at least one).
        if previous:
            needed = (estimate - self.num_requests) / previous * duration
        else:
            needed = (window + 1) * duration - now
        self._wait = max(1.0, math.ceil(min(needed, (window + 1) * duration - now + duration)))
        return False

    def wait(self):
        return getattr(self, "_wait", None)


class AnonRateThrottle(SharedRateThrottle, throttling.AnonRateThrottle):
    """The site-wide anonymous limit (``anon`` rate), per client address."""
