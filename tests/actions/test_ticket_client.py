"""The actions' ticket client and the durable outbox, against the real backend process.

Failure cases use the real process: stopped (connection refused), frozen with SIGSTOP (timeout),
frozen then killed (request lost), and a proxy that drops the response after the backend created
the ticket (502). In every case the ticket is delivered exactly once.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from actions.api.tickets import BackendUnavailable, TicketClient, TicketClientError
from actions.outbox import Outbox
from tests.support.backend_process import BackendProcess, free_port, ticket_payload

pytestmark = pytest.mark.e2e  # each test starts (and kills) a real backend process

FAST = {"base_delay": 0.1, "max_delay": 0.5, "poll_interval": 0.2}


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def tickets_with_key(backend: BackendProcess, key: str) -> dict:
    response = requests.get(
        f"{backend.url}/api/tickets", params={"idempotency_key": key}, headers=backend.headers(), timeout=10
    )
    assert response.status_code == 200
    return response.json()


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory):
    process = BackendProcess(tmp_path_factory.mktemp("client-var")).start()
    yield process
    process.stop()


@pytest.fixture
def client(backend: BackendProcess) -> TicketClient:
    return TicketClient(backend.url, backend.token, timeout=5)


@pytest.fixture
def own_backend(tmp_path: Path):
    """A backend this test may stop, freeze, kill and restart (same port, same database)."""
    process = BackendProcess(tmp_path / "var").start()
    yield process
    process.stop()


@pytest.fixture
def outboxes():
    """Outbox instances created by a test, closed afterwards (workers stopped)."""
    created = []

    def make(db_url: str, client: TicketClient) -> Outbox:
        outbox = Outbox(db_url, client, **FAST)
        created.append(outbox)
        return outbox

    yield make
    for outbox in created:
        outbox.close()


# --- client ------------------------------------------------------------------------------------


def test_create_ticket_and_retry(client):
    key = uuid.uuid4().hex
    first = client.create_ticket(ticket_payload(), key)
    again = client.create_ticket(ticket_payload(), key)
    assert first["created"] is True and again["created"] is False
    assert first["number"] == again["number"] and first["phone"] == "138****5678"


def test_query_status(client):
    number = client.create_ticket(ticket_payload(phone="13911112222"), uuid.uuid4().hex)["number"]
    status = client.query_status(number, "2222", client_id="sender-1")
    assert status["status"] == "已受理" and status["history"][0]["stage"] == "已受理"
    assert client.query_status(number, "9999") is None
    assert client.query_status("HY209901010001", "2222") is None


def test_rate_needs_closed_ticket_then_works(client, backend):
    number = client.create_ticket(ticket_payload(), uuid.uuid4().hex)["number"]
    with pytest.raises(TicketClientError) as refused:
        client.rate(number, "满意")
    assert refused.value.status_code == 409 and "办结" in refused.value.detail
    for to, extra in [("已转办", {}), ("办理中", {}), ("已反馈", {"reply": "已处理"}), ("已办结", {})]:
        response = requests.post(
            f"{backend.url}/api/tickets/{number}/transition",
            headers=backend.headers(),
            json={"to": to, "actor": "派单员", **extra},
            timeout=10,
        )
        assert response.status_code == 200, response.text
    rated = client.rate(number, "非常不满意", "没解决", phone_last4="5678")
    assert rated["rating"] == "非常不满意" and rated["events"][-1]["kind"] == "差评待回访"


def test_health_and_error_kinds(client, backend):
    assert client.health() is True
    with pytest.raises(TicketClientError) as invalid:
        client.create_ticket({"category": "投诉"}, uuid.uuid4().hex)
    assert invalid.value.status_code == 422 and not invalid.value.retryable and "摘要" in invalid.value.detail
    with pytest.raises(TicketClientError) as unauthorized:
        TicketClient(backend.url, "wrong-token").create_ticket(ticket_payload(), uuid.uuid4().hex)
    assert unauthorized.value.status_code == 401 and unauthorized.value.retryable
    nobody = TicketClient(f"http://127.0.0.1:{free_port()}", "t", timeout=1)
    with pytest.raises(BackendUnavailable):
        nobody.create_ticket(ticket_payload(), uuid.uuid4().hex)
    assert nobody.health() is False


def test_token_generated_by_backend_is_found_by_client(tmp_path, monkeypatch):
    """No BACKEND_API_TOKEN anywhere: the backend writes var/secrets/api_token, the client reads it."""
    process = BackendProcess(tmp_path / "var", token="").start()
    try:
        monkeypatch.delenv("BACKEND_API_TOKEN", raising=False)
        monkeypatch.setenv("HAIYUAN_VAR_DIR", str(tmp_path / "var"))
        client = TicketClient(process.url)
        assert (tmp_path / "var" / "secrets" / "api_token").exists()
        assert client.create_ticket(ticket_payload(), uuid.uuid4().hex)["created"] is True
    finally:
        process.stop()


def test_client_never_logs_phone_numbers(client, caplog):
    caplog.set_level("DEBUG")
    client.create_ticket(ticket_payload(phone="13766667777"), uuid.uuid4().hex)
    client.query_status("HY209901010001", "7777")
    assert "13766667777" not in caplog.text


# --- outbox ------------------------------------------------------------------------------------


def test_outbox_sends_at_once_when_backend_is_up(client, outboxes, tmp_path):
    outbox = outboxes(f"sqlite:///{tmp_path / 'outbox.db'}", client)
    result = outbox.submit(ticket_payload())
    assert result.status == "created" and result.reference == result.ticket_number
    assert result.ticket_number.startswith("HY") and outbox.pending_count() == 0


def test_outbox_refuses_invalid_payload_without_queueing(client, outboxes, tmp_path):
    outbox = outboxes(f"sqlite:///{tmp_path / 'outbox.db'}", client)
    with pytest.raises(TicketClientError):
        outbox.submit({"category": "投诉"})
    assert outbox.pending_count() == 0


def test_outbox_queues_while_backend_is_down_and_delivers_after_restart(own_backend, outboxes, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'outbox.db'}"
    key = uuid.uuid4().hex
    own_backend.stop()

    before_restart = outboxes(db_url, TicketClient(own_backend.url, own_backend.token, timeout=2))
    result = before_restart.submit(ticket_payload(), idempotency_key=key)
    assert result.queued and result.reference.startswith("待分配 Q") and len(result.local_ref) == 7
    assert before_restart.submit(ticket_payload(), idempotency_key=key).local_ref == result.local_ref
    assert before_restart.lookup(result.local_ref) is None
    before_restart.close()  # the action server stops with the ticket still queued

    after_restart = outboxes(db_url, TicketClient(own_backend.url, own_backend.token, timeout=2))
    worker = after_restart.start_delivery_worker()
    assert after_restart.start_delivery_worker() is worker  # idempotent
    time.sleep(0.5)  # a few failed attempts against the stopped backend
    own_backend.start()

    number = wait_for(lambda: after_restart.lookup(result.reference))
    assert number.startswith("HY") and after_restart.pending_count() == 0
    listed = tickets_with_key(own_backend, key)
    assert listed["total"] == 1 and listed["items"][0]["number"] == number
    with sqlite3.connect(tmp_path / "outbox.db") as connection:  # delivered payload (with the phone) erased
        assert connection.execute("SELECT payload FROM outbox_items").fetchone() == ("{}",)


def test_timeout_then_late_processing_gives_one_ticket(own_backend, outboxes, tmp_path):
    outbox = outboxes(
        f"sqlite:///{tmp_path / 'outbox.db'}", TicketClient(own_backend.url, own_backend.token, timeout=1)
    )
    key = uuid.uuid4().hex
    own_backend.signal(signal.SIGSTOP)  # accepts connections (kernel backlog) but answers nothing
    result = outbox.submit(ticket_payload(), idempotency_key=key)
    assert result.queued
    own_backend.signal(signal.SIGCONT)  # the original request is processed late; the retry races it
    outbox.start_delivery_worker()
    number = wait_for(lambda: outbox.lookup(result.local_ref))
    assert tickets_with_key(own_backend, key)["total"] == 1
    assert tickets_with_key(own_backend, key)["items"][0]["number"] == number


def test_backend_killed_mid_request_then_restarted_gives_one_ticket(own_backend, outboxes, tmp_path):
    outbox = outboxes(
        f"sqlite:///{tmp_path / 'outbox.db'}", TicketClient(own_backend.url, own_backend.token, timeout=1)
    )
    key = uuid.uuid4().hex
    own_backend.signal(signal.SIGSTOP)
    result = outbox.submit(ticket_payload(), idempotency_key=key)
    assert result.queued
    own_backend.kill()  # the accepted request dies with the process
    outbox.start_delivery_worker()
    own_backend.start()
    number = wait_for(lambda: outbox.lookup(result.local_ref))
    listed = tickets_with_key(own_backend, key)
    assert listed["total"] == 1 and listed["items"][0]["number"] == number


class ResponseLosingProxy:
    """Forwards to the backend; for the first ticket creation it answers 502 after the backend created it."""

    def __init__(self, target: str):
        self.target = target
        self.lose_next_create = True
        self.lost = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                upstream = requests.request(
                    self.command, proxy.target + self.path, headers=headers, data=body, timeout=10
                )
                if self.command == "POST" and self.path == "/api/tickets" and proxy.lose_next_create:
                    proxy.lose_next_create = False
                    proxy.lost.set()
                    status, payload, content_type = 502, b"<html>Bad Gateway</html>", "text/html"
                else:
                    status, payload = upstream.status_code, upstream.content
                    content_type = upstream.headers.get("content-type", "application/json")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _forward

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_response_lost_after_creation_gives_one_ticket(backend, outboxes, tmp_path):
    proxy = ResponseLosingProxy(backend.url)
    try:
        outbox = outboxes(f"sqlite:///{tmp_path / 'outbox.db'}", TicketClient(proxy.url, backend.token, timeout=5))
        key = uuid.uuid4().hex
        result = outbox.submit(ticket_payload(), idempotency_key=key)
        assert proxy.lost.is_set() and result.queued
        created_by_first_try = tickets_with_key(backend, key)["items"][0]["number"]
        outbox.start_delivery_worker()
        assert wait_for(lambda: outbox.lookup(result.local_ref)) == created_by_first_try
        assert tickets_with_key(backend, key)["total"] == 1
    finally:
        proxy.close()


def test_concurrent_submits_and_workers_deliver_each_ticket_once(own_backend, outboxes, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'outbox.db'}"
    own_backend.stop()
    submitter = outboxes(db_url, TicketClient(own_backend.url, own_backend.token, timeout=2))
    keys = [uuid.uuid4().hex for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda k: submitter.submit(ticket_payload(), idempotency_key=k), keys))
    assert all(r.queued for r in results) and len({r.local_ref for r in results}) == 8
    own_backend.start()

    workers = [outboxes(db_url, TicketClient(own_backend.url, own_backend.token, timeout=5)) for _ in range(3)]
    for outbox in workers:  # three action-server processes sharing one outbox file
        outbox.start_delivery_worker()
    wait_for(lambda: submitter.pending_count() == 0)
    numbers = [submitter.lookup(r.local_ref) for r in results]
    assert all(numbers) and len(set(numbers)) == 8
    assert all(tickets_with_key(own_backend, key)["total"] == 1 for key in keys)
