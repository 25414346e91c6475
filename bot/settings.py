"""Process layout of the running assistant: ports, URLs and data paths, from environment variables.

Every value has an embedded default (SQLite files under var/, loopback ports), so `python3 -m bot run`
needs no external server. `as_env()` is what the child processes receive.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.common.paths import ROOT
from bot.common.paths import env as _env
from bot.common.paths import var_dir as default_var_dir
from bot.core.security import load_or_create_token
from bot.core.vault import key_file as vault_key_file
from bot.core.vault import load_or_create_key

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Settings:
    host: str = field(default_factory=lambda: _env("HAIYUAN_HOST", "127.0.0.1"))
    rasa_port: int = field(default_factory=lambda: int(_env("RASA_PORT", "5005")))
    action_port: int = field(default_factory=lambda: int(_env("ACTION_PORT", "5055")))
    backend_port: int = field(default_factory=lambda: int(_env("BACKEND_PORT", "8000")))
    var_dir: Path = field(default_factory=default_var_dir)
    tracker_db_url: str = field(default_factory=lambda: _env("TRACKER_DB_URL", ""))
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", ""))
    outbox_db_url: str = field(default_factory=lambda: _env("OUTBOX_DB_URL", ""))
    # Origins allowed to call Rasa from a browser (space- or comma-separated); empty: the chat page's own
    # origin, i.e. the backend (see page_origins).
    cors_origins: str = field(default_factory=lambda: _env("CORS_ORIGINS", ""))
    # Rasa's --auth-token for its HTTP API (trackers, events, PUT/DELETE /model); empty: generated once
    # into var/secrets/rasa_token, like the backend's API token.
    rasa_token: str = field(default_factory=lambda: _env("RASA_AUTH_TOKEN", ""))
    # Seals phone and ID numbers in the tracker store (bot/core/vault.py); Rasa and the backend share it.
    tracker_key: str = field(default_factory=lambda: _env("TRACKER_ENCRYPTION_KEY", ""))
    # Where citizens' browsers reach Rasa (the web chat page connects there); empty: rasa_url.
    rasa_public_url: str = field(default_factory=lambda: _env("RASA_PUBLIC_URL", ""))
    knowledge_dir: Path = field(default_factory=lambda: Path(_env("KNOWLEDGE_DIR", str(ROOT / "knowledge"))))

    def __post_init__(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.var_dir, 0o700)  # databases, logs and secrets: the service's user only
        self.rasa_token = self.rasa_token.strip() or load_or_create_token(self.var_dir / "secrets" / "rasa_token")
        self.tracker_key = self.tracker_key.strip() or load_or_create_key(vault_key_file(self.var_dir))
        self.cors_origins = self.cors_origins or " ".join(self.page_origins)
        self.tracker_db_url = self.tracker_db_url or f"sqlite:///{self.var_dir / 'rasa_tracker.db'}"
        self.database_url = self.database_url or f"sqlite:///{self.var_dir / 'tickets.db'}"
        self.outbox_db_url = self.outbox_db_url or f"sqlite:///{self.var_dir / 'outbox.db'}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    @property
    def backend_url(self) -> str:
        return f"http://{self.host}:{self.backend_port}"

    @property
    def page_origins(self) -> list[str]:
        """Where the web chat page comes from (the backend). On loopback both names a browser may use;
        behind a proxy or on 0.0.0.0, set CORS_ORIGINS to the public origin."""
        hosts = ["127.0.0.1", "localhost"] if self.host in LOOPBACK_HOSTS | {"0.0.0.0"} else [self.host]
        return [f"http://{host}:{self.backend_port}" for host in hosts]

    @property
    def cors_origin_list(self) -> list[str]:
        return self.cors_origins.replace(",", " ").split()

    def as_env(self) -> dict[str, str]:
        """Environment for child processes (endpoints.yml reads these via ${VAR})."""
        dialect = self.tracker_db_url.split(":", 1)[0].split("+", 1)[0]
        return {
            **os.environ,
            "HAIYUAN_HOST": self.host,
            "SANIC_HOST": self.host,  # the action server (rasa_sdk) binds here; it has no --interface flag
            "HAIYUAN_VAR_DIR": str(self.var_dir),
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "BACKEND_PORT": str(self.backend_port),
            "BACKEND_HOST": self.host,
            "ACTION_ENDPOINT_URL": self.action_url,
            "BACKEND_URL": self.backend_url,
            "TRACKER_DB_URL": self.tracker_db_url,
            "TRACKER_DB_DIALECT": dialect,
            "DATABASE_URL": self.database_url,
            "OUTBOX_DB_URL": self.outbox_db_url,
            "CORS_ORIGINS": self.cors_origins,
            "RASA_PUBLIC_URL": self.rasa_public_url or self.rasa_url,
            "RASA_URL": self.rasa_url,  # the backend's handoff pauses/resumes conversations here
            "RASA_AUTH_TOKEN": self.rasa_token,  # the backend and console call Rasa's HTTP API with it
            "TRACKER_ENCRYPTION_KEY": self.tracker_key,
            "KNOWLEDGE_DIR": str(self.knowledge_dir),
            # Two cores: keep TensorFlow from oversubscribing them.
            "TF_INTRA_OP_PARALLELISM_THREADS": os.environ.get("TF_INTRA_OP_PARALLELISM_THREADS", "2"),
            "TF_INTER_OP_PARALLELISM_THREADS": os.environ.get("TF_INTER_OP_PARALLELISM_THREADS", "1"),
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
            "RASA_TELEMETRY_ENABLED": os.environ.get("RASA_TELEMETRY_ENABLED", "false"),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
