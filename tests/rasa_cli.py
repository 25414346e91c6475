"""Run Rasa's own command line from tests (in the venv, from the project root)."""

from __future__ import annotations

import subprocess
import sys

from bot.settings import ROOT, Settings


def rasa(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    env = Settings().as_env()
    env["RASA_TELEMETRY_ENABLED"] = "false"
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
