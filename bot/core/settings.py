"""Typed backend settings, read once from environment variables.

Every value has a default that works on one machine (SQLite under var/, loopback host);
production sets DATABASE_URL (PostgreSQL) and BACKEND_API_TOKEN.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.common.paths import ROOT
from bot.common.paths import env as _env
from bot.common.paths import var_dir as default_var_dir
from bot.core.security import read_token_file


def _backoff(text: str) -> tuple[float, float]:
    first, _, longest = text.partition("/")
    return float(first), float(longest or first)


@dataclass(frozen=True)
class BackendSettings:
    var_dir: Path
    database_url: str
    api_token: str  # empty: read or generate var/secrets/api_token at startup
    host: str
    port: int
    ticket_rules_path: Path
    status_query_limit: int  # requests per client and window
    status_query_window_seconds: int
    status_query_failures_per_number: int  # wrong phone digits per ticket number before the backoff starts
    supervise_interval_seconds: int  # 0 turns the periodic 督办 scan off
    max_body_bytes: int
    rasa_public_url: str  # where citizens' browsers reach the Rasa server (the web chat page connects there)
    calendar_path: Path = ROOT / "knowledge" / "calendar.yml"  # holidays (time limits), handoff hours; KNOWLEDGE_DIR
    contact_token: str = ""  # BACKEND_CONTACT_TOKEN: the scope that reads full phones (else var/secrets/contact_token)
    status_query_failures_per_address: int = 20  # wrong combinations per citizen address before the backoff
    status_query_backoff: tuple[float, float] = (2.0, 120.0)  # first wait, longest wait (seconds), doubling
    rasa_url: str = "http://127.0.0.1:5005"  # Rasa HTTP API: the handoff pauses/resumes conversations there
    rasa_token: str = ""  # Rasa's --auth-token: RASA_AUTH_TOKEN, else var/secrets/rasa_token
    handoff_wait_seconds: int = 180  # a queued request nobody accepts within this becomes expired
    handoff_presence_seconds: int = 60  # staff count as available while their 人工接待 page polled this recently
    handoff_abandon_seconds: int = (
        300  # a connected chat whose staff page stopped polling this long goes back to the bot
    )
    handoff_sweep_seconds: int = 5  # how often expiry and abandonment are checked (0: only when read)

    @property
    def token_file(self) -> Path:
        return self.var_dir / "secrets" / "api_token"

    @classmethod
    def from_env(cls) -> BackendSettings:
        var_dir = default_var_dir()
        limit, _, window = _env("STATUS_QUERY_RATE_LIMIT", "30/60").partition("/")
        knowledge_dir = Path(_env("KNOWLEDGE_DIR", str(ROOT / "knowledge")))
        rasa_url = f"http://{_env('HAIYUAN_HOST', '127.0.0.1')}:{_env('RASA_PORT', '5005')}"
        return cls(
            var_dir=var_dir,
            database_url=_env("DATABASE_URL", f"sqlite:///{var_dir / 'tickets.db'}"),
            api_token=_env("BACKEND_API_TOKEN"),
            host=_env("BACKEND_HOST", "127.0.0.1"),
            port=int(_env("BACKEND_PORT", "8000")),
            ticket_rules_path=Path(_env("TICKET_RULES_PATH", str(ROOT / "knowledge" / "ticket_rules.yml"))),
            status_query_limit=int(limit),
            status_query_window_seconds=int(window or 60),
            status_query_failures_per_number=int(_env("STATUS_QUERY_FAILURES_PER_NUMBER", "5")),
            contact_token=_env("BACKEND_CONTACT_TOKEN"),
            status_query_failures_per_address=int(_env("STATUS_QUERY_FAILURES_PER_ADDRESS", "20")),
            status_query_backoff=_backoff(_env("STATUS_QUERY_BACKOFF", "2/120")),
            supervise_interval_seconds=int(_env("SUPERVISE_INTERVAL_SECONDS", "3600")),
            max_body_bytes=int(_env("MAX_BODY_BYTES", str(1024 * 1024))),
            rasa_public_url=_env("RASA_PUBLIC_URL", rasa_url),
            calendar_path=Path(_env("CALENDAR_PATH", str(knowledge_dir / "calendar.yml"))),
            rasa_url=_env("RASA_URL", rasa_url).rstrip("/"),
            rasa_token=_env("RASA_AUTH_TOKEN") or read_token_file(var_dir / "secrets" / "rasa_token"),
            handoff_wait_seconds=int(_env("HANDOFF_WAIT_SECONDS", "180")),
            handoff_presence_seconds=int(_env("HANDOFF_PRESENCE_SECONDS", "60")),
            handoff_abandon_seconds=int(_env("HANDOFF_ABANDON_SECONDS", "300")),
            handoff_sweep_seconds=int(_env("HANDOFF_SWEEP_SECONDS", "5")),
        )


@lru_cache(maxsize=1)
def get_settings() -> BackendSettings:
    return BackendSettings.from_env()


def ensure_var_dir(var_dir: Path) -> None:
    """Create var/ with a .gitignore of its own, so runtime data is never committed."""
    var_dir.mkdir(parents=True, exist_ok=True)
    marker = var_dir / ".gitignore"
    if not marker.exists():
        marker.write_text("*\n", encoding="utf-8")
