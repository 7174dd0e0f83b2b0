"""Sessions read from the cache (Redis) before the database, so that a request reads its
session without a query; the database keeps every session all the same.

While Redis fails to answer, sessions are read from and written to the database alone,
without waiting on Redis again for every request (hub.redis_pause, shared with the dropoff
table's cached values); a sign-out is still sent to both. A copy in Redis lives a minute at
most, so a change it missed meanwhile (a language chosen, a tablet's last use) outdates it
for no longer."""

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.core.cache import caches
from redis.exceptions import RedisError

from hub.redis_pause import redis_pause, redis_paused

CACHED_SECONDS = 60


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self.cache = caches[settings.SESSION_CACHE_ALIAS]

    def load(self):
        if not redis_paused():
            try:
                data = self.cache.get(self.cache_key)
            except RedisError:
                redis_pause()
            else:
                if data is not None:
                    return data
        stored = self._get_session_from_db()  # type: ignore[attr-defined]  # not in the stubs
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        self._cache_set(data, self.get_expiry_age(expiry=stored.expire_date))
        return data

    def exists(self, session_key):
        return db.SessionStore.exists(self, session_key)

    def save(self, must_create=False):
        db.SessionStore.save(self, must_create)
        self._cache_set(dict(self.items()), self.get_expiry_age())

    def delete(self, session_key=None):
        # Tried even while this process leaves Redis alone: another process may be reading
        # the copy there, which must not outlive a sign-out.
        db.SessionStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self.cache.delete(self.cache_key_prefix + session_key)
        except RedisError:
            redis_pause()

    def _cache_set(self, data, expiry_age: int) -> None:
        if redis_paused():
            return
        try:
            self.cache.set(self.cache_key, data, min(expiry_age, CACHED_SECONDS))
        except RedisError:
            redis_pause()
