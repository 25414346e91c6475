"""Console settings from environment variables (the backend process receives them from bot/settings.py).

Defaults work on one machine: Rasa's SQLite tracker store under var/, the repo's knowledge/ and data/,
`python -m bot train` for retraining, Rasa on HAIYUAN_HOST:RASA_PORT.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.common.paths import ROOT
from bot.common.paths import env as _env
from bot.common.paths import var_dir as default_var_dir
from bot.core.security import read_token_file


def _limit(text: str) -> tuple[int, int]:
    count, _, window = text.partition("/")
    return int(count), int(window or 300)


def _backoff(text: str) -> tuple[float, float]:
    first, _, longest = text.partition("/")
    return float(first), float(longest or first)


def _secure_cookies(backend_host: str) -> bool:
    """CONSOLE_SECURE_COOKIES=1/0 decides; unset, cookies are Secure unless the backend is on loopback
    (where plain http://127.0.0.1 must keep working)."""
    configured = _env("CONSOLE_SECURE_COOKIES").strip().lower()
    if configured:
        return configured in ("1", "true", "yes")
    return backend_host not in ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ConsoleSettings:
    tracker_db_url: str  # Rasa's SQL tracker store, read-only
    knowledge_dir: Path
    project_dir: Path  # where config.yml, domain.yml and data/ live (labelled examples are written there)
    models_dir: Path
    rasa_urls: tuple[str, ...]  # every Rasa instance's HTTP API (PUT /model after a retrain, one at a time)
    rasa_token: str  # Rasa's --auth-token: RASA_AUTH_TOKEN, else var/secrets/rasa_token (bot run)
    train_command: tuple[str, ...]
    var_dir: Path
    session_hours: float  # absolute lifetime of a login
    idle_minutes: float  # a session unused this long expires
    login_failures_per_user: tuple[int, int]  # free failures per account from one address (, longest wait)
    login_failures_per_ip: tuple[int, int]  # free failures per client address (, longest wait)
    secure_cookies: bool  # Secure session cookies: on unless the backend listens on loopback only
    sync_lookback_ids: int  # re-read this many event ids behind the cursor (late commits on PostgreSQL)
    phone_reveals_per_hour: int = 30  # 查看完整号码 per staff member and hour
    retention_days: float = 180  # tracker events older than this are deleted (0: kept for ever)
    retention_interval_seconds: float = 21600  # how often the retention job runs (0: never)
    login_failures_per_account: int = 20  # free failures per account from all addresses (waits ≤ 60 s)
    login_backoff: tuple[float, float] = (2.0, 300.0)  # first and longest wait after the free failures

    @property
    def training_log_dir(self) -> Path:
        return self.var_dir / "console" / "training"

    @classmethod
    def from_env(cls) -> ConsoleSettings:
        var_dir = default_var_dir()
        host = _env("HAIYUAN_HOST", "127.0.0.1")
        command = _env("CONSOLE_TRAIN_COMMAND")
        return cls(
            tracker_db_url=_env("TRACKER_DB_URL", f"sqlite:///{var_dir / 'rasa_tracker.db'}"),
            knowledge_dir=Path(_env("KNOWLEDGE_DIR", str(ROOT / "knowledge"))),
            project_dir=Path(_env("CONSOLE_PROJECT_DIR", str(ROOT))),
            models_dir=Path(_env("CONSOLE_MODELS_DIR", str(ROOT / "models"))),
            rasa_urls=tuple(
                url.strip().rstrip("/")
                for url in _env("CONSOLE_RASA_URL", f"http://{host}:{_env('RASA_PORT', '5005')}").split(",")
                if url.strip()
            ),
            rasa_token=_env("RASA_AUTH_TOKEN") or read_token_file(var_dir / "secrets" / "rasa_token"),
            train_command=tuple(shlex.split(command)) if command else (sys.executable, "-m", "bot", "train"),
            var_dir=var_dir,
            session_hours=float(_env("CONSOLE_SESSION_HOURS", "8")),
            idle_minutes=float(_env("CONSOLE_IDLE_MINUTES", "30")),
            login_failures_per_user=_limit(_env("CONSOLE_LOGIN_FAILURES_PER_USER", "5/300")),
            login_failures_per_ip=_limit(_env("CONSOLE_LOGIN_FAILURES_PER_IP", "30/300")),
            secure_cookies=_secure_cookies(_env("BACKEND_HOST", host)),
            phone_reveals_per_hour=int(_env("CONSOLE_PHONE_REVEALS_PER_HOUR", "30")),
            retention_days=float(_env("CONVERSATION_RETENTION_DAYS", "180")),
            retention_interval_seconds=float(_env("RETENTION_INTERVAL_SECONDS", "21600")),
            login_failures_per_account=int(_env("CONSOLE_LOGIN_FAILURES_PER_ACCOUNT", "20")),
            login_backoff=_backoff(_env("CONSOLE_LOGIN_BACKOFF", "2/300")),
            sync_lookback_ids=int(_env("CONSOLE_SYNC_LOOKBACK_IDS", "200")),
        )
