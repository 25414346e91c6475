"""Alembic environment of the notice tables: bot/core/migrations.py run_env (own history, own tables only)."""

from __future__ import annotations

from bot.core.migrations import run_env
from bot.notify.models import NotifyBase

run_env(NotifyBase.metadata, version_table="alembic_version_notify")
