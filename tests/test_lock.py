"""The hashed lock in requirements/lock/: current, complete, and runtime free of test tools."""

from __future__ import annotations

import re

from bot import bootstrap

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._\-\[\],]*)==([^\s\\;]+)")


def locked(name: str) -> dict[str, str]:
    text = (bootstrap.LOCK / name).read_text(encoding="utf-8")
    entries = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{name}: {match.group(1)} has no hash"
            entries[re.sub(r"\[.*\]", "", match.group(1)).lower()] = match.group(2)
    return entries


def test_every_lock_is_generated_from_the_current_inputs() -> None:
    assert bootstrap.stale_locks() == [], "requirements changed without a new lock: run python3 -m bot lock"


def test_every_line_of_every_lock_is_an_exact_pin_with_hashes() -> None:
    for name in bootstrap.LOCKS:
        text = (bootstrap.LOCK / name).read_text(encoding="utf-8")
        requirement_lines = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
        assert requirement_lines and all(PIN.match(line) for line in requirement_lines), name
        assert len(locked(name)) == len(requirement_lines)


def test_runtime_has_rasa_and_no_test_or_benchmark_tools() -> None:
    core, runtime = locked("core.txt"), locked("runtime.txt")
    assert core == {"rasa": "3.6.21", "rasa-sdk": "3.6.2"}
    assert runtime["python-socketio"].startswith("5.9.") and runtime["fastapi"] == "0.125.0"
    for tool in ["pytest", "pytest-timeout", "playwright", "py-spy", "ruff", "mypy", "itsdangerous"]:
        assert tool not in runtime, tool
    dev = locked("dev.txt")
    for tool in ["pytest", "playwright", "py-spy", "ruff", "mypy", "uv"]:
        assert tool in dev, tool
    # The dev set never moves a runtime package to another version.
    assert all(runtime[name] == version for name, version in dev.items() if name in runtime)
