"""Alembic environment of the handoff tables: runs on the connection handed over by bot.handoff.migrate.

Own history in its own version table (alembic_version_handoff) next to the tickets' (alembic_version) and
the console's (alembic_version_console) in the same database; `include_object` keeps autogenerate to the
handoff_ tables, so it never proposes to drop the other packages' tables.
"""
from __future__ import annotations

from alembic import context

from bot.core.database import make_engine
from bot.handoff.models import HandoffBase

VERSION_TABLE = "alembic_version_handoff"
TABLE_PREFIX = "handoff_"

config = context.config
target_metadata = HandoffBase.metadata


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table":
        return bool(name) and name.startswith(TABLE_PREFIX)
    table = getattr(obj, "table", None)
    return table is None or table.name.startswith(TABLE_PREFIX)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
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
