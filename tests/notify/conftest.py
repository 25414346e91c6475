"""Fixtures for the notice tests: the SMS stand-in, and the backend app in process on a fresh SQLite file."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.core.settings import BackendSettings
from tests.support.aliyun_sms_standin import AliyunSmsStandIn
from tests.support.backend_process import ticket_payload

TOKEN = "notify-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEPARTMENT = "海原县住房和城乡建设局"
CONTACTS = f"""
departments:
  {DEPARTMENT}:
    - {{id: zhujian-duty, name: 住建局值班, channel: sms, address: "13900001111"}}
dispatcher:
  - {{id: dispatch-duty, name: 派单员值班, channel: sms, address: "13900002222"}}
"""


@pytest.fixture
def sms() -> Iterator[AliyunSmsStandIn]:
    standin = AliyunSmsStandIn().start()
    yield standin
    standin.stop()


def backend_env(var: Path, sms: AliyunSmsStandIn | None) -> dict[str, str]:
    (var / "contacts.yml").write_text(CONTACTS, encoding="utf-8")
    return {
        "HAIYUAN_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'tickets.db'}",
        "BACKEND_API_TOKEN": TOKEN,
        "SUPERVISE_INTERVAL_SECONDS": "0",
        "HANDOFF_SWEEP_SECONDS": "0",
        "NOTIFY_INTERVAL_SECONDS": "0",  # the tests run delivery rounds themselves
        "NOTIFY_DEADLINE_INTERVAL_SECONDS": "0",
        "NOTIFY_BACKOFF": "0/0",
        "NOTIFY_MAX_ATTEMPTS": "4",
        "NOTIFY_CONTACTS_PATH": str(var / "contacts.yml"),
        "NOTIFY_DIGEST_HOUR": "24",  # no digest unless a test asks for one
        **(sms.env() if sms else {}),
    }


@pytest.fixture
def client(tmp_path: Path, sms: AliyunSmsStandIn) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as env:
        for name, value in backend_env(tmp_path, sms).items():
            env.setenv(name, value)
        with TestClient(create_app(BackendSettings.from_env())) as test_client:
            yield test_client


def new_ticket(client: TestClient, **overrides) -> dict:
    body = ticket_payload(**{"notify_updates": True, **overrides})
    response = client.post("/api/tickets", json=body, headers={**AUTH, "Idempotency-Key": secrets.token_hex(8)})
    assert response.status_code == 201, response.text
    return response.json()


def move(client: TestClient, number: str, to: str, **extra) -> dict:
    response = client.post(
        f"/api/tickets/{number}/transition", json={"to": to, "actor": "派单员甲", **extra}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    return response.json()


WALK = [
    ("已转办", {"department": DEPARTMENT}),
    ("办理中", {}),
    ("已反馈", {"reply": "已联系供热公司检修，现已恢复供暖。"}),
    ("已办结", {}),
]
