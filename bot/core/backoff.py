"""Backoff instead of lock-out: after a few free failures each further attempt of a key must wait,
doubling from `base_seconds` up to `max_seconds`; a key is forgotten after `forget_seconds` without a
failure. Used for the citizens' status query and the console login.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass
class _Failures:
    count: int
    last: float


class Backoff:
    """Failures per key; `wait(key)` is how long the key must still wait before its next attempt."""

    def __init__(self, free: int, base_seconds: float, max_seconds: float, forget_seconds: float = 3600):
        self.free, self.base, self.max, self.forget = free, base_seconds, max_seconds, forget_seconds
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def _current(self, key: str, now: float) -> _Failures | None:
        entry = self._failures.get(key)
        if entry and now - entry.last > self.forget:
            del self._failures[key]
            return None
        return entry

    def delay_after(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.max, self.base * 2 ** (failures - self.free)))

    def wait(self, key: str) -> float:
        with self._lock:
            now = time.monotonic()
            entry = self._current(key, now)
            return 0.0 if entry is None else max(0.0, entry.last + self.delay_after(entry.count) - now)

    def failed(self, key: str) -> None:
        with self._lock:
            now = time.monotonic()
            entry = self._current(key, now)
            if entry is None:
                self._failures[key] = _Failures(1, now)
            else:
                entry.count, entry.last = entry.count + 1, now
            if len(self._failures) > 10000:  # bounded memory: drop what is forgotten anyway
                for stale in [k for k, e in self._failures.items() if now - e.last > self.forget]:
                    del self._failures[stale]

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
