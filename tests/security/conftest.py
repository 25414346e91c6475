"""Fixtures for the security tests that need only the backend (no Rasa): real backend processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.backend_process import BackendProcess

# Small allowances and short waits, so the tests reach them in seconds.
LOGIN_LIMITS = {
    "CONSOLE_LOGIN_FAILURES_PER_USER": "3",
    "CONSOLE_LOGIN_FAILURES_PER_IP": "6",
    "CONSOLE_LOGIN_FAILURES_PER_ACCOUNT": "10",
    "CONSOLE_LOGIN_BACKOFF": "1/2",
}


def start_backend(var_dir: Path, **env: str) -> BackendProcess:
    return BackendProcess(
        var_dir, env={"TRACKER_DB_URL": f"sqlite:///{var_dir / 'tracker.db'}", **LOGIN_LIMITS, **env}
    ).start()


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory):
    """A backend behind a trusted proxy (this test process, on loopback): X-Forwarded-For names the client."""
    backend = start_backend(tmp_path_factory.mktemp("behind-proxy"), TRUSTED_PROXIES="127.0.0.1")
    yield backend
    backend.stop()


@pytest.fixture(scope="module")
def no_proxy(tmp_path_factory):
    """A backend with the default settings: no proxy is trusted."""
    backend = start_backend(tmp_path_factory.mktemp("no-proxy"))
    yield backend
    backend.stop()
