"""Schema migrations of the handoff tables (Alembic, scripts in bot/handoff/migrations/versions).

    python -m bot.handoff.migrate                        # upgrade DATABASE_URL to head
    python -m bot.handoff.migrate current|history
    python -m bot.handoff.migrate revision -m "add column x"   # autogenerate from bot/handoff/models.py

Same database as the tickets, separate history and version table (alembic_version_handoff): see
migrations/env.py. The backend upgrades both at startup.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from bot.core.database import make_engine
from bot.core.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _run(database_url: str, action, *args, engine: Optional[Engine] = None, **kwargs) -> None:
    own_engine = engine is None
    engine = engine or make_engine(database_url)
    config = alembic_config(database_url)
    try:
        # On SQLite, BEGIN IMMEDIATE: a second process starting at the same time waits, then finds head.
        with engine.execution_options(sqlite_immediate=True).begin() as connection:
            config.attributes["connection"] = connection
            action(config, *args, **kwargs)
    finally:
        if own_engine:
            engine.dispose()


def upgrade(database_url: str, revision: str = "head", engine: Optional[Engine] = None) -> None:
    _run(database_url, command.upgrade, revision, engine=engine)


def downgrade(database_url: str, revision: str, engine: Optional[Engine] = None) -> None:
    _run(database_url, command.downgrade, revision, engine=engine)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.handoff.migrate", description="转人工数据库迁移")
    parser.add_argument("action", nargs="?", default="upgrade",
                        choices=["upgrade", "downgrade", "current", "history", "revision"])
    parser.add_argument("revision", nargs="?", default=None)
    parser.add_argument("-m", "--message", default=None, help="revision 的说明")
    parser.add_argument("--database-url", default=None, help="默认取 DATABASE_URL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    url = args.database_url or get_settings().database_url

    if args.action == "upgrade":
        upgrade(url, args.revision or "head")
    elif args.action == "downgrade":
        if not args.revision:
            parser.error("downgrade 需要目标版本，例如 base 或 -1")
        downgrade(url, args.revision)
    elif args.action == "current":
        _run(url, command.current, verbose=True)
    elif args.action == "history":
        command.history(alembic_config(url), verbose=True)
    else:
        if not args.message:
            parser.error("revision 需要 -m 说明")
        _run(url, command.revision, message=args.message, autogenerate=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
