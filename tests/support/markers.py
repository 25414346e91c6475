"""Marks each test by what it starts, from the fixtures it uses (a pytest plugin, loaded in pyproject.toml).

- `e2e`: a fixture that starts real processes (the assistant, a backend, a handoff server), or a module that
  starts them itself (`pytestmark = pytest.mark.e2e`).
- `browser`: a fixture that drives headless chromium.
- `scale`: everything under tests/scale/.
`python3 -m bot test --fast` deselects all three: what is left runs in process, without servers.
"""

from __future__ import annotations

import pytest

PROCESS_FIXTURES = {
    "model_path",  # loads the Rasa model (seconds of TensorFlow) even where no server starts
    "assistant",
    "backend",
    "console_server",
    "api_backend",
    "handoff_server",
    "relay",
    "backend_with_rasa_down",
}
BROWSER_FIXTURES = {"chromium", "browser", "open_chat", "open_console"}
FAST_SELECTION = "not e2e and not browser and not scale"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if fixtures & (PROCESS_FIXTURES | BROWSER_FIXTURES):
            item.add_marker(pytest.mark.e2e)
        if "tests/scale/" in item.nodeid:
            item.add_marker(pytest.mark.scale)
