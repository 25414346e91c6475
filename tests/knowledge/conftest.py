"""Fixtures for the knowledge-base tests (data and helpers live in kb_fixtures.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for path in (HERE.parents[1], HERE):  # the repo (for `bot`) and this folder (for kb_fixtures)
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from kb_fixtures import fixture_copies, write_base  # noqa: E402


@pytest.fixture
def kb_root(tmp_path: Path) -> Path:
    return write_base(tmp_path / "knowledge")


@pytest.fixture
def kb(kb_root: Path):
    from bot.knowledge.loader import KnowledgeBase

    return KnowledgeBase(kb_root)


@pytest.fixture
def fixture_data():
    """Deep copies to modify freely: (county, services, bundles)."""
    return fixture_copies()
