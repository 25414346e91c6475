"""Alembic migrations: empty database to head, upgrades keep data, models match the migrations."""

from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.core.database import Base, make_engine
from bot.core.settings import ROOT
from bot.tickets import migrate, models  # noqa: F401

TABLES = {"tickets", "ticket_events", "ticket_daily_sequences", "alembic_version"}


def revisions() -> list:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]  # oldest first


def head() -> str:
    return revisions()[-1]


def version(engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_command_line_upgrades_an_empty_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot.tickets.migrate", "--database-url", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    engine = make_engine(url)
    assert TABLES <= set(inspect(engine).get_table_names())
    assert version(engine) == head()
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()


def test_models_match_the_migrations(tmp_path):
    """A model change without a migration fails here: run `python -m bot.tickets.migrate revision -m ...`."""
    engine = make_engine(f"sqlite:///{tmp_path / 'compare.db'}")
    migrate.upgrade(engine.url.render_as_string(hide_password=False), engine=engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_each_revision_upgrades_to_head_keeping_data(tmp_path):
    """A database left by any earlier version (revision) upgrades to head without losing tickets."""
    for index, revision in enumerate(revisions()):
        url = f"sqlite:///{tmp_path / f'from-{index}.db'}"
        engine = make_engine(url)
        migrate.upgrade(url, revision, engine=engine)
        with engine.begin() as connection:  # a ticket as that version would have written it
            connection.execute(
                text(
                    "INSERT INTO tickets (number, category, summary, description, department, department_inferred,"
                    " channel, consent, status, urgency, supervised, created_at, updated_at, due_date)"
                    " VALUES ('HY202601050001', '投诉', '旧工单', '旧描述 <b>😀</b>', '海原县水务局', 0, '12345', 1,"
                    " '办理中', '普通', 0, '2026-01-05 01:00:00', '2026-01-05 01:00:00', '2026-01-22')"
                )
            )
            ticket_id = connection.execute(text("SELECT id FROM tickets")).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO ticket_events (ticket_id, kind, actor, created_at, to_status)"
                    f" VALUES ({ticket_id}, '受理', '12345', '2026-01-05 01:00:00', '已受理')"
                )
            )
        migrate.upgrade(url, engine=engine)
        migrate.upgrade(url, engine=engine)  # running again at head changes nothing
        assert version(engine) == head()
        with engine.connect() as connection:
            row = connection.execute(text("SELECT number, description, status FROM tickets")).one()
            events = connection.execute(text("SELECT count(*) FROM ticket_events")).scalar_one()
        assert tuple(row) == ("HY202601050001", "旧描述 <b>😀</b>", "办理中") and events == 1
        engine.dispose()


def test_downgrade_to_base_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    engine = make_engine(url)
    migrate.upgrade(url, engine=engine)
    migrate.downgrade(url, "base", engine=engine)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(url, engine=engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()
