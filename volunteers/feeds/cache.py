"""Recently rendered feeds, gzipped, in process memory: many calendar servers ask for a feed in full
without If-None-Match, and a public feed has many subscribers, so the same render is asked for
again and again. A year-long feed is about 160 KB as text and 6 KB gzipped.

The key is the ETag, which names the feed's owner, rows, locale and settings and the change stamps
of the centres it shows (a renamed meeting point or volunteer moves them), together with the URL
root the links in the body were built for. An entry is kept no longer than a client may reuse the
answer anyway (Cache-Control max-age)."""

import threading
import time
from collections import OrderedDict

from flask import current_app

ENTRIES = 256


class BodyCache:
    """A small LRU of (gzipped body, length as text), each entry for at most `max_age` seconds."""

    def __init__(self, max_age: float, size: int = ENTRIES):
        self.max_age, self.size = max_age, size
        self._items: OrderedDict[tuple, tuple[float, bytes, int]] = OrderedDict()
        self._lock = threading.Lock()  # threaded servers share one app

    def get(self, key: tuple) -> tuple[bytes, int] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] >= self.max_age:
                return None
            self._items.move_to_end(key)
            return item[1], item[2]

    def put(self, key: tuple, gzipped: bytes, length: int) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), gzipped, length)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def body_cache(max_age: float) -> BodyCache:
    """This app's cache (per app: tests run several apps with different databases in one process)."""
    cache = current_app.extensions.get("feed_bodies")
    if cache is None:
        cache = current_app.extensions["feed_bodies"] = BodyCache(max_age)
    return cache
