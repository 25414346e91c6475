"""Tickets: schema migrations (Alembic, scripts in bot/tickets/migrations/versions, version table alembic_version).

    python -m bot.tickets.migrate [upgrade|downgrade <rev>|current|history|revision -m "…"]

Shared plumbing and the full usage: bot/core/migrations.py. The backend upgrades every history at startup.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.core.migrations import Migrations

MIGRATIONS = Migrations(
    "python -m bot.tickets.migrate", Path(__file__).resolve().parent / "migrations", "工单数据库迁移"
)
alembic_config, run, upgrade, downgrade, main = (
    MIGRATIONS.alembic_config,
    MIGRATIONS.run,
    MIGRATIONS.upgrade,
    MIGRATIONS.downgrade,
    MIGRATIONS.main,
)

if __name__ == "__main__":
    sys.exit(main())
