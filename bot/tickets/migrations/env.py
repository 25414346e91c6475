"""Alembic environment of the tickets: bot/core/migrations.py run_env (own history, own tables only)."""

from __future__ import annotations

from bot.core.database import Base
from bot.core.migrations import run_env
from bot.tickets import models  # noqa: F401  (registers the tables on Base.metadata)

run_env(Base.metadata)
