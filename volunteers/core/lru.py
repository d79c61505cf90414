"""A small thread-safe LRU whose entries may expire, for what the app keeps in process memory
(rendered feeds, report figures). Per app: tests run several apps with different databases in one
process, so each keeps its own in `app.extensions`."""

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app


class ExpiringLRU:
    """key → (value, expires or None); the least recently used entry goes first when it is full.
    `expires` and `at` are on the same clock, whichever the user picks."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()  # threaded servers share one app

    def get(self, key, at):
        with self._lock:
            item = self._items.get(key)
            if item is None or (item[1] is not None and at >= item[1]):
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key, value, expires) -> None:
        with self._lock:
            self._items[key] = (value, expires)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def app_store(name: str, make: Callable[[], ExpiringLRU]) -> ExpiringLRU:
    """This app's store of that name, made on first use."""
    store = current_app.extensions.get(name)
    if store is None:
        store = current_app.extensions[name] = make()
    return store
