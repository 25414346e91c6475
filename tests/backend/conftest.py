"""Fixtures for the backend tests: the real backend process, started once per session."""

from __future__ import annotations

import os

import pytest

from bot.core.database import Database
from bot.core.settings import ROOT
from bot.tickets import migrate
from bot.tickets.rules import RulesFile
from bot.tickets.service import TicketService
from tests.support.backend_process import Api, BackendProcess

# Small limits so the tests can reach them; each test uses its own X-Client-Id.
LIMITS = {
    "STATUS_QUERY_RATE_LIMIT": "20/60",
    "STATUS_QUERY_FAILURES_PER_NUMBER": "5",
    "STATUS_QUERY_FAILURES_PER_ADDRESS": "8",
    "STATUS_QUERY_BACKOFF": "1/2",  # seconds: first wait, longest wait
}


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory):
    """SQLite in a temp dir; TEST_DATABASE_URL=postgresql://… runs the same tests on PostgreSQL."""
    process = BackendProcess(
        tmp_path_factory.mktemp("backend-var"), env=LIMITS, database_url=os.environ.get("TEST_DATABASE_URL") or None
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def api(backend: BackendProcess) -> Api:
    return Api(backend)


@pytest.fixture
def service(tmp_path):
    """The ticket service in-process on a fresh, migrated SQLite file (no HTTP)."""
    db = Database(f"sqlite:///{tmp_path / 'tickets.db'}")
    migrate.upgrade(db.url, engine=db.engine)
    yield TicketService(db, RulesFile(ROOT / "knowledge" / "ticket_rules.yml"))
    db.dispose()
