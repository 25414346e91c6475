"""The staff console as people use it (issue 17, defect 8): intents in Chinese, an inbox that can be
searched and paged, a label that can be undone, a console that works on a phone (390 px), and no serious
or critical axe-core violation on its main pages."""

from __future__ import annotations

import uuid
from datetime import datetime

import yaml
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from tests.a11y import serious_violations
from tests.console.conftest import ACCOUNTS, PASSWORD, ConsoleServer, Staff
from tests.console.test_inbox import masked, send_unclear, stored

PHONE_VIEW = {"width": 390, "height": 844}


def add_groups(server: ConsoleServer, count: int, word: str) -> None:
    """`count` open groups of one message each, straight into the console database."""
    engine = create_engine(server.database_url)
    with engine.begin() as connection:
        for n in range(count):
            text = f"{word}第{n}条"
            group = connection.execute(
                sql("INSERT INTO console_inbox_groups (representative, tokens, created_at) VALUES (:t, :k, :at)"),
                {"t": text, "k": f"{word}{n}", "at": datetime.utcnow()},
            ).lastrowid
            connection.execute(
                sql(
                    "INSERT INTO console_messages (event_id, sender_id, at, text, is_payload, intent, actions,"
                    " reason, status, group_id) VALUES (:e, 'paging', :at, :t, :p, 'nlu_fallback', '',"
                    " 'nlu_fallback', 'open', :g)"
                ),
                {"e": 2 * 10**9 + uuid.uuid4().int % 10**8, "at": datetime.utcnow(), "t": text, "p": False, "g": group},
            )
    engine.dispose()


def test_inbox_search_and_pages(console_server: ConsoleServer, staff: dict) -> None:
    dispatcher: Staff = staff["dispatcher"]
    word = f"翻页{uuid.uuid4().hex[:4]}"
    add_groups(console_server, 30, word)
    found = dispatcher.get("/console/inbox", params={"q": word}).text
    assert "30 组" in found and "第 1 / 2 页" in found and "下一页" in found
    second = dispatcher.get("/console/inbox", params={"q": word, "page": 2}).text
    assert second.count("<tr data-group=") == 5 and "上一页" in second
    assert "这里没有消息" in dispatcher.get("/console/inbox", params={"q": "没有这样的话" + word}).text


def test_a_label_can_be_undone(assistant, console_server: ConsoleServer, staff: dict) -> None:
    dispatcher: Staff = staff["dispatcher"]
    _chat, text = send_unclear(assistant)
    row = stored(console_server, dispatcher, masked(text))
    page = dispatcher.get(f"/console/inbox/messages/{row['id']}").text
    assert "问收费（ask_fee）" in page  # intents by their Chinese names, the English one beside it
    labelled = console_server.project / "data" / "nlu" / "staff" / "labelled.yml"

    def examples() -> str:
        if not labelled.exists():
            return ""
        data = yaml.safe_load(labelled.read_text(encoding="utf-8")) or {}
        return "".join(e["examples"] for e in data.get("nlu") or [] if e["intent"] == "ask_fee")

    response = dispatcher.post(
        "/console/inbox/label", {"message_ids": row["id"], "intent": "ask_fee", "back": "/console/inbox"}
    )
    assert response.status_code == 303 and f"- {masked(text)}" in examples()
    assert "撤销标注" in dispatcher.get(f"/console/inbox/messages/{row['id']}").text
    undone = dispatcher.post("/console/inbox/unlabel", {"message_id": row["id"], "back": "/console/inbox"})
    assert undone.status_code == 303 and "unlabelled" in undone.headers["location"]
    assert f"- {masked(text)}" not in examples()
    assert stored(console_server, dispatcher, masked(text))["status"] == "open"


def test_the_console_works_on_a_phone(open_console) -> None:
    page = open_console("dispatcher")
    page.page.set_viewport_size(PHONE_VIEW)
    for path, name in (("/console/tickets", "console-workbench-phone"), ("/console/inbox", "console-inbox-phone")):
        page.goto(path)
        links = page.page.locator("header nav a")
        assert links.count() >= 3
        for box in (links.nth(i).bounding_box() for i in range(links.count())):
            assert box["height"] < 48 and box["width"] > 40, box  # one line each, never a character per line
        assert page.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.page.screenshot(path=str(page.screenshots / f"{name}.png"))


def test_console_passes_axe(browser, console_server: ConsoleServer) -> None:
    # bypass_csp: axe.min.js is injected as a script the console's Content-Security-Policy would refuse
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{console_server.url}/console/login")
    assert serious_violations(page) == []
    page.fill("input[name=username]", ACCOUNTS["admin"][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{console_server.url}/console/")
    for path in ("/console/", "/console/tickets", "/console/inbox", "/console/dashboard", "/console/knowledge"):
        page.goto(console_server.url + path)
        found = serious_violations(page)
        assert found == [], (path, found)
    context.close()
