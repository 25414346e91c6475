"""Where the project and its runtime data live, and how settings are read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def env(name: str, default: str = "") -> str:
    """An environment setting; empty counts as unset."""
    return os.environ.get(name) or default


def var_dir() -> Path:
    """Runtime data (databases, logs, secrets): HAIYUAN_VAR_DIR, by default var/ in the project."""
    return Path(env("HAIYUAN_VAR_DIR", str(ROOT / "var")))
