"""Alembic plumbing shared by the packages that keep tables in the backend database.

The tickets (`alembic_version`), the console (`alembic_version_console`) and the handoff
(`alembic_version_handoff`) each have their own history in `<package>/migrations/`, so they migrate
independently in one database. Each package's `migrate.py` is a `Migrations` and its `migrations/env.py`
calls `run_env` with its own metadata; `include_object` keeps autogenerate to that package's tables, so it
never proposes to drop the others'.

    python -m bot.tickets.migrate                         # upgrade DATABASE_URL to head (same for console, handoff)
    python -m bot.tickets.migrate current|history
    python -m bot.tickets.migrate downgrade <revision>
    python -m bot.tickets.migrate revision -m "add column x"   # autogenerate from the package's models
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine

from bot.core.database import make_engine
from bot.core.settings import get_settings


class Migrations:
    def __init__(self, prog: str, migrations_dir: Path, description: str) -> None:
        self.prog, self.migrations_dir, self.description = prog, migrations_dir, description

    def alembic_config(self, database_url: str) -> Config:
        config = Config()
        config.set_main_option("script_location", str(self.migrations_dir))
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
        return config

    def run(
        self, database_url: str, action: Callable[..., object], *args: Any, engine: Engine | None = None, **kwargs: Any
    ) -> None:
        """An Alembic command on one connection (passed to env.py through `config.attributes`)."""
        own_engine = engine is None
        engine = engine or make_engine(database_url)
        config = self.alembic_config(database_url)
        try:
            # On SQLite, BEGIN IMMEDIATE: a second process starting at the same time waits, then finds head.
            with engine.execution_options(sqlite_immediate=True).begin() as connection:
                config.attributes["connection"] = connection
                action(config, *args, **kwargs)
        finally:
            if own_engine:
                engine.dispose()

    def upgrade(self, database_url: str, revision: str = "head", engine: Engine | None = None) -> None:
        self.run(database_url, command.upgrade, revision, engine=engine)

    def downgrade(self, database_url: str, revision: str, engine: Engine | None = None) -> None:
        self.run(database_url, command.downgrade, revision, engine=engine)

    def main(self, argv: list[str] | None = None) -> int:
        parser = argparse.ArgumentParser(prog=self.prog, description=self.description)
        parser.add_argument(
            "action", nargs="?", default="upgrade", choices=["upgrade", "downgrade", "current", "history", "revision"]
        )
        parser.add_argument("revision", nargs="?", default=None)
        parser.add_argument("-m", "--message", default=None, help="revision 的说明")
        parser.add_argument("--database-url", default=None, help="默认取 DATABASE_URL")
        args = parser.parse_args(argv)
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        url = args.database_url or get_settings().database_url

        if args.action == "upgrade":
            self.upgrade(url, args.revision or "head")
        elif args.action == "downgrade":
            if not args.revision:
                parser.error("downgrade 需要目标版本，例如 base 或 -1")
            self.downgrade(url, args.revision)
        elif args.action == "current":
            self.run(url, command.current, verbose=True)
        elif args.action == "history":
            command.history(self.alembic_config(url), verbose=True)
        else:
            if not args.message:
                parser.error("revision 需要 -m 说明")
            self.run(url, command.revision, message=args.message, autogenerate=True)
        return 0


def run_env(target_metadata: MetaData, version_table: str = "alembic_version") -> None:
    """The body of a package's migrations/env.py: migrate on the connection `Migrations.run` handed over."""

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table":
            return name in target_metadata.tables
        table = getattr(obj, "table", None)
        return table is None or table.name in target_metadata.tables

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=version_table,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs table rebuilds for ALTER
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        raise SystemExit("不支持离线迁移（--sql），请直接连接数据库运行。")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None, "Migrations.alembic_config always sets sqlalchemy.url"
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            run(connection)
    finally:
        engine.dispose()
