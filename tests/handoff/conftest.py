"""Fixtures for the live handoff tests: backends with a calendar that is open now, staff accounts, a browser.

Two real backends (`python -m bot.tickets`):
- `api_backend`: its own SQLite database, no Rasa behind RASA_URL, a 3-second queue timeout: the queue,
  office hours, staff availability and expiry, fast.
- `handoff_server`: on the assistant's databases (tickets, Rasa's tracker store) and its Rasa server, with its
  own copy of knowledge/ (calendar.yml open around the clock; the shared copy stays as shipped), serving the
  web chat page and the console. It uses the assistant's API token, like the action server.
Staff accounts are prefixed kf_ so they never collide with the console tests' accounts in the shared database.
The browser is the session's (tests/conftest.py: one per module).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import requests
import yaml

from bot.settings import ROOT
from tests.console.conftest import PASSWORD, Staff, create_admin
from tests.support.backend_process import BackendProcess, free_port

SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots" / "handoff"
WEEK = ("周一", "周二", "周三", "周四", "周五", "周六", "周日", "调休上班日")
# role → (username, display name, department)
ACCOUNTS = {
    "admin": ("kf_admin", "接待管理员老马", None),
    "dispatcher": ("kf_paidan", "客服小李", None),
    "department": ("kf_bumen", "住建客服小王", "海原县住房和城乡建设局"),
    "analyst": ("kf_fenxi", "分析员小赵", None),
}


def write_calendar(path: Path, hours: dict[str, list] | None = None, holidays: bool = True) -> None:
    """calendar.yml with these hours (default: open around the clock every day); newer mtime, so it reloads."""
    shipped = yaml.safe_load((ROOT / "knowledge" / "calendar.yml").read_text(encoding="utf-8"))
    data = {
        "online_service": {
            "verified": False,
            "note": "测试用：全天开放",
            "hours": hours if hours is not None else {day: ["00:00-24:00"] for day in WEEK},
        }
    }
    if holidays:
        data.update(public_holidays=shipped["public_holidays"], makeup_working_days=shipped["makeup_working_days"])
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(yaml.safe_dump(data, allow_unicode=True, default_flow_style=None), encoding="utf-8")
    stat = path.stat()
    if stat.st_mtime_ns <= before:  # same timestamp granularity: make the change visible
        os.utime(path, ns=(stat.st_atime_ns, before + 1_000_000_000))


def eventually(check: Callable, timeout: float = 15, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


@dataclass
class Server:
    process: BackendProcess
    knowledge: Path
    token: str
    database_url: str
    var_dir: Path

    @property
    def url(self) -> str:
        return self.process.url

    def api(self, method: str, path: str, token: str | None = "own", **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {self.token if token == 'own' else token}"
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def ask(self, conversation_id: str, reason: str = "asked", elderly: bool = False, channel: str = "web") -> dict:
        response = self.api(
            "POST",
            "/api/handoff/requests",
            json={"conversation_id": conversation_id, "channel": channel, "reason": reason, "elderly": elderly},
        )
        assert response.status_code == 200, response.text
        return response.json()

    def events(self, request_id: int, poll_token: str, after: int = 0) -> requests.Response:
        return requests.get(
            f"{self.url}/api/handoff/{request_id}/events",
            params={"after": after},
            headers={"X-Handoff-Token": poll_token},
            timeout=30,
        )

    def calendar(self, **kwargs) -> None:
        write_calendar(self.knowledge / "calendar.yml", **kwargs)


class Desk(Staff):
    """A logged-in staff member on the 人工接待 page, over plain HTTP."""

    def online(self) -> None:
        assert self.post("/console/handoff/presence", {"status": "online"}).status_code == 303

    def away(self) -> None:
        assert self.post("/console/handoff/presence", {"status": "away"}).status_code == 303

    def queue(self) -> dict:
        response = self.get("/console/handoff/queue.json")
        assert response.status_code == 200, response.text[-300:]
        return response.json()

    def accept(self, request_id: int) -> requests.Response:
        return self.post(f"/console/handoff/{request_id}/accept")

    def reply(self, request_id: int, text: str) -> requests.Response:
        return self.post(f"/console/handoff/{request_id}/reply", {"text": text})


def everyone_away(staff: dict[str, Desk]) -> None:
    for role, desk in staff.items():
        if role != "analyst":  # analysts do not serve citizens (403 on 人工接待)
            desk.away()


def _start(base: Path, env: dict, token: str | None = None, database_url: str | None = None) -> BackendProcess:
    return BackendProcess(base / "var", token=token, database_url=database_url, env=env).start(timeout=60)


def _accounts(server: Server) -> dict[str, Desk]:
    username, display, _ = ACCOUNTS["admin"]
    result = create_admin(server.var_dir, server.database_url, username, PASSWORD, display)
    assert result.returncode == 0 or "已存在" in result.stderr, result.stderr
    admin = Desk(server, username)
    for role in ("dispatcher", "department", "analyst"):
        username, display, department = ACCOUNTS[role]
        admin.post(
            "/console/users",
            {
                "username": username,
                "display_name": display,
                "role": role,
                "department": department or "",
                "password": PASSWORD,
            },
        )
    return {
        "admin": admin,
        **{role: Desk(server, ACCOUNTS[role][0]) for role in ("dispatcher", "department", "analyst")},
    }


def _copy_knowledge(base: Path) -> Path:
    knowledge = base / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    write_calendar(knowledge / "calendar.yml")
    return knowledge


@pytest.fixture(scope="session")
def api_backend(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("handoff-api")
    knowledge = _copy_knowledge(base)
    process = _start(
        base,
        env={
            "KNOWLEDGE_DIR": str(knowledge),
            "RASA_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens there
            "TRACKER_DB_URL": f"sqlite:///{base / 'no-tracker.db'}",
            "HANDOFF_WAIT_SECONDS": "3",
            "HANDOFF_SWEEP_SECONDS": "1",
            "HANDOFF_PRESENCE_SECONDS": "8",
            "CONSOLE_LOGIN_FAILURES_PER_IP": "100/300",
        },
    )
    server = Server(process, knowledge, process.token, process.database_url, base / "var")
    yield server
    process.stop()


@pytest.fixture(scope="session")
def api_staff(api_backend: Server) -> dict[str, Desk]:
    return _accounts(api_backend)


@pytest.fixture(scope="session")
def handoff_server(assistant, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("handoff")
    knowledge = _copy_knowledge(base)
    write_calendar(knowledge / "calendar.yml", holidays=False)  # open today whatever the date
    settings = assistant.settings
    token = (settings.var_dir / "secrets" / "api_token").read_text().strip()
    process = _start(
        base,
        token=token,
        database_url=settings.database_url,
        env={
            "KNOWLEDGE_DIR": str(knowledge),
            "TRACKER_DB_URL": settings.tracker_db_url,
            "RASA_URL": settings.rasa_url,
            "RASA_PUBLIC_URL": settings.rasa_url,
            "HANDOFF_WAIT_SECONDS": "300",
            "HANDOFF_ABANDON_SECONDS": "60",
            "CONSOLE_LOGIN_FAILURES_PER_IP": "100/300",
        },
    )
    server = Server(process, knowledge, token, settings.database_url, base / "var")
    yield server
    process.stop()


@pytest.fixture(scope="session")
def desks(handoff_server: Server):
    staff = _accounts(handoff_server)
    yield staff
    everyone_away(staff)  # nobody stays 在线 in the shared database after the tests


def china_today() -> date:
    from bot.tickets.due_dates import china_today as today

    return today()
