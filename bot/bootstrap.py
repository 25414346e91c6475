"""Create the virtual environment and install pinned dependencies (standard library only).

Rasa 3.6.21 declares Python < 3.11, so it is installed with --no-deps --ignore-requires-python
and its dependencies come pinned for 3.11 from requirements/rasa-deps-py311.txt.
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

# (what it is, pip arguments); order matters: Rasa first without its own dependency resolution.
INSTALL_STEPS = [
    ("pip", ["install", "--upgrade", "pip<25"]),
    (
        "Rasa 3.6.21 + rasa-sdk (no-deps)",
        ["install", "--no-deps", "--ignore-requires-python", "-r", str(REQ / "rasa-core.txt")],
    ),
    ("Rasa 的依赖 (为 Python 3.11 固定版本)", ["install", "-r", str(REQ / "rasa-deps-py311.txt")]),
    ("项目自身依赖", ["install", "-r", str(REQ / "app.txt")]),
]


def say(msg: str) -> None:
    print(f"[海原政务小助手] {msg}", flush=True)


def requirements_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(REQ.glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_venv() -> None:
    """Create/refresh .venv when the requirements changed; a no-op on the second run."""
    wanted = requirements_hash()
    if VENV_PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if sys.version_info[:2] != (3, 11):
        say(f"警告: 这里是 Python {sys.version.split()[0]}，本项目在 Python 3.11 上验证过。")
    started = time.monotonic()
    if not VENV_PYTHON.exists():
        say(f"创建虚拟环境 {VENV} …")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    total = len(INSTALL_STEPS)
    for number, (label, args) in enumerate(INSTALL_STEPS, 1):
        say(f"安装 [{number}/{total}] {label} …（首次约 3–8 分钟）")
        subprocess.run([str(VENV_PYTHON), "-m", "pip", *args], check=True)
    STAMP.write_text(wanted)
    say(f"依赖安装完成，用时 {time.monotonic() - started:.0f} 秒。")


def reexec_in_venv(argv: list[str]) -> None:
    """Replace this process with the same `-m bot` command run by the venv's Python."""
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), "-m", "bot", *argv])
