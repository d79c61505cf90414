"""Recently rendered feeds, gzipped, in process memory: many calendar servers ask for a feed in full
without If-None-Match, and a public feed has many subscribers, so the same render is asked for
again and again. A year-long feed is about 160 KB as text and 6 KB gzipped.

The key is the ETag, which names the feed's owner, rows, locale and settings and the change stamps
of the centres it shows (a renamed meeting point or volunteer moves them), together with the URL
root the links in the body were built for. An entry is kept no longer than a client may reuse the
answer anyway (Cache-Control max-age)."""

import time

from ..core.lru import ExpiringLRU, app_store

ENTRIES = 256


class BodyCache(ExpiringLRU):
    """(gzipped body, length as text) by key, each entry for at most `max_age` seconds."""

    def __init__(self, max_age: float, size: int = ENTRIES):
        super().__init__(size)
        self.max_age = max_age

    def get(self, key: tuple) -> tuple[bytes, int] | None:
        return super().get(key, time.monotonic())

    def put(self, key: tuple, gzipped: bytes, length: int) -> None:
        super().put(key, (gzipped, length), time.monotonic() + self.max_age)


def body_cache(max_age: float) -> BodyCache:
    """This app's cache."""
    return app_store("feed_bodies", lambda: BodyCache(max_age))
