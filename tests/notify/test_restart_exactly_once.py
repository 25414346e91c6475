"""Exactly once across a backend kill: the real backend process (`python -m bot.tickets`) on SQLite, the SMS
stand-in in this process. The status change is committed, the backend is killed (SIGKILL) before any delivery,
and the restarted backend delivers the notice once; with the provider failing and the backend killed again
between retries, every notice still arrives once."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest
import requests

from tests.notify.conftest import DEPARTMENT, WALK, backend_env
from tests.support.aliyun_sms_standin import AliyunSmsStandIn
from tests.support.backend_process import BackendProcess, ticket_payload

pytestmark = pytest.mark.e2e


def start(
    var: Path, sms: AliyunSmsStandIn, port: int | None = None, deliver: bool = True, lease: str = "60"
) -> BackendProcess:
    env = backend_env(var, sms)
    env["NOTIFY_INTERVAL_SECONDS"] = "0.2" if deliver else "0"
    env["NOTIFY_LEASE_SECONDS"] = lease
    return BackendProcess(var, port=port, token=env["BACKEND_API_TOKEN"], env=env).start(timeout=60)


def call(backend: BackendProcess, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(
        method, backend.url + path, headers=backend.headers(**kwargs.pop("headers", {})), timeout=15, **kwargs
    )


def new_ticket(backend: BackendProcess, phone: str) -> str:
    body = ticket_payload(channel="智能助手-app", phone=phone, notify_updates=True)
    response = call(backend, "POST", "/api/tickets", json=body, headers={"Idempotency-Key": secrets.token_hex(8)})
    assert response.status_code == 201, response.text
    return response.json()["number"]


def move(backend: BackendProcess, number: str, to: str, **extra) -> None:
    response = call(backend, "POST", f"/api/tickets/{number}/transition", json={"to": to, "actor": "派单员甲", **extra})
    assert response.status_code == 200, response.text


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_killed_between_the_change_and_the_delivery(tmp_path: Path, sms: AliyunSmsStandIn) -> None:
    backend = start(tmp_path, sms, deliver=False)
    try:
        number = new_ticket(backend, "13812349001")
        move(backend, number, "已转办", department=DEPARTMENT)
    finally:
        backend.kill()  # SIGKILL: no shutdown, nothing flushed by us
    assert sms.sent == []
    backend = start(tmp_path, sms, port=backend.port)
    try:
        assert wait_for(lambda: len(sms.sent) == 1)
        time.sleep(1.5)  # several more delivery rounds
        [sent] = sms.sent
        assert sent.phone == "13812349001" and sent.params == {"number": number, "status": "已转办"}
        stats = call(backend, "GET", "/api/notify/stats").json()["notices"]
        assert stats["queued"] == 1 and stats["delivered"] == 1
    finally:
        backend.stop()


def test_killed_after_the_provider_sent_and_before_the_backend_heard(tmp_path: Path, sms: AliyunSmsStandIn) -> None:
    """The worst moment: the SMS went out, the backend dies before it records so. After the restart the
    notice's lease runs out, the provider's records (QuerySendDetails, our OutId) show it was sent: no second SMS."""
    sms.hold_answers(30)
    backend = start(tmp_path, sms, lease="1")
    try:
        number = new_ticket(backend, "13812349002")
        move(backend, number, "已转办", department=DEPARTMENT)
        assert wait_for(lambda: len(sms.sent) == 1)  # sent; the backend is still waiting for the answer
    finally:
        backend.kill()
    sms.hold_answers(0)
    backend = start(tmp_path, sms, port=backend.port, lease="1")
    try:
        delivered = lambda: call(backend, "GET", "/api/notify/stats").json()["notices"]["delivered"] == 1  # noqa: E731
        assert wait_for(delivered)
        time.sleep(1.5)
        assert len(sms.sent) == 1 and sms.sent[0].params == {"number": number, "status": "已转办"}
        [notice] = call(backend, "GET", f"/api/tickets/{number}/notices").json()["notices"]
        assert notice["attempts"] == 2  # the cut-off attempt, then the check of the records
    finally:
        backend.stop()


def test_faults_every_notice_once(tmp_path: Path, sms: AliyunSmsStandIn) -> None:
    """Figures for the closing note: 8 tickets × 3 announced statuses, the provider failing 10 times
    (server errors and flow control), the backend killed twice while notices are pending."""
    backend = start(tmp_path, sms)
    port = backend.port
    phones = [f"1381235{i:04d}" for i in range(8)]
    numbers = [new_ticket(backend, phone) for phone in phones]
    sms.fail_next(6, "500")
    sms.fail_next(4, "limit")
    kills = 0
    for step, (to, extra) in enumerate(WALK):
        for number in numbers:
            move(backend, number, to, **extra)
        if step in (0, 2):  # killed right after a batch of changes, before they can all be sent
            backend.kill()
            kills += 1
            backend = start(tmp_path, sms, port=port)
    try:
        assert wait_for(lambda: len(sms.sent) >= 24, timeout=60)
        time.sleep(1.5)
        stats = call(backend, "GET", "/api/notify/stats").json()["notices"]
        out_ids = [s.out_id for s in sms.sent]
        figures = {
            "queued": stats["queued"],
            "delivered": stats["delivered"],
            "sent_by_provider": len(out_ids),
            "duplicated": len(out_ids) - len(set(out_ids)),
            "provider_failures_injected": 10,
            "provider_refusals_seen": len(sms.rejected),
            "backend_kills": kills,
        }
        print("notify fault figures:", figures)
        assert figures["queued"] == figures["delivered"] == figures["sent_by_provider"] == 24
        assert figures["duplicated"] == 0 and figures["provider_refusals_seen"] == 10
        for phone in phones:
            assert [s.params["status"] for s in sms.sent_to(phone)] == ["已转办", "已反馈", "已办结"]
    finally:
        backend.stop()
