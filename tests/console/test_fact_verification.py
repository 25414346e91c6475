"""核实 through the real stack: a staff member confirms an unverified fee in the console; the bot drops the
caveat without a retrain (the action server reloads the file), and the audit log has the confirmation."""

from __future__ import annotations

import re
import time

import yaml

from tests.conftest import Chat
from tests.console.conftest import ConsoleServer, Staff

QUESTION = "结婚登记收费吗"
REL = "services/marriage_registration.yml"
CAVEAT = "说明：收费尚未和官方文件核实"


def _ask_until(chat: Chat, question: str, gone: str, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while True:
        reply = chat.text(question)
        if gone not in reply or time.monotonic() > deadline:
            return reply
        time.sleep(1)


def test_a_staff_confirmation_removes_the_caveat_without_a_retrain(
    assistant, console_server: ConsoleServer, staff, open_console
) -> None:
    path = console_server.knowledge / REL
    original = path.read_text(encoding="utf-8")
    chat = Chat(assistant.settings.rasa_url)
    assert CAVEAT in chat.text(QUESTION)
    dispatcher: Staff = staff["dispatcher"]
    try:
        page = dispatcher.get(f"/console/facts?file={REL}").text
        assert REL in page and "<code>fee</code>" in page and "免费" in page
        assert staff["analyst"].get("/console/facts").status_code == 403  # the right role only
        response = dispatcher.post(
            "/console/facts",
            {
                "rel": REL,
                "path": "fee",
                "mode": "confirm",
                "title": "婚姻登记条例（2025年修订）",
                "doc": "国务院令第804号（测试用文号）",
                "kind": "gov",
                "checked_on": "2026-12-03",
            },
        )
        assert response.status_code == 303, response.text[-800:]
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))["facts"]["fee"]
        assert entry["verified_by"] == dispatcher.username and str(entry["verified_on"]) == "2026-12-03"

        reply = _ask_until(chat, QUESTION, CAVEAT)
        assert "免费" in reply and CAVEAT not in reply, reply

        audit = staff["admin"].get(f"/console/audit?target=knowledge:{REL}").text
        assert "knowledge.confirm" in audit and "国务院令第804号" in audit
        home = dispatcher.get("/console/").text
        assert re.search(r'id="card-verified"><span class="num">\d+%</span>', home)
        page = open_console("dispatcher")
        page.goto(f"/console/facts?file={REL}")
        page.shot("facts-verify")
    finally:
        path.write_text(original, encoding="utf-8")


def test_a_confirmation_without_an_official_source_is_refused(console_server: ConsoleServer, staff) -> None:
    path = console_server.knowledge / REL
    before = path.read_text(encoding="utf-8")
    response = staff["dispatcher"].post(
        "/console/facts",
        {"rel": REL, "path": "fee", "mode": "confirm", "title": "某网站", "kind": "gov"},
    )
    assert response.status_code == 400 and "网址或文号" in response.text
    assert path.read_text(encoding="utf-8") == before
