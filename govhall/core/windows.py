"""Counting events over a sliding window with atomic counters in the shared cache.

Each event is one atomic ``incr`` (Redis ``INCR``) of a counter per fixed window; the
count is a sliding estimate, the previous window's count weighted by how much of it
still overlaps the last ``period`` seconds plus the current count. A clock-window
counter alone forgets everything at each boundary, so a burst at 10:59:59 and another at
11:00:00 would get twice the limit and no delay; a list of timestamps written back with
``cache.set`` loses events when two processes answer at once.
"""

from __future__ import annotations

from django.core.cache import cache as default_cache


def _incr(cache, key: str, ttl: int) -> int:
    cache.add(key, 0, ttl)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, ttl)
        return 1


def sliding_count(
    key: str, period: int, now: float, *, count: bool = False, cache=None
) -> tuple[float, float]:
    """Events under ``key`` in the ``period`` seconds before ``now`` (a timestamp),
    counting this one first when ``count``; returns the estimate and the previous
    window's count (what a caller needs to say how long to wait)."""
    cache = cache or default_cache
    window = int(now // period)
    current_key = f"{key}:{window}"
    current = _incr(cache, current_key, 2 * period + 1) if count else cache.get(current_key) or 0
    previous = cache.get(f"{key}:{window - 1}") or 0
    overlap = 1 - (now - window * period) / period
    return previous * overlap + current, previous
