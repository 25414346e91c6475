"""Alembic environment: runs on the connection handed over by bot.tickets.migrate.

The same database holds the console's and the handoff's tables, each package with its own history and
version table; `include_object` keeps the tickets' autogenerate to the tables of bot/tickets/models.py,
so `python -m bot.tickets.migrate revision` never proposes to drop the others.
"""
from __future__ import annotations

from alembic import context

from bot.core.database import Base, make_engine
from bot.tickets import models  # noqa: F401  (registers the tables on Base.metadata)

config = context.config
target_metadata = Base.metadata


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table":
        return name in target_metadata.tables
    table = getattr(obj, "table", None)
    return table is None or table.name in target_metadata.tables


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs table rebuilds for ALTER
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("不支持离线迁移（--sql），请直接连接数据库运行。")
run_migrations_online()
