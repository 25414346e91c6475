"""The two assistants under load: 海原政务小助手 (bot.launcher, as `python3 -m bot run` starts it, on free
ports and a temp var dir) and rasa init's default bot (trained once per Rasa version, cached)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.launcher import Assistant, Service
from bot.settings import ROOT, Settings
from tests.support.sandbox import free_port

CACHE = ROOT / "bench" / ".cache"


def rasa_version() -> str:
    import rasa

    return rasa.__version__


def quiet_env(**extra: str) -> dict[str, str]:
    """The children's environment as the launcher builds it (two TensorFlow threads, no telemetry)."""
    return {**Settings().as_env(), **extra}


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM) plus that of its children, in MB."""
    import psutil

    try:
        processes = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return None
    total = 0
    for process in processes:
        try:
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def start_haiyuan(model: Path, work: Path, log_dir: Path, stores=None) -> Assistant:
    """Returns at once; `wait_haiyuan` waits until the three processes are healthy.

    `stores` None: the embedded default of `python3 -m bot run` (SQLite files). Otherwise a
    ProductionStores: PostgreSQL tracker store, ticket database and outbox, Redis lock store, and
    deploy/endpoints.production.yml, as in docs/deployment.md.
    """
    var_dir = work / "var"
    urls = (
        stores.urls
        if stores
        else {
            "tracker": f"sqlite:///{var_dir / 'tracker.db'}",
            "tickets": f"sqlite:///{var_dir / 'tickets.db'}",
            "outbox": f"sqlite:///{var_dir / 'outbox.db'}",
        }
    )
    settings = Settings(
        rasa_port=free_port(),
        action_port=free_port(),
        backend_port=free_port(),
        var_dir=var_dir,
        tracker_db_url=urls["tracker"],
        database_url=urls["tickets"],
        outbox_db_url=urls["outbox"],
    )
    assistant = Assistant(settings, model, log_dir=log_dir)
    env = settings.as_env()
    if stores:
        env.update(stores.env())
        rasa = assistant.service("Rasa")
        rasa.command[rasa.command.index("endpoints.yml")] = "deploy/endpoints.production.yml"
    for service in assistant.services:
        service.start(env)
    return assistant


class ProductionStores:
    """PostgreSQL and Redis from tests/support/sandbox.py, with the databases docs/deployment.md creates."""

    def __init__(self) -> None:
        from bot import system_packages
        from tests.support.sandbox import Postgres, Redis

        system_packages.ensure("postgresql", "redis-server")
        self.pg = Postgres(durable=True).start()
        try:
            self.urls = {
                name: self.pg.create_database(db)
                for name, db in (("tracker", "rasa"), ("tickets", "tickets"), ("outbox", "outbox"))
            }
            self.redis = Redis(password="bench").start()
        except BaseException:
            self.pg.stop()
            raise
        from actions.outbox import Outbox
        from bot.tickets import migrate

        migrate.upgrade(self.urls["tickets"])  # what haiyuan-migrate.service does before the services start
        Outbox(self.urls["outbox"]).close()

    def env(self) -> dict[str, str]:
        assert self.redis.password is not None  # started with one
        return {
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.redis.port),
            "REDIS_DB": "1",
            "REDIS_PASSWORD": self.redis.password,
        }

    def stop(self) -> None:
        self.redis.stop()
        self.pg.stop()


def wait_haiyuan(assistant: Assistant, timeout: float = 600) -> None:
    assistant.wait_healthy(timeout)


# --- rasa init's bot -----------------------------------------------------------------------------


def vanilla_project(on_wait: Callable[[float], None] = lambda _: None) -> tuple[Path, dict]:
    """`rasa init --no-prompt` (which trains its model) into bench/.cache/, once per Rasa version."""
    target = CACHE / f"vanilla-rasa-{rasa_version()}"
    info_file = target / "bench-info.json"
    if info_file.exists() and list((target / "models").glob("*.tar.gz")):
        return target, {**json.loads(info_file.read_text()), "cached": True}
    scratch = Path(tempfile.mkdtemp(prefix="rasa-init-"))
    project = scratch / "vanilla"
    project.mkdir()
    started = time.monotonic()
    log_path = scratch / "rasa-init.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(project)],
            cwd=scratch,
            env=quiet_env(RASA_CACHE_DIRECTORY=str(scratch / "cache")),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            while process.poll() is None:
                on_wait(time.monotonic() - started)
                time.sleep(1)
        finally:
            if process.poll() is None:
                process.kill()
    seconds = time.monotonic() - started
    if process.returncode != 0 or not list((project / "models").glob("*.tar.gz")):
        raise RuntimeError(f"rasa init failed:\n{log_path.read_text(errors='replace')[-3000:]}")
    info = {"rasa_version": rasa_version(), "init_and_train_seconds": round(seconds, 1)}
    (project / "bench-info.json").write_text(json.dumps(info, indent=2))
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(project, target, ignore=shutil.ignore_patterns(".rasa", "__pycache__"))
    shutil.rmtree(scratch, ignore_errors=True)
    return target, {**info, "cached": False}


@dataclass
class VanillaRasa(Service):
    url: str = ""  # its REST base URL


def start_vanilla(project: Path, log_dir: Path) -> VanillaRasa:
    """rasa init's bot as it comes: its own endpoints (in-memory tracker store) and REST channel."""
    port = free_port()
    model = sorted((project / "models").glob("*.tar.gz"))[-1]
    service = VanillaRasa(
        "plain Rasa (rasa init)",
        [
            sys.executable,
            "-m",
            "rasa",
            "run",
            "--model",
            str(model),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--credentials",
            "credentials.yml",
            "--endpoints",
            "endpoints.yml",
        ],
        f"http://127.0.0.1:{port}/",
        log_dir / "vanilla-rasa.log",
        url=f"http://127.0.0.1:{port}",
    )
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(service.log_path, "ab")
    service.process = subprocess.Popen(
        service.command, cwd=project, env=quiet_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    return service


def cpu_count() -> int:
    return len(os.sched_getaffinity(0))
