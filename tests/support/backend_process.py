"""The real backend (`python -m bot.tickets`) as a subprocess on a free port, for tests."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BackendProcess:
    def __init__(
        self,
        var_dir: Path,
        port: int | None = None,
        token: str | None = None,
        database_url: str | None = None,
        env: dict[str, str] | None = None,
    ):
        self.var_dir = var_dir
        self.port = port or free_port()
        self.token = secrets.token_urlsafe(16) if token is None else token
        self.database_url = database_url or f"sqlite:///{var_dir / 'tickets.db'}"
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = var_dir / "backend.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "HAIYUAN_VAR_DIR": str(self.var_dir),
            "DATABASE_URL": self.database_url,
            "BACKEND_API_TOKEN": self.token,
            "BACKEND_HOST": "127.0.0.1",
            "BACKEND_PORT": str(self.port),
            "SUPERVISE_INTERVAL_SECONDS": "0",
            **self.extra_env,
        }

    def start(self, timeout: float = 30.0) -> BackendProcess:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.tickets"],
            cwd=ROOT,
            env=self._env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"backend exited at startup:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"backend not healthy after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def signal(self, signum: int) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signum)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # in case a test froze it
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}


def ticket_payload(**overrides) -> dict:
    payload = {
        "category": "投诉",
        "summary": "小区暖气不热",
        "description": "我家住在海城镇某小区，这几天暖气一直不热，屋里只有十几度。",
        "location": "海城镇",
        "occurred_at": "这周一开始",
        "phone": "13812345678",
        "citizen_name": "马建国",
        "consent": True,
        "channel": "网页对话",
        "conversation_id": "test-sender",
    }
    payload.update(overrides)
    return payload


class Api:
    """requests against a running backend, with the token unless told otherwise."""

    def __init__(self, backend: BackendProcess):
        self.backend = backend

    def request(
        self, method: str, path: str, *, token: bool = True, headers: dict[str, str] | None = None, **kwargs
    ) -> requests.Response:
        all_headers = {**(self.backend.headers() if token else {}), **(headers or {})}
        return requests.request(method, self.backend.url + path, headers=all_headers, timeout=15, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def create(self, key: str | None = None, **overrides) -> requests.Response:
        key = key or secrets.token_hex(8)
        return self.post("/api/tickets", json=ticket_payload(**overrides), headers={"Idempotency-Key": key})

    def new_ticket(self, **overrides) -> dict:
        response = self.create(**overrides)
        assert response.status_code == 201, response.text
        return response.json()

    def move(self, number: str, to: str, **extra) -> requests.Response:
        return self.post(f"/api/tickets/{number}/transition", json={"to": to, "actor": "派单员甲", **extra})

    def close(self, number: str) -> dict:
        """Walk a fresh ticket through the whole flow to 已办结."""
        for to, extra in [
            ("已转办", {"department": "海原县住房和城乡建设局"}),
            ("办理中", {}),
            ("已反馈", {"reply": "已联系供热公司检修，现已恢复供暖。"}),
            ("已办结", {}),
        ]:
            response = self.move(number, to, **extra)
            assert response.status_code == 200, response.text
        return response.json()
