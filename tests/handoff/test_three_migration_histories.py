"""Three Alembic histories in one database (tickets, console, handoff): each sees only its own tables.

`alembic check` runs the same autogenerate as `python -m <package>.migrate revision`: on a database that
holds all three packages' tables, none of them may propose a change (in particular no DROP of the others').
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import inspect, text

from bot.console import migrate as console_migrate
from bot.core.database import make_engine
from bot.core.settings import ROOT
from bot.handoff import migrate as handoff_migrate
from bot.tickets import migrate as ticket_migrate

PACKAGES = (ticket_migrate, console_migrate, handoff_migrate)


def head(package) -> str:
    return ScriptDirectory.from_config(package.alembic_config("sqlite://")).get_current_head()


# Each history's version table holds its own newest revision.
VERSION_TABLES = {
    "alembic_version": head(ticket_migrate),
    "alembic_version_console": head(console_migrate),
    "alembic_version_handoff": head(handoff_migrate),
}


@pytest.fixture
def database(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'all.db'}"
    engine = make_engine(url)
    for package in PACKAGES:
        package.upgrade(url, engine=engine)
    yield url, engine
    engine.dispose()


def test_all_three_histories_live_side_by_side(database) -> None:
    url, engine = database
    tables = set(inspect(engine).get_table_names())
    assert {"tickets", "console_users", "handoff_requests", "handoff_events", "handoff_staff"} <= tables
    with engine.connect() as connection:
        versions = {t: connection.execute(text(f"SELECT version_num FROM {t}")).scalar_one() for t in VERSION_TABLES}
    assert versions == VERSION_TABLES


@pytest.mark.parametrize("package", PACKAGES, ids=["tickets", "console", "handoff"])
def test_autogenerate_sees_only_its_own_tables(database, package) -> None:
    url, engine = database
    package.run(url, command.check, engine=engine)  # raises CommandError when it would generate operations


def test_the_check_would_notice_a_missing_migration(database) -> None:
    """The check above can fail: a table of the handoff metadata missing from the database is reported."""
    url, engine = database
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE handoff_staff"))
    with pytest.raises(CommandError, match="New upgrade operations detected"):
        handoff_migrate.run(url, command.check, engine=engine)


def test_handoff_downgrade_leaves_the_other_tables(database) -> None:
    url, engine = database
    handoff_migrate.downgrade(url, "base", engine=engine)
    tables = set(inspect(engine).get_table_names())
    assert not any(t.startswith("handoff_") for t in tables) and {"tickets", "console_users"} <= tables
    handoff_migrate.upgrade(url, engine=engine)
    assert "handoff_requests" in inspect(engine).get_table_names()


def test_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot.handoff.migrate", "--database-url", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    engine = make_engine(url)
    assert (
        "handoff_requests" in inspect(engine).get_table_names() and "tickets" not in inspect(engine).get_table_names()
    )
    engine.dispose()
