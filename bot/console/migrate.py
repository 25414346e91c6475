"""Console tables: schema migrations (Alembic, scripts in bot/console/migrations/versions, version table alembic_version_console).

    python -m bot.console.migrate [upgrade|downgrade <rev>|current|history|revision -m "…"]

Shared plumbing and the full usage: bot/core/migrations.py. The backend upgrades every history at startup.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.core.migrations import Migrations

MIGRATIONS = Migrations(
    "python -m bot.console.migrate", Path(__file__).resolve().parent / "migrations", "控制台数据库迁移"
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
