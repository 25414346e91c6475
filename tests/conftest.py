"""Shared fixtures: the real assistant (backend, action server, Rasa server) started once per session."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from bot import system_packages, training
from bot.launcher import Assistant
from bot.settings import ROOT, Settings
from tests.support.wechat_standin import WeChatStandIn

ARTIFACTS = ROOT / "tests" / "artifacts"
LOOPBACK_PAGES = r"http://127\.0\.0\.1:\d+$ http://localhost:\d+$"  # CORS origins (regular expressions)
SCREENSHOTS = ARTIFACTS / "screenshots"
# Debian's chromium as root on a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def model_path() -> Path:
    # HAIYUAN_MODEL lets a developer test an older model while iterating; CI always uses the current one.
    override = os.environ.get("HAIYUAN_MODEL")
    path = Path(override) if override else training.model_path()
    if not path.exists():
        pytest.fail(f"no model for the current data ({path.name}): run `python3 -m bot test`, which trains it")
    return path


@pytest.fixture(scope="session")
def wechat_server():
    """WeChat's servers for the assistant's 公众号 channel, in safe mode (tests/support/wechat_standin.py)."""
    with WeChatStandIn() as standin:
        yield standin


@pytest.fixture(scope="session")
def assistant(model_path: Path, tmp_path_factory: pytest.TempPathFactory, wechat_server: WeChatStandIn):
    var_dir = tmp_path_factory.mktemp("var")
    # The action server reads a copy of knowledge/, so tests can edit facts without touching the repo.
    knowledge_dir = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge_dir)
    # Tests edit facts and ask at once: the action server looks at knowledge/ on every call here (2 s by default).
    os.environ.update({"OUTBOX_POLL_SECONDS": "1", "OUTBOX_BASE_DELAY": "0.5", "KNOWLEDGE_CHECK_SECONDS": "0"})
    os.environ.update(wechat_server.env())  # token, AppID, secret, EncodingAESKey, API base of the stand-in
    settings = Settings(
        knowledge_dir=knowledge_dir,
        rasa_port=free_port(),
        action_port=free_port(),
        backend_port=free_port(),
        var_dir=var_dir,
        tracker_db_url=f"sqlite:///{var_dir / 'tracker.db'}",
        database_url=f"sqlite:///{var_dir / 'tickets.db'}",
        outbox_db_url=f"sqlite:///{var_dir / 'outbox.db'}",
        # The chat pages of the backends tests start themselves (free loopback ports) may call Rasa too.
        cors_origins=LOOPBACK_PAGES,
    )
    # Rasa's HTTP API needs its token; backends the tests start themselves inherit it from here.
    os.environ["RASA_AUTH_TOKEN"] = settings.rasa_token
    os.environ["TRACKER_ENCRYPTION_KEY"] = settings.tracker_key  # their consoles read its tracker store
    running = Assistant(settings, model_path, log_dir=ARTIFACTS / "logs")
    running.start(timeout=300)
    yield running
    running.stop()


def rasa_auth() -> dict[str, str]:
    """Query parameters for Rasa's HTTP API (trackers, events): the running assistant's token."""
    return {"token": os.environ.get("RASA_AUTH_TOKEN", "")}


class Chat:
    """One citizen talking to the bot through the REST channel."""

    def __init__(self, rasa_url: str, sender: str | None = None) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.rasa_url = rasa_url
        self.sender = sender or f"test-{uuid.uuid4().hex[:10]}"

    def say(self, message: Any, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        body = {"sender": self.sender, "message": message, **({"metadata": metadata} if metadata else {})}
        response = requests.post(self.url, json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def text(self, message: Any) -> str:
        """All bot bubbles of one turn joined, buttons' titles included."""
        return render(self.say(message))

    def tracker(self) -> dict[str, Any]:
        url = f"{self.rasa_url}/conversations/{self.sender}/tracker"
        return requests.get(url, params=rasa_auth(), timeout=30).json()

    def last_intent(self) -> str:
        users = [e for e in self.tracker()["events"] if e["event"] == "user"]
        return users[-1]["parse_data"]["intent"]["name"]


def render(replies: list[dict[str, Any]]) -> str:
    parts = []
    for reply in replies:
        parts.append(reply.get("text") or "")
        parts += [f"[{b['title']}]" for b in reply.get("buttons") or []]
    return "\n".join(parts)


@pytest.fixture
def chat(assistant: Assistant) -> Chat:
    return Chat(assistant.settings.rasa_url)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's chromium, installed on first use (CI machines start without it)."""
    system_packages.ensure("chromium", "fonts-noto-cjk")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser(chromium: str):
    """One headless browser per test module, driven by Playwright's sync API. Per module, not per session:
    while a sync Playwright runs, the thread has a running event loop, so a module that uses asyncio.run
    (socket.io clients) must not share the session with it; and two sync Playwrights cannot run at once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
