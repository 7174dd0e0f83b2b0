"""Sessions read from the cache (Redis) before the database, so that a request reads its
session without a query; the database keeps every session all the same.

While Redis fails to answer, sessions are read from and written to the database alone, without
waiting on Redis again for every request (hub.intake.cache pauses it for this process, as it
does for the dropoff table's cached values). A copy in Redis is kept a few minutes only: a
change written while Redis was away (a sign-out, a language chosen) outdates it for no longer."""

from django.contrib.sessions.backends import cached_db, db
from redis.exceptions import RedisError

from hub.intake import cache as intake_cache

CACHED_SECONDS = 5 * 60


class SessionStore(cached_db.SessionStore):
    def load(self):
        if not intake_cache.redis_paused():
            try:
                data = self._cache.get(self.cache_key)
            except RedisError:
                intake_cache.redis_pause()
            else:
                if data is not None:
                    return data
        stored = self._get_session_from_db()
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        self._cache_set(data, self.get_expiry_age(expiry=stored.expire_date))
        return data

    def exists(self, session_key):
        return db.SessionStore.exists(self, session_key)

    def save(self, must_create=False):
        db.SessionStore.save(self, must_create)
        self._cache_set(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        db.SessionStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if session_key is None or intake_cache.redis_paused():
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except RedisError:
            intake_cache.redis_pause()

    def _cache_set(self, data, expiry_age: int) -> None:
        if intake_cache.redis_paused():
            return
        try:
            self._cache.set(self.cache_key, data, min(expiry_age, CACHED_SECONDS))
        except RedisError:
            intake_cache.redis_pause()
