"""Scale-out on real PostgreSQL, Redis and nginx (Debian's packages), started from deploy/'s own files.

Two Rasa servers and two action servers, started by tests.support.unit_runner from the systemd units in
deploy/systemd with an EnvironmentFile built from deploy/haiyuan.env.example, share the tracker store
(PostgreSQL), the lock store (Redis), the outbox and the ticket database (PostgreSQL); nginx runs
deploy/nginx/haiyuan.conf with its ports moved to free loopback ports. Conversations alternate between
the instances message by message, go through nginx (REST and socket.io), and survive one Rasa server
being killed; the ticket backend's migrations and tests run on the same PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml
from cryptography.fernet import Fernet

from bot import system_packages
from bot.settings import ROOT
from tests.conftest import ARTIFACTS, render
from tests.support.sandbox import Nginx, Postgres, Redis, free_port
from tests.support.unit_runner import Runner, read_environment_file

DEPLOY = ROOT / "deploy"
BUNDLES = {p.stem: yaml.safe_load(p.read_text()) for p in (ROOT / "knowledge/bundles").glob("*.yml")}
ID_CARD = yaml.safe_load((ROOT / "knowledge/services/id_card.yml").read_text())
CHECKLIST_MARK = "您的办事清单"
OPENING = "我要投诉，政务大厅窗口的工作人员态度太差了，让我来回跑了三趟"
PHONE = "13812345678"
NEWBORN_ANSWERS = {"local_hukou": "是", "married": "对", "need_ssc": "要", "need_insurance": "需要"}


@dataclass
class Stack:
    pg: Postgres
    redis: Redis
    nginx: Nginx
    runner: Runner
    env: dict[str, str]
    ports: dict[int, int]  # production port → the port used here
    log_dir: Path

    @property
    def rasa(self) -> list[str]:
        return [f"http://127.0.0.1:{self.ports[p]}" for p in (5005, 5006)]

    @property
    def rasa_units(self) -> list[str]:
        return [f"haiyuan-rasa@{self.ports[p]}" for p in (5005, 5006)]

    def status_url(self, base_url: str) -> str:
        return f"{base_url}/status?token={self.env['RASA_AUTH_TOKEN']}"  # --auth-token guards /status too

    @property
    def public(self) -> str:
        return f"http://127.0.0.1:{self.nginx.port}"

    @property
    def backend(self) -> str:
        return f"http://127.0.0.1:{self.ports[8000]}"

    def backend_get(self, path: str, **params) -> dict:
        response = requests.get(
            self.backend + path,
            params=params,
            timeout=10,
            headers={"Authorization": f"Bearer {self.env['BACKEND_API_TOKEN']}"},
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, base_url: str, sender: str) -> dict:
        response = requests.get(
            f"{base_url}/conversations/{sender}/tracker", params={"token": self.env["RASA_AUTH_TOKEN"]}, timeout=30
        )
        response.raise_for_status()
        return response.json()


def environment_file(path: Path, values: dict[str, str]) -> None:
    """The example EnvironmentFile with the test's values: every key the example has, and no other."""
    example = read_environment_file(DEPLOY / "haiyuan.env.example", {})
    unknown = set(values) - set(example)
    assert not unknown, f"set in the test but missing from deploy/haiyuan.env.example: {unknown}"
    path.write_text("".join(f"{key}={values.get(key, value)}\n" for key, value in example.items()))
    path.chmod(0o600)


def wait_healthy(urls: list[str], timeout: float, runner: Runner) -> None:
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending:
        for url in list(pending):
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    pending.remove(url)
            except requests.RequestException:
                pass
        if pending and time.monotonic() > deadline:
            dead = [name for name, job in runner.running.items() if job.exits]
            raise TimeoutError(f"not healthy after {timeout:.0f}s: {pending}; exited: {dead}")
        time.sleep(1)


@pytest.fixture(scope="module")
def stack(model_path: Path, tmp_path_factory: pytest.TempPathFactory):
    system_packages.ensure("postgresql", "redis-server", "nginx")
    base = tmp_path_factory.mktemp("scale")
    log_dir = ARTIFACTS / "scale"
    shutil.rmtree(log_dir, ignore_errors=True)
    pg = Postgres(durable=False).start()
    redis = nginx = runner = None
    try:
        databases = {name: pg.create_database(name) for name in ("rasa", "tickets", "outbox")}
        redis = Redis(password=secrets.token_urlsafe(16)).start()
        ports = {port: free_port() for port in (80, 5054, 5005, 5006, 5055, 5056, 8000)}
        env = {
            "BACKEND_PORT": str(ports[8000]),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports[5054]}/webhook",
            "BACKEND_URL": f"http://127.0.0.1:{ports[8000]}",
            "TRACKER_DB_URL": databases["rasa"],
            "DATABASE_URL": databases["tickets"],
            "OUTBOX_DB_URL": databases["outbox"],
            "REDIS_PORT": str(redis.port),
            "REDIS_PASSWORD": redis.password,
            "RASA_AUTH_TOKEN": secrets.token_urlsafe(24),
            "BACKEND_API_TOKEN": secrets.token_urlsafe(24),
            "BACKEND_CONTACT_TOKEN": secrets.token_urlsafe(24),
            "TRACKER_ENCRYPTION_KEY": Fernet.generate_key().decode(),  # shared by both Rasa servers
            "RASA_MODEL": str(model_path),
            "HAIYUAN_VAR_DIR": str(base / "var"),
        }
        env_file = base / "haiyuan.env"
        environment_file(env_file, env)
        runner = Runner(
            paths={
                "/opt/haiyuan": str(ROOT),
                "/etc/haiyuan/haiyuan.env": str(env_file),
                "/var/log/haiyuan": str(log_dir),
            }
        )
        nginx = Nginx((DEPLOY / "nginx/haiyuan.conf").read_text(), ports).start()
        # haiyuan-migrate (oneshot) runs first; the rest start together, the Rasa servers in parallel.
        runner.start(
            "haiyuan-migrate",
            "haiyuan-backend",
            *(f"haiyuan-actions@{ports[p]}" for p in (5055, 5056)),
            *(f"haiyuan-rasa@{ports[p]}" for p in (5005, 5006)),
        )
        yield Stack(pg, redis, nginx, runner, read_environment_file(env_file, {}), ports, log_dir)
    finally:
        if runner:
            runner.stop_all()
        if nginx:
            for name in ("haiyuan.access.log", "haiyuan-actions.access.log", "error.log"):
                if (nginx.base / name).exists():
                    log_dir.mkdir(parents=True, exist_ok=True)
                    shutil.copy(nginx.base / name, log_dir / f"nginx-{name}")
            nginx.stop()
        if redis:
            redis.stop()
        pg.stop()


@pytest.fixture(scope="module")
def ready(stack: Stack) -> Stack:
    """All processes answer their health checks (the two Rasa servers take a few minutes)."""
    p = stack.ports
    wait_healthy(
        [
            f"{stack.backend}/healthz",
            f"http://127.0.0.1:{p[5055]}/health",
            f"http://127.0.0.1:{p[5056]}/health",
            *(stack.status_url(url) for url in stack.rasa),
        ],
        timeout=480,
        runner=stack.runner,
    )
    return stack


def say(base_url: str, sender: str, message: str) -> str:
    response = requests.post(
        f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    assert response.status_code == 200, response.text
    return render(response.json())


def new_sender() -> str:
    return f"scale-{uuid.uuid4().hex[:10]}"


def ticket_number(reply: str) -> str:
    found = re.search(r"HY\d{12}", reply)
    assert found, reply
    return found.group(0)


# --- PostgreSQL: migrations and the backend's own tests ----------------------------------------------


def test_migrate_unit_brought_both_databases_to_head(stack: Stack) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, inspect, text

    from bot.core.database import Base
    from bot.tickets import migrate, models  # noqa: F401

    head = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()
    engine = create_engine(stack.env["DATABASE_URL"], future=True)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == [], "the models differ from the migrations on PostgreSQL"
    outbox = create_engine(stack.env["OUTBOX_DB_URL"], future=True)
    assert "outbox_items" in inspect(outbox).get_table_names()
    outbox.dispose()


def test_migrations_downgrade_and_upgrade_on_postgresql(stack: Stack) -> None:
    url = stack.pg.create_database("migrations")
    for action in (["upgrade"], ["downgrade", "base"], ["upgrade"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot.tickets.migrate", *action, "--database-url", url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url, future=True)
    assert {"tickets", "ticket_events", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_backend_tests_pass_on_postgresql(stack: Stack) -> None:
    """tests/backend again, its backend process on PostgreSQL (its migration tests are SQLite files)."""
    url = stack.pg.create_database("backend_tests")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/backend",
            "-q",
            "-p",
            "no:cacheprovider",
            "--ignore=tests/backend/test_migrations.py",
        ],
        cwd=ROOT,
        env={**os.environ, "TEST_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", result.stdout) and " failed" not in result.stdout


# --- two Rasa servers sharing one state -------------------------------------------------------------


def asked(reply: str) -> str | None:
    return next((q["id"] for q in BUNDLES["newborn"]["questions"] if q["ask"] in reply), None)


def walk_newborn(urls: list[str]) -> tuple[list, str]:
    """The newborn bundle, message i sent to urls[i % len(urls)]; returns (questions asked, checklist)."""
    sender, seen = new_sender(), []
    reply = say(urls[0], sender, "孩子刚出生要办啥")
    for turn in range(1, 10):
        if CHECKLIST_MARK in reply:
            return seen, reply
        question = asked(reply)
        assert question, f"neither a newborn question nor the checklist:\n{reply}"
        seen.append(question)
        reply = say(urls[turn % len(urls)], sender, NEWBORN_ANSWERS[question])
    raise AssertionError("too many questions")


def test_bundle_form_alternating_instances_gives_the_same_checklist(ready: Stack) -> None:
    a, b = ready.rasa
    seen, alternating = walk_newborn([a, b])
    assert seen == [q["id"] for q in BUNDLES["newborn"]["questions"]]
    assert "出生登记（报户口）" in alternating and "社会保障卡申领" in alternating
    assert alternating.count("父母双方居民身份证") == 1
    _, on_one = walk_newborn([b])
    assert alternating == on_one


def test_service_follow_ups_carry_over_between_instances(ready: Stack) -> None:
    a, b = ready.rasa
    sender = new_sender()
    assert "办事指南" in say(a, sender, "身份证丢了怎么办")
    assert str(ID_CARD["materials"][0]["name"]) in say(b, sender, "要带什么材料")
    assert str(ID_CARD["time_limit"]["legal"]) in say(a, sender, "多久能拿到")


def complaint_steps(name: str = "王先生") -> list[tuple[str, str]]:
    """(message, what the reply must contain) of the complaint form up to the summary."""
    return [
        (OPENING, "在哪里"),
        ("县政务服务中心二楼", "什么时候"),
        ("11月20日上午", "哪个部门"),
        ("不知道", "称呼"),
        (name, "电话"),
        (PHONE, "同意"),
        ("同意", "请核对"),
    ]


def test_complaint_form_alternating_instances_creates_one_ticket(ready: Stack) -> None:
    a, b = ready.rasa
    sender = new_sender()
    for turn, (message, expected) in enumerate(complaint_steps()):
        assert expected in say([a, b][turn % 2], sender, message)
        if turn == 2:  # half-way: the other instance sees the form and its slots in the shared tracker
            tracker = ready.tracker(b, sender)
            assert tracker["active_loop"]["name"] == "complaint_form"
            assert tracker["slots"]["complaint_location"] == "县政务服务中心二楼"
    number = ticket_number(say(b, sender, "确认提交"))
    # The shared stores are the real ones: the conversation's events are rows in PostgreSQL, and the
    # per-conversation locks went through Redis (Rasa falls back to nothing silently otherwise).
    from sqlalchemy import create_engine, text

    engine = create_engine(ready.env["TRACKER_DB_URL"], future=True)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar_one()
    engine.dispose()
    assert rows >= 2 * len(complaint_steps())
    import redis as redis_client

    stats = redis_client.Redis(port=ready.redis.port, password=ready.redis.password).info("stats")
    assert stats["total_commands_processed"] >= 2 * len(complaint_steps())
    tickets = ready.backend_get("/api/tickets", conversation_id=sender)["items"]
    assert [t["number"] for t in tickets] == [number]
    ticket = ready.backend_get(f"/api/tickets/{number}")
    assert ticket["description"] == OPENING and ticket["location"] == "县政务服务中心二楼"
    assert ticket["citizen_name"] == "王先生" and ticket["phone"] == "138****5678"


def upstreams(log: str, path: str) -> list[str]:
    """The upstream of each logged request to `path` (the last one tried, when nginx moved on)."""
    pattern = rf'"(?:GET|POST) {re.escape(path)}\S* HTTP/1\.1" \d+ \d+ upstream=(.+?) rt='
    return [m.group(1).split(", ")[-1] for m in re.finditer(pattern, log)]


def test_rest_through_nginx_is_balanced_over_both_instances(ready: Stack) -> None:
    sender = new_sender()
    for message, expected in complaint_steps(name="不留"):
        assert expected in say(ready.public, sender, message)
    ticket_number(say(ready.public, sender, "确认提交"))
    rasa_ports = {f"127.0.0.1:{ready.ports[p]}" for p in (5005, 5006)}
    action_ports = {f"127.0.0.1:{ready.ports[p]}" for p in (5055, 5056)}
    assert set(upstreams(ready.nginx.access_log(), "/webhooks/rest/webhook")) == rasa_ports
    assert set(upstreams(ready.nginx.access_log("haiyuan-actions.access.log"), "/webhook")) == action_ports
    assert requests.get(f"{ready.public}/status", timeout=5).status_code == 404  # the API stays internal


class SocketIoClient:
    """Just enough of socket.io (Engine.IO 4, long-polling) for the web chat's exchange, as
    bot/web/static/chat.js uses it (transports: polling). Every request of a session carries its
    session id, so all of them must reach the same Rasa server: that is what the sticky upstream is for.
    (python-socketio's own asyncio client needs a newer aiohttp than Rasa allows.)"""

    def __init__(self, base_url: str):
        self.base = f"{base_url}/socket.io/?EIO=4"
        self.http = requests.Session()
        self.sid = ""

    def _url(self) -> str:
        return f"{self.base}&transport=polling&sid={self.sid}"

    def poll(self) -> list[str]:
        response = self.http.get(self._url(), timeout=40)
        assert response.status_code == 200, response.text
        return response.text.split("\x1e")  # packets are separated by the record separator

    def send(self, packet: str) -> None:
        response = self.http.post(self._url(), data=packet.encode(), timeout=30)
        assert response.status_code == 200, response.text

    def connect(self) -> dict:
        opened = self.http.get(f"{self.base}&transport=polling", timeout=30)
        assert opened.status_code == 200 and opened.text.startswith("0"), opened.text
        info = json.loads(opened.text[1:])
        self.sid = info["sid"]
        self.send("40")  # socket.io CONNECT to the default namespace
        assert any(packet.startswith("40") for packet in self.poll())
        return info

    def emit(self, name: str, data: dict) -> None:
        self.send("42" + json.dumps([name, data], ensure_ascii=False))

    def bot_messages(self, until: str, timeout: float = 60) -> list[dict]:
        received: list[dict] = []
        deadline = time.monotonic() + timeout
        while not any(until in (m.get("text") or "") for m in received):
            assert time.monotonic() < deadline, received
            for packet in self.poll():
                if packet == "2":
                    self.send("3")  # ping → pong
                elif packet.startswith("42"):
                    name, *payload = json.loads(packet[2:])
                    if name == "bot_uttered":
                        received.append(payload[0])
        return received


def test_socketio_through_nginx_is_sticky(ready: Stack) -> None:
    client = SocketIoClient(ready.public)
    info = client.connect()
    session = uuid.uuid4().hex
    client.emit("session_request", {"session_id": session})
    client.emit("user_uttered", {"message": "你好", "session_id": session})
    assert client.bot_messages(until="海原政务小助手")
    client.emit("user_uttered", {"message": "身份证丢了怎么办", "session_id": session})
    assert client.bot_messages(until="办事指南")
    servers = set(upstreams(ready.nginx.access_log(), "/socket.io/"))
    assert len(servers) == 1, f"one socket.io session reached several servers: {servers}"
    assert "websocket" in info["upgrades"]


def test_websocket_upgrade_passes_through_nginx(ready: Stack) -> None:
    """nginx forwards Upgrade/Connection, Rasa answers 101. (Messages over the websocket then fail
    inside Sanic 21.12 on Python 3.11 — asyncio.wait with bare coroutines — which is why the web chat
    uses long-polling; see docs/deployment.md.)"""
    import websockets

    client = SocketIoClient(ready.public)
    client.connect()

    async def handshake() -> None:
        url = client.base.replace("http://", "ws://") + f"&transport=websocket&sid={client.sid}"
        async with websockets.connect(url, open_timeout=20):
            pass

    asyncio.run(handshake())
    upgraded = re.compile(rf'"GET /socket\.io/\?EIO=4&transport=websocket&sid={re.escape(client.sid)} HTTP/1\.1" 101 ')
    for _ in range(50):  # nginx logs a websocket when it closes
        if upgraded.search(ready.nginx.access_log()):
            break
        time.sleep(0.1)
    assert upgraded.search(ready.nginx.access_log()), ready.nginx.access_log()[-2000:]


def test_killed_instance_the_conversation_goes_on_and_it_comes_back(ready: Stack) -> None:
    a, b = ready.rasa
    unit_a = ready.rasa_units[0]
    sender, via_nginx = new_sender(), new_sender()
    steps = complaint_steps()
    for message, expected in steps[:3]:
        assert expected in say(a, sender, message)
        assert expected in say(ready.public, via_nginx, message)

    ready.runner.kill(unit_a)  # SIGKILL mid-conversation, like a crash or the OOM killer
    time.sleep(1)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{a}/status", timeout=5)
    for message, expected in steps[3:]:
        assert expected in say(b, sender, message)
        assert expected in say(ready.public, via_nginx, message)  # nginx moves on to the live server
    number = ticket_number(say(b, sender, "确认提交"))
    ticket_number(say(ready.public, via_nginx, "确认提交"))
    assert ready.backend_get(f"/api/tickets/{number}")["location"] == "县政务服务中心二楼"

    # Restart=on-failure (haiyuan-rasa@.service) brings the instance back; it reads the same tracker.
    wait_healthy([ready.status_url(a)], timeout=480, runner=ready.runner)
    assert ready.runner.running[f"{unit_a}.service"].starts == 2
    assert "工单号" in say(a, sender, "查询工单")
    assert "后四位" in say(b, sender, number)
    status = say(a, sender, PHONE[-4:])
    assert number in status and "已受理" in status


def test_model_rollout_put_model_needs_the_token_and_keeps_conversations(ready: Stack, tmp_path: Path) -> None:
    """docs/deployment.md §9 on one instance: a model file uploaded under a new name, PUT /model."""
    _, b = ready.rasa
    new_model = tmp_path / "haiyuan-rollout.tar.gz"
    shutil.copy(ready.env["RASA_MODEL"], new_model)
    sender = new_sender()
    assert "办事指南" in say(b, sender, "身份证丢了怎么办")
    body = {"model_file": str(new_model)}
    assert requests.put(f"{b}/model", json=body, timeout=30).status_code == 401
    response = requests.put(f"{b}/model", params={"token": ready.env["RASA_AUTH_TOKEN"]}, json=body, timeout=300)
    assert response.status_code == 204, response.text
    status = requests.get(ready.status_url(b), timeout=10).json()
    assert Path(status["model_file"]).name == new_model.name
    assert str(ID_CARD["materials"][0]["name"]) in say(b, sender, "要带什么材料")
