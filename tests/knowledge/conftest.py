"""Fixtures for the knowledge-base tests (data and helpers live in kb_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.kb_fixtures import fixture_copies, write_base


@pytest.fixture
def kb_root(tmp_path: Path) -> Path:
    return write_base(tmp_path / "knowledge")


@pytest.fixture
def kb(kb_root: Path):
    from bot.knowledge.loader import KnowledgeBase

    kb = KnowledgeBase(kb_root)
    kb.check_seconds = 0  # these tests edit a file and look at once (the throttle has its own test)
    return kb


@pytest.fixture
def fixture_data():
    """Deep copies to modify freely: (county, services, bundles)."""
    return fixture_copies()
