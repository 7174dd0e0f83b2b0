"""After Redis fails to answer (its timeout is a second), this process reads the database
directly for a while instead of waiting on it again for every value of every request: the
dropoff table's cached values (hub.intake.cache) and the sessions (hub.sessions)."""

import time

REDIS_PAUSE_SECONDS = 30
_redis_paused_until = 0.0


def redis_paused() -> bool:
    """Whether this process reads the database instead of Redis for now."""
    return time.monotonic() < _redis_paused_until


def redis_pause() -> None:
    """Redis failed to answer: leave it alone for a while."""
    global _redis_paused_until
    _redis_paused_until = time.monotonic() + REDIS_PAUSE_SECONDS
