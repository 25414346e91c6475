"""API token (generated once, never a default constant), constant-time checks, a small rate limiter."""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path


def load_or_create_token(token_file: Path, make: Callable[[], str] = lambda: secrets.token_urlsafe(32)) -> str:
    """Read the token file, or create it (mode 600) with `make()` (a random token). Safe if two processes race."""
    if token_file.exists():
        token = token_file.read_text(encoding="utf-8").strip()
        if token:
            return token
    token_file.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(token_file.parent, 0o700)
    temp = token_file.with_name(f".{token_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(make() + "\n")
    try:
        os.link(temp, token_file)  # atomic: fails if another process won the race
    except FileExistsError:
        pass
    finally:
        temp.unlink()
    return token_file.read_text(encoding="utf-8").strip()


def read_token_file(token_file: Path) -> str:
    """The token another process generated (e.g. var/secrets/rasa_token), or "" if there is none."""
    try:
        return token_file.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def resolve_api_token(configured: str, token_file: Path) -> str:
    return configured.strip() if configured and configured.strip() else load_or_create_token(token_file)


def token_matches(candidate: str | None, expected: str) -> bool:
    if not candidate or not expected:
        return False
    return secrets.compare_digest(candidate.encode("utf-8"), expected.encode("utf-8"))


class RateLimiter:
    """Sliding-window counter per key, in process memory (one backend process is the norm here)."""

    def __init__(self, limit: int, window_seconds: float):
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def exceeded(self, key: str) -> bool:
        """True when the key already used up its window (does not count a hit)."""
        with self._lock:
            return len(self._prune(key, time.monotonic())) >= self.limit

    def hit(self, key: str) -> bool:
        """Count one hit; False when the limit was already reached."""
        with self._lock:
            now = time.monotonic()
            hits = self._prune(key, now)
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10000:  # drop idle keys so memory stays bounded
                for stale in [k for k in self._hits if not self._prune(k, now)]:
                    del self._hits[stale]
            return True
