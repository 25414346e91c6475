"""Create the virtual environment and install the locked dependencies (standard library only).

Rasa 3.6.21 declares Python < 3.11, so it is installed with --no-deps --ignore-requires-python and its
dependencies come from requirements/rasa-deps-py311.txt. Every install goes through the hashed lock files in
requirements/lock/ (`--require-hashes --no-deps`: exactly the locked versions, nothing resolved on the day).
`run` installs the runtime set; `test` and `bench` add the dev set. `python3 -m bot lock` regenerates the locks.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("HAIYUAN_VENV", ROOT / ".venv"))
VENV_PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".haiyuan-requirements.sha256"
REQ = ROOT / "requirements"
LOCK = REQ / "lock"
INPUTS_MARK = "# inputs-sha256: "

# lock file -> (what it is, the input files it is compiled from, extra `uv pip compile` arguments)
LOCKS: dict[str, tuple[str, list[str], list[str]]] = {
    "core.txt": ("Rasa 3.6.21 + rasa-sdk（不解析依赖）", ["rasa-core.txt"], ["--no-deps"]),
    "runtime.txt": ("运行依赖（Rasa 的依赖 + 项目自身）", ["rasa-deps-py311.txt", "app.txt"], []),
    "dev.txt": ("测试、基准与代码检查工具", ["dev.txt"], ["-c", "lock/runtime.txt"]),
}
RUNTIME = ["core.txt", "runtime.txt"]
DEV = [*RUNTIME, "dev.txt"]
# Commands that need the dev set (test runner, browser, profiler, linters).
DEV_COMMANDS = {"test", "bench", "lint", "lock"}


def say(msg: str) -> None:
    print(f"[海原政务小助手] {msg}", flush=True)


def inputs_hash(lock_name: str) -> str:
    digest = hashlib.sha256()
    for name in LOCKS[lock_name][1]:
        digest.update(name.encode() + b"\0" + (REQ / name).read_bytes())
    return digest.hexdigest()


def stale_locks() -> list[str]:
    """Lock files whose inputs changed since they were generated (or that are missing)."""
    stale = []
    for name in LOCKS:
        path = LOCK / name
        first = path.read_text(encoding="utf-8").splitlines()[:1] if path.exists() else []
        if first != [INPUTS_MARK + inputs_hash(name)]:
            stale.append(name)
    return stale


def _install_args(lock_name: str, stale: list[str]) -> list[str]:
    label, inputs, extra = LOCKS[lock_name]
    if lock_name in stale:
        # A developer added a pin and has not re-locked yet: install from the inputs, loudly; CI fails on it
        # (tests/test_lock.py), so a stale lock never lands.
        say(
            f"警告: requirements/lock/{lock_name} 已过期（输入文件改过），本次按输入文件安装；请运行 python3 -m bot lock"
        )
        args = ["install", *(["--no-deps", "--ignore-requires-python"] if "--no-deps" in extra else [])]
        for name in inputs:
            args += ["-r", str(REQ / name)]
        return args
    base = ["install", "--require-hashes", "--no-deps", "-r", str(LOCK / lock_name)]
    return [*base, "--ignore-requires-python"] if lock_name == "core.txt" else base


def wanted_state(sets: list[str]) -> str:
    digest = hashlib.sha256()
    for name in sets:
        path = LOCK / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
        for source in LOCKS[name][1]:
            digest.update((REQ / source).read_bytes())
    return digest.hexdigest()


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_venv(dev: bool = False) -> None:
    """Create/refresh .venv when the locks changed; a no-op on the second run. `dev` adds the dev set."""
    sets = DEV if dev else RUNTIME
    wanted = wanted_state(sets)
    installed = STAMP.read_text().split() if STAMP.exists() else []
    # The stamp holds the state of the runtime set and, once installed, of the dev set: `run` after `test`
    # does not reinstall, and `test` after `run` only adds the dev tools.
    if VENV_PYTHON.exists() and wanted in installed:
        return
    if sys.version_info[:2] != (3, 11):
        say(f"警告: 这里是 Python {sys.version.split()[0]}，本项目在 Python 3.11 上验证过。")
    started = time.monotonic()
    if not VENV_PYTHON.exists():
        say(f"创建虚拟环境 {VENV} …")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    stale = stale_locks()
    steps = [("pip", ["install", "--upgrade", "pip<25"])]
    steps += [(LOCKS[name][0], _install_args(name, stale)) for name in sets]
    for number, (label, args) in enumerate(steps, 1):
        say(f"安装 [{number}/{len(steps)}] {label} …（首次约 3–8 分钟）")
        subprocess.run([str(VENV_PYTHON), "-m", "pip", *args], check=True)
    states = {wanted, wanted_state(RUNTIME)} if dev else {wanted}
    STAMP.write_text("\n".join(sorted(states)))
    say(f"依赖安装完成，用时 {time.monotonic() - started:.0f} 秒。")


def lock() -> int:
    """Regenerate requirements/lock/ from the input files with uv (hashes for every file, Python 3.11)."""
    uv = [str(VENV_PYTHON), "-m", "uv"]
    for name, (_label, inputs, extra) in LOCKS.items():
        out = LOCK / name
        command = [*uv, "pip", "compile", "-q", "--python-version", "3.11", "--generate-hashes", *extra, *inputs]
        compiled = subprocess.run([*command, "--no-header"], cwd=REQ, check=True, capture_output=True, text=True)
        header = [INPUTS_MARK + inputs_hash(name), "# Generated by `python3 -m bot lock` from " + ", ".join(inputs)]
        out.write_text("\n".join(header) + "\n" + compiled.stdout, encoding="utf-8")
        say(f"已生成 requirements/lock/{name}")
    return 0


def reexec_in_venv(argv: list[str]) -> None:
    """Replace this process with the same `-m bot` command run by the venv's Python."""
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), "-m", "bot", *argv])
