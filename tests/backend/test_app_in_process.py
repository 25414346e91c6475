"""The backend app in process (FastAPI's TestClient on create_app, SQLite in a temp dir): no server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.core.settings import BackendSettings
from tests.support.backend_process import ticket_payload

TOKEN = "in-process-test-token"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    var = tmp_path_factory.mktemp("app-var")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HAIYUAN_VAR_DIR", str(var))
        env.setenv("DATABASE_URL", f"sqlite:///{var / 'tickets.db'}")
        env.setenv("BACKEND_API_TOKEN", TOKEN)
        env.setenv("SUPERVISE_INTERVAL_SECONDS", "0")
        env.setenv("HANDOFF_SWEEP_SECONDS", "0")
        with TestClient(create_app(BackendSettings.from_env())) as test_client:
            yield test_client


def auth(**extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", **extra}


def test_a_ticket_is_created_once_per_idempotency_key_and_found_by_its_owner(client: TestClient) -> None:
    headers = auth(**{"Idempotency-Key": "in-process-1"})
    first = client.post("/api/tickets", json=ticket_payload(), headers=headers)
    again = client.post("/api/tickets", json=ticket_payload(), headers=headers)
    assert first.status_code == 201 and again.status_code in {200, 201}
    number = first.json()["number"]
    assert again.json()["number"] == number
    found = client.post(
        "/api/tickets/status-query",
        json={"number": number, "phone_last4": "5678"},
        headers=auth(**{"X-Client-Id": "a"}),
    )
    assert found.status_code == 200 and found.json()["number"] == number
    wrong = client.post(
        "/api/tickets/status-query",
        json={"number": number, "phone_last4": "0000"},
        headers=auth(**{"X-Client-Id": "a"}),
    )
    assert wrong.status_code == 404


def test_no_token_no_ticket(client: TestClient) -> None:
    assert client.post("/api/tickets", json=ticket_payload()).status_code == 401
