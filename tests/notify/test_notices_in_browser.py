"""In a real browser against the real backend process: the web chat shows a ticket's progress on load, once
(also after a reload), and the console shows the notice history with a failed SMS and its 重新发送 button, and
the 时限预警 list with its badge. Screenshots (phone 390×844 and desktop 1280×800, 长辈模式 on and off) go to
tests/artifacts/screenshots/notify/."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.common.clock import china_today
from bot.tickets.due_dates import add_working_days
from bot.tickets.rules import RulesFile
from tests.conftest import SCREENSHOTS
from tests.notify.conftest import DEPARTMENT, backend_env
from tests.support.aliyun_sms_standin import AliyunSmsStandIn
from tests.support.backend_process import ROOT, BackendProcess, ticket_payload

SHOTS = SCREENSHOTS / "notify"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
PASSWORD = "Haiyuan-console-2026!"


@pytest.fixture
def backend(tmp_path: Path, sms: AliyunSmsStandIn):
    env = {**backend_env(tmp_path, sms), "NOTIFY_INTERVAL_SECONDS": "0.2"}
    process = BackendProcess(tmp_path, token=env["BACKEND_API_TOKEN"], env=env).start(timeout=60)
    admin = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.console.create_admin",
            "--username",
            "admin",
            "--display-name",
            "管理员老马",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=process._env(),
        timeout=60,
    )
    assert admin.returncode == 0, admin.stderr
    yield process
    process.stop()


def call(backend: BackendProcess, method: str, path: str, **kwargs) -> requests.Response:
    headers = backend.headers(**kwargs.pop("headers", {}))
    return requests.request(method, backend.url + path, headers=headers, timeout=15, **kwargs)


def ticket(backend: BackendProcess, **overrides) -> str:
    body = ticket_payload(**{"notify_updates": True, **overrides})
    response = call(backend, "POST", "/api/tickets", json=body, headers={"Idempotency-Key": secrets.token_hex(8)})
    assert response.status_code == 201, response.text
    return response.json()["number"]


def move(backend: BackendProcess, number: str, to: str, **extra) -> None:
    response = call(
        backend, "POST", f"/api/tickets/{number}/transition", json={"to": to, "actor": "派单员小李", **extra}
    )
    assert response.status_code == 200, response.text


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_web_chat_and_console_show_the_notices(backend: BackendProcess, sms: AliyunSmsStandIn, browser) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    conversation = "web-" + secrets.token_hex(16)
    web = ticket(backend, channel="智能助手-web", conversation_id=conversation)
    move(backend, web, "已转办", department=DEPARTMENT)
    move(backend, web, "办理中")
    move(backend, web, "已反馈", reply="已联系供热公司检修。")

    sms.fail_next(100, "500")
    failing = ticket(backend, channel="智能助手-app", phone="13812348001")
    move(backend, failing, "已转办", department=DEPARTMENT)
    wait_for(lambda: call(backend, "GET", f"/api/tickets/{failing}/notices").json()["notices"][0]["state"] == "failed")

    due = ticket(backend, notify_updates=False, department=DEPARTMENT)
    rules = RulesFile(ROOT / "knowledge" / "ticket_rules.yml").get()
    engine = create_engine(backend.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE tickets SET due_date = :d WHERE number = :n"),
            {"d": add_working_days(china_today(), 1, rules).isoformat(), "n": due},
        )
    engine.dispose()
    assert call(backend, "POST", "/api/notify/run").json()["due_soon"] == [due]

    for name, viewport, elderly in [
        ("chat-phone", PHONE, False),
        ("chat-phone-elderly", PHONE, True),
        ("chat-desktop", DESKTOP, False),
    ]:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        setup = f"localStorage.setItem('haiyuan-chat:session', {json.dumps(json.dumps(conversation))});"
        if elderly:
            setup += "localStorage.setItem('haiyuan-chat:elderly', 'true');"
        context.add_init_script(setup)
        page = context.new_page()
        page.goto(f"{backend.url}/chat")
        if name == "chat-phone":
            page.wait_for_selector(".ticket-update")
            page.wait_for_timeout(500)
            updates = page.locator(".ticket-update").all_inner_texts()
            assert len(updates) == 2 and all(web in u for u in updates)
            assert "已转给承办部门办理" in updates[0] and "有答复了" in updates[1]
            page.screenshot(path=str(SHOTS / f"{name}.png"))
            page.reload()
            page.wait_for_timeout(1500)
            assert page.locator(".ticket-update").count() == 2  # kept in the transcript, not shown again
            move(backend, web, "已办结")  # a fresh notice for the next visit (another browser, 长辈模式)
        else:
            page.wait_for_selector(".ticket-update")
            page.wait_for_timeout(500)
            assert page.locator(".ticket-update").count() == 1
            page.screenshot(path=str(SHOTS / f"{name}.png"))
            other = ticket(backend, channel="智能助手-web", conversation_id=conversation)
            move(backend, other, "已转办", department=DEPARTMENT)
        context.close()
    states = [n["state"] for n in call(backend, "GET", f"/api/tickets/{web}/notices").json()["notices"]]
    assert states == ["delivered", "delivered", "delivered"]

    for name, viewport in [("console-desktop", DESKTOP), ("console-phone", PHONE)]:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{backend.url}/console/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/console/")
        assert page.locator("a[href='/console/warnings'] .nav-count").inner_text() == "1"
        page.goto(f"{backend.url}/console/tickets/{failing}")
        notices = page.locator("#notices")
        assert "发送失败" in notices.inner_text() and notices.locator("button", has_text="重新发送").count() == 1
        notices.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{name}-ticket-failed.png"), full_page=True)
        page.goto(f"{backend.url}/console/tickets/{web}")
        page.locator("#notices").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{name}-ticket-web.png"), full_page=True)
        page.goto(f"{backend.url}/console/warnings")
        assert due in page.locator("#warnings").inner_text()
        page.screenshot(path=str(SHOTS / f"{name}-warnings.png"), full_page=True)
        context.close()
