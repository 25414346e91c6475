"""Rasa's HTTP API in the default run (issue 14, defect 3): closed without the token, CORS limited to the
pages that may call it, and no open API beyond loopback.

Through the real assistant (the launcher's own command line) where the claim is about the running server.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from bot.launcher import Assistant
from bot.rasa_server import open_api_refusal
from bot.settings import ROOT, Settings
from tests.conftest import Chat, rasa_auth

EVIL_ORIGIN = "http://evil.example"


def test_conversations_and_model_need_the_token(assistant) -> None:
    rasa = assistant.settings.rasa_url
    chat = Chat(rasa)
    chat.say("你好")  # the channels stay open to citizens
    tracker_url = f"{rasa}/conversations/{chat.sender}/tracker"
    assert requests.get(tracker_url, timeout=30).status_code == 401
    assert requests.get(tracker_url, params={"token": "wrong"}, timeout=30).status_code == 401
    slot = [{"event": "slot", "name": "contact_phone", "value": "13800000000"}]
    assert requests.post(f"{tracker_url}/events", json=slot, timeout=30).status_code == 401
    assert requests.delete(f"{rasa}/model", timeout=30).status_code == 401
    assert requests.get(f"{rasa}/status", timeout=30).status_code == 401
    # Nothing was written, and the token opens it.
    events = requests.get(tracker_url, params=rasa_auth(), timeout=30).json()["events"]
    assert not any(e["event"] == "slot" and e.get("value") == "13800000000" for e in events)
    assert requests.get(f"{rasa}/status", params=rasa_auth(), timeout=30).status_code == 200


def test_cors_does_not_echo_any_origin(assistant) -> None:
    rasa = assistant.settings.rasa_url
    page = assistant.settings.backend_url
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    evil = requests.options(f"{rasa}/webhooks/rest/webhook", headers={"Origin": EVIL_ORIGIN, **preflight}, timeout=30)
    assert "access-control-allow-origin" not in {k.lower() for k in evil.headers}
    own = requests.options(f"{rasa}/webhooks/rest/webhook", headers={"Origin": page, **preflight}, timeout=30)
    assert own.headers.get("Access-Control-Allow-Origin") == page


def test_default_cors_is_the_chat_pages_origin(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    settings = Settings(var_dir=tmp_path / "var", backend_port=8123)
    assert settings.cors_origin_list == ["http://127.0.0.1:8123", "http://localhost:8123"]
    rasa = Assistant(settings, tmp_path / "model.tar.gz").service("Rasa")
    cors = rasa.command[rasa.command.index("--cors") + 1 : rasa.command.index("--credentials")]
    assert cors == settings.cors_origin_list and "*" not in cors


def test_the_run_generates_one_rasa_token_and_hands_it_to_the_backend(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    first = Settings(var_dir=tmp_path / "var")
    again = Settings(var_dir=tmp_path / "var")
    token_file = tmp_path / "var" / "secrets" / "rasa_token"
    assert first.rasa_token and first.rasa_token == again.rasa_token == token_file.read_text().strip()
    assert token_file.stat().st_mode & 0o077 == 0 and (tmp_path / "var").stat().st_mode & 0o077 == 0
    rasa = Assistant(first, tmp_path / "model.tar.gz").service("Rasa")
    assert f"--auth-token={first.rasa_token}" in rasa.command
    assert first.as_env()["RASA_AUTH_TOKEN"] == first.rasa_token  # the backend and the console use it
    # A backend started on its own (systemd, tests) finds the generated token too.
    from bot.console.config import ConsoleSettings
    from bot.core.settings import BackendSettings

    monkeypatch.setenv("HAIYUAN_VAR_DIR", str(tmp_path / "var"))
    assert BackendSettings.from_env().rasa_token == first.rasa_token
    assert ConsoleSettings.from_env().rasa_token == first.rasa_token


def test_open_api_beyond_loopback_is_refused() -> None:
    assert open_api_refusal(["run", "--enable-api", "--interface", "0.0.0.0"])
    assert open_api_refusal(["run", "--enable-api"])  # Rasa's default interface is every address
    assert open_api_refusal(["run", "--enable-api", "--interface", "127.0.0.1"]) is None
    assert open_api_refusal(["run", "--enable-api", "--interface", "0.0.0.0", "--auth-token=x"]) is None
    assert open_api_refusal(["run", "--interface", "0.0.0.0"]) is None  # channels only, no HTTP API
    # The real entry point refuses before it loads anything, with a clear message.
    refused = subprocess.run(
        [sys.executable, "-m", "bot.rasa_server", "run", "--enable-api", "--interface", "0.0.0.0", "--port", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "拒绝启动" in refused.stderr and "RASA_AUTH_TOKEN" in refused.stderr
