"""Start and stop the assistant's processes: backend, action server, Rasa server.

Used by `python3 -m bot run` and by the end-to-end tests (same code path, other ports).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.settings import ROOT, Settings


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self, env: dict[str, str]) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = os.fdopen(os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab")
        # Own session: Ctrl-C reaches only the launcher, which stops children in order. umask 077: the
        # databases, logs and secrets the services create are the service user's alone (0600 / 0700).
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=0o077,
        )
        log.close()

    @property
    def started(self) -> subprocess.Popen:
        """The process of a service that start() has run."""
        assert self.process is not None, f"{self.name} has not been started"
        return self.process

    def healthy(self) -> bool:
        try:
            return requests.get(self.health_url, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self, timeout: float = 15) -> None:
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class Assistant:
    settings: Settings
    model: Path
    log_dir: Path | None = None
    services: list[Service] = field(default_factory=list)

    def __post_init__(self) -> None:
        s, py = self.settings, sys.executable
        logs = self.log_dir or s.var_dir / "logs"
        if importlib.util.find_spec("bot.tickets") is not None:
            self.services.append(
                Service(
                    "工单后台 (backend)", [py, "-m", "bot.tickets"], f"{s.backend_url}/healthz", logs / "backend.log"
                )
            )
        self.services.append(
            Service(
                "动作服务 (action server)",
                [py, "-m", "rasa_sdk", "--actions", "actions", "--port", str(s.action_port)],
                f"http://{s.host}:{s.action_port}/health",
                logs / "actions.log",
            )
        )
        # Rasa's HTTP API (trackers, events, PUT/DELETE /model) always needs the token (`?token=`);
        # the channels (REST webhook, socket.io) stay open to citizens.
        token = s.rasa_token
        self.services.append(
            Service(
                "Rasa 对话服务",
                [
                    py,
                    "-m",
                    "bot.rasa_server",
                    "run",
                    "--enable-api",
                    "--model",
                    str(self.model),
                    "--interface",
                    s.host,
                    "--port",
                    str(s.rasa_port),
                    "--cors",
                    *s.cors_origin_list,
                    "--credentials",
                    "credentials.yml",
                    "--endpoints",
                    "endpoints.yml",
                    f"--auth-token={token}",
                ],
                f"{s.rasa_url}/status?token={token}",
                logs / "rasa.log",
            )
        )

    def start(self, timeout: float = 300) -> None:
        env = self.settings.as_env()
        for service in self.services:
            print(f"[海原政务小助手] 启动 {service.name} …（日志 {service.log_path}）", flush=True)
            service.start(env)
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float) -> None:
        deadline, started = time.monotonic() + timeout, time.monotonic()
        pending = list(self.services)
        while pending:
            for service in list(pending):
                if service.process and service.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{service.name} 启动失败，见日志 {service.log_path}")
                if service.healthy():
                    pending.remove(service)
                    print(f"[海原政务小助手] {service.name} 已就绪 ({time.monotonic() - started:.0f} 秒)", flush=True)
            if pending and time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"等待超时: {[s.name for s in pending]}")
            time.sleep(1)

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def service(self, prefix: str) -> Service:
        return next(s for s in self.services if s.name.startswith(prefix))
