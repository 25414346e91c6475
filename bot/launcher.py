"""Start, watch and stop the assistant's processes: backend, action server, Rasa server.

Used by `python3 -m bot run` and by the end-to-end tests (same code path, other ports). `supervise()`
restarts a process that died, with a growing pause between attempts (1, 2, 4 … 60 s; back to 1 s once
it has run for a minute), logged, while the others keep running: the action server's outbox keeps
tickets while the backend is away, and Rasa answers politely while the action server is.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.settings import ROOT, Settings

BACKOFF_MAX_SECONDS = 60
BACKOFF_RESET_SECONDS = 60  # a process that ran this long since its last start gets the short pause again


def _say(text: str) -> None:
    print(f"[海原政务小助手] {text}", flush=True)


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    log_path: Path
    process: subprocess.Popen | None = None
    wanted: bool = False  # started and not stopped on purpose: the supervisor brings it back if it dies
    restarts: int = 0
    started_at: float = 0.0
    env: dict[str, str] = field(default_factory=dict)

    def start(self, env: dict[str, str]) -> None:
        self.wanted, self.env, self.started_at = True, env, time.monotonic()
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

    def died(self) -> bool:
        return self.wanted and self.process is not None and self.process.poll() is not None

    def stop(self, timeout: float = 15) -> None:
        self.wanted = False
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
    _supervisor: threading.Thread | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

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
        self._stopping.clear()
        env = self.settings.as_env()
        for service in self.services:
            service.start(env)
            _say(f"启动 {service.name} …（进程 {service.started.pid}，日志 {service.log_path}）")
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

    def supervise(self, poll: float = 1.0) -> None:
        """Until stop(): restart every service that died, with backoff; the others keep running."""
        due: dict[str, float] = {}
        while not self._stopping.wait(poll):
            now = time.monotonic()
            for service in self.services:
                if not service.died():
                    if service.process and now - service.started_at > BACKOFF_RESET_SECONDS:
                        service.restarts = 0
                    continue
                if service.name not in due:
                    delay = min(BACKOFF_MAX_SECONDS, 2**service.restarts)
                    due[service.name] = now + delay
                    _say(
                        f"{service.name} 意外退出（退出码 {service.started.returncode}），{delay} 秒后重启"
                        f"（第 {service.restarts + 1} 次），其他服务照常运行。日志 {service.log_path}"
                    )
                elif now >= due[service.name] and not self._stopping.is_set():
                    del due[service.name]
                    service.restarts += 1
                    service.start(service.env)
                    _say(f"{service.name} 已重新启动（进程 {service.started.pid}）")

    def start_supervisor(self) -> threading.Thread:
        """supervise() in a background thread (tests; `bot run` supervises in its main thread)."""
        self._stopping.clear()
        self._supervisor = threading.Thread(target=self.supervise, name="supervisor", daemon=True)
        self._supervisor.start()
        return self._supervisor

    def stop(self) -> None:
        self._stopping.set()
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join(10)
            self._supervisor = None
        for service in reversed(self.services):
            service.stop()

    def service(self, prefix: str) -> Service:
        return next(s for s in self.services if s.name.startswith(prefix))
