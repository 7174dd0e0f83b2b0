"""Counting tries per visitor (an address) in the cache, for the forms anyone can post: join
links, pledges, shelters' needs. A cache that is down counts nothing: a broken Redis must not
stop anyone, and what these forms guard is unguessable or harmless one at a time."""

from django.core.cache import cache


def throttle_count(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except Exception:
        return 0


def throttle_add(key: str, *, seconds: int) -> None:
    try:
        if not cache.add(key, 1, timeout=seconds):
            cache.incr(key)
    except Exception:  # noqa: S110 - any cache failure: count nothing
        pass
