"""Fixtures for the staff console tests: one console backend, one browser, staff accounts per role.

The console runs in its own backend process (`python -m bot.tickets`, the same app the README command
starts) on the assistant's real databases: the tickets database, Rasa's tracker store, and the copy of
knowledge/ the action server reads. It writes labelled NLU data into a temporary copy of the project's
config.yml, domain.yml and data/, never into the repository, and its retrain command is a tiny script
that prints a model path the way `python -m bot train` does (a real retrain takes minutes).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.settings import ROOT
from tests.support.backend_process import BackendProcess

SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots" / "console"
DEPARTMENT = "海原县住房和城乡建设局"
OTHER_DEPARTMENT = "海原县交通运输局"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# role → (username, display name, department)
ACCOUNTS = {
    "admin": ("admin", "管理员老马", None),
    "dispatcher": ("paidan", "派单员小李", None),
    "department": ("zhujian", "住建局小王", DEPARTMENT),
    "analyst": ("fenxi", "分析员小张", None),
}
PASSWORD = "Haiyuan-console-2026!"


@dataclass
class ConsoleServer:
    process: BackendProcess
    project: Path  # temporary copy of config.yml, domain.yml, data/
    knowledge: Path
    database_url: str
    token: str
    new_model: Path  # what the tiny retrain command reports as its model

    @property
    def url(self) -> str:
        return self.process.url

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def new_ticket(self, **overrides) -> dict:
        body = {
            "category": "投诉",
            "summary": "小区暖气不热",
            "description": "我家住在海城镇某小区，这几天暖气一直不热。",
            "location": "海城镇",
            "phone": "13812345678",
            "citizen_name": "马建国",
            "consent": True,
            "channel": "网页对话",
            **overrides,
        }
        response = self.api("POST", "/api/tickets", json=body, headers={"Idempotency-Key": secrets.token_hex(8)})
        assert response.status_code == 201, response.text
        return response.json()


class Staff:
    """A logged-in staff member over plain HTTP (for permission matrices and raw form posts)."""

    def __init__(self, server: ConsoleServer, username: str, password: str = PASSWORD):
        self.server = server
        self.session = requests.Session()
        self.username = username
        page = self.session.get(f"{server.url}/console/login", timeout=15)
        token = CSRF.search(page.text).group(1)
        response = self.session.post(
            f"{server.url}/console/login",
            timeout=15,
            data={"username": username, "password": password, "csrf_token": token},
        )
        assert response.status_code == 200 and response.url.endswith("/console/"), response.text[-500:]
        self.login_response = response
        self.csrf = CSRF.search(response.text).group(1)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.server.url + path, timeout=30, allow_redirects=False, **kwargs)

    def post(self, path: str, data: dict | None = None, csrf: str | None = "own") -> requests.Response:
        data = dict(data or {})
        if csrf == "own":
            data["csrf_token"] = self.csrf
        elif csrf is not None:
            data["csrf_token"] = csrf
        return self.session.post(self.server.url + path, data=data, timeout=60, allow_redirects=False)


TRAIN_SCRIPT = """\
import sys, time
print("[海原政务小助手] 训练模型 …（测试用的小命令，不真正训练）", flush=True)
time.sleep(3)
print("电话 13812345678 不会出现在页面上", flush=True)
print("[海原政务小助手] 模型已是最新: " + sys.argv[1], flush=True)
"""


@pytest.fixture(scope="session")
def console_server(assistant, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("console")
    project = base / "project"
    project.mkdir()
    for name in ("config.yml", "domain.yml"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "data", project / "data")
    script = base / "tiny_train.py"
    script.write_text(TRAIN_SCRIPT, encoding="utf-8")
    # The "new" model: the same model under another name, so the test can see Rasa switch to it.
    new_model = base / "models" / "haiyuan-console-test.tar.gz"
    new_model.parent.mkdir()
    try:
        os.link(assistant.model.resolve(), new_model)
    except OSError:
        shutil.copy2(assistant.model.resolve(), new_model)
    settings = assistant.settings
    token = (settings.var_dir / "secrets" / "api_token").read_text().strip()
    process = BackendProcess(
        base / "var",
        token=token,
        database_url=settings.database_url,
        env={
            "TRACKER_DB_URL": settings.tracker_db_url,
            "KNOWLEDGE_DIR": str(settings.knowledge_dir),
            "CONSOLE_PROJECT_DIR": str(project),
            "CONSOLE_RASA_URL": settings.rasa_url,
            "RASA_URL": settings.rasa_url,  # the handoff sweep resumes abandoned chats on this Rasa
            "CONSOLE_TRAIN_COMMAND": f"{sys.executable} {script} {new_model}",
            "CONSOLE_LOGIN_FAILURES_PER_USER": "5/300",
            "CONSOLE_LOGIN_FAILURES_PER_IP": "100/300",
        },
    )
    process.start(timeout=60)
    server = ConsoleServer(process, project, Path(settings.knowledge_dir), settings.database_url, token, new_model)
    _create_accounts(server, base / "var")
    yield server
    process.stop()


def create_admin(
    var_dir: Path, database_url: str, username: str, password: str, display_name: str = "管理员"
) -> subprocess.CompletedProcess:
    env = {**BackendProcess(var_dir, database_url=database_url)._env()}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.console.create_admin",
            "--username",
            username,
            "--display-name",
            display_name,
            "--password-stdin",
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def _create_accounts(server: ConsoleServer, var_dir: Path) -> None:
    username, display, _ = ACCOUNTS["admin"]
    result = create_admin(var_dir, server.database_url, username, PASSWORD, display)
    assert result.returncode == 0, result.stderr
    admin = Staff(server, username)
    for role in ("dispatcher", "department", "analyst"):
        username, display, department = ACCOUNTS[role]
        response = admin.post(
            "/console/users",
            {
                "username": username,
                "display_name": display,
                "role": role,
                "department": department or "",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 303, response.text[-800:]


@pytest.fixture(scope="session")
def staff(console_server: ConsoleServer):
    """role → a logged-in Staff (HTTP)."""
    return {role: Staff(console_server, ACCOUNTS[role][0]) for role in ACCOUNTS}


class ConsolePage:
    """A staff member's browser tab (own context, so own cookies). `server` is anything with a `url`;
    other test packages pass their own accounts and screenshot folder (tests/handoff)."""

    def __init__(
        self,
        browser,
        server,
        role: str,
        accounts: dict | None = None,
        password: str = PASSWORD,
        screenshots: Path | None = None,
    ):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.server = server
        self.screenshots = screenshots or SCREENSHOTS
        self.page.goto(f"{server.url}/console/login")
        self.page.fill("input[name=username]", (accounts or ACCOUNTS)[role][0])
        self.page.fill("input[name=password]", password)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(f"{server.url}/console/")

    def goto(self, path: str):
        return self.page.goto(self.server.url + path)

    def shot(self, name: str) -> Path:
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_console(browser, console_server: ConsoleServer):
    """open_console(role) → a logged-in ConsolePage; closed after the test."""
    pages = []

    def opener(role: str) -> ConsolePage:
        page = ConsolePage(browser, console_server, role)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()
