"""One progress line while the benchmark runs: step n/N, elapsed time, what is happening now."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total_steps: int):
        self.total = total_steps
        self.number = 0
        self.label = ""
        self.started = time.monotonic()
        self.tty = sys.stdout.isatty()
        self._last_plain = 0.0

    def _elapsed(self) -> str:
        seconds = int(time.monotonic() - self.started)
        return f"{seconds // 60:02d}:{seconds % 60:02d}"

    def step(self, label: str) -> None:
        self.number += 1
        self.label = label
        self._write("", force=True)

    def update(self, detail: str) -> None:
        self._write(detail)

    def _write(self, detail: str, force: bool = False) -> None:
        line = f"[bench {self.number}/{self.total} {self._elapsed()}] {self.label}" + (f" · {detail}" if detail else "")
        if self.tty:
            sys.stdout.write("\r\033[K" + line)
            sys.stdout.flush()
        elif force or time.monotonic() - self._last_plain >= 5:  # logs and CI: a line every 5 s at most
            print(line, flush=True)
            self._last_plain = time.monotonic()

    def note(self, text: str) -> None:
        """A line that stays (the progress line is redrawn below it)."""
        if self.tty:
            sys.stdout.write("\r\033[K")
        print(text, flush=True)

    def done(self) -> None:
        if self.tty:
            sys.stdout.write("\n")
        print(f"[bench] 完成，用时 {self._elapsed()}", flush=True)
