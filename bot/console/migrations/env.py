"""Alembic environment of the console tables: bot/core/migrations.py run_env (own history, own tables only)."""

from __future__ import annotations

from bot.console.models import ConsoleBase
from bot.core.migrations import run_env

run_env(ConsoleBase.metadata, version_table="alembic_version_console")
