"""Alembic environment of the handoff tables: bot/core/migrations.py run_env (own history, own tables only)."""

from __future__ import annotations

from bot.core.migrations import run_env
from bot.handoff.models import HandoffBase

run_env(HandoffBase.metadata, version_table="alembic_version_handoff")
