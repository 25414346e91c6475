"""Notice tables: schema migrations (Alembic, scripts in bot/notify/migrations/versions, version table alembic_version_notify).

    python -m bot.notify.migrate [upgrade|downgrade <rev>|current|history|revision -m "…"]

Shared plumbing and the full usage: bot/core/migrations.py. The backend upgrades every history at startup.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.core.migrations import Migrations

MIGRATIONS = Migrations(
    "python -m bot.notify.migrate", Path(__file__).resolve().parent / "migrations", "通知数据库迁移"
)
upgrade, downgrade, main = MIGRATIONS.upgrade, MIGRATIONS.downgrade, MIGRATIONS.main

if __name__ == "__main__":
    sys.exit(main())
