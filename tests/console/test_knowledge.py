"""Knowledge editing and notices: the bot answers with an edited fact without a retrain; notices go public."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import requests
import yaml

from bot.tickets.due_dates import china_today
from tests.conftest import Chat
from tests.console.conftest import ACCOUNTS, ConsoleServer, Staff

QUESTION = "身份证补办要多少钱"


def ask_until(chat: Chat, question: str, expected: str, seconds: float = 15) -> str:
    deadline = time.monotonic() + seconds
    while True:
        reply = chat.text(question)
        if expected in reply or time.monotonic() > deadline:
            return reply
        time.sleep(1)


def test_editing_a_fee_changes_the_answer_without_retraining(
    assistant, console_server: ConsoleServer, open_console, staff
) -> None:
    path = console_server.knowledge / "services" / "id_card.yml"
    original = path.read_text(encoding="utf-8")
    old_fee = yaml.safe_load(original)["fee"]
    new_fee = "申领、换领每证25元；补领每证45元（控制台测试）"
    chat = Chat(assistant.settings.rasa_url)
    assert "45元" not in chat.text(QUESTION)
    stale_before = staff["dispatcher"].get("/console/training").text.count("已过期")
    try:
        page = open_console("dispatcher")
        page.goto("/console/knowledge")
        page.shot("knowledge")
        page.page.click("#kb-id_card a")
        assert page.page.input_value("#f-fee") == old_fee
        page.page.fill("#f-fee", new_fee)
        page.page.click("#service-form button[type=submit]")
        page.page.wait_for_selector("text=已保存")
        page.shot("knowledge-service-saved")

        # Only the fee changed, and its source is gone until someone confirms the new value (待核实 page);
        # comments, order and formatting are kept.
        edited = path.read_text(encoding="utf-8")
        changed = [(a, b) for a, b in zip(original.splitlines(), edited.splitlines()) if a != b]
        assert len(original.splitlines()) == len(edited.splitlines()) and len(changed) == 2
        assert [b for _a, b in changed] == [f"fee: {new_fee}", "  fee: 待核实"]

        reply = ask_until(chat, QUESTION, "45元")
        assert "45元" in reply, reply
        # A fact is not a name: no retrain is asked for.
        assert staff["dispatcher"].get("/console/training").text.count("已过期") == stale_before
        # The list shows who edited it last (from the audit log).
        row = re.search(
            r'<tr id="kb-id_card">.*?</tr>', staff["dispatcher"].get("/console/knowledge").text, re.S
        ).group(0)
        assert ACCOUNTS["dispatcher"][0] in row
        audit = staff["admin"].get("/console/audit?target=knowledge:services/id_card.yml").text
        assert "knowledge.save" in audit and "45元" in audit
    finally:
        path.write_text(original, encoding="utf-8")
    assert "45元" not in ask_until(chat, QUESTION, old_fee.split("；")[0])


def _form(member: Staff, kind: str, item_id: str) -> dict:
    """The form's current values as the browser would post them."""
    html = member.get(f"/console/knowledge/{kind}/{item_id}").text
    fields = {}
    for name, value in re.findall(r'<input name="([^"]+)"[^>]*?value="([^"]*)"', html):
        fields[name] = value
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        fields[name] = value
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option(?: value="([^"]*)")? selected>([^<]*)', body)
        if chosen:
            fields[name] = chosen.group(1) if chosen.group(1) is not None else chosen.group(2)
    import html as html_lib

    return {k: html_lib.unescape(v) for k, v in fields.items()}


def test_an_invalid_edit_is_refused_in_chinese(console_server: ConsoleServer, staff) -> None:
    member: Staff = staff["dispatcher"]
    path = console_server.knowledge / "services" / "id_card.yml"
    before = path.read_text(encoding="utf-8")
    form = _form(member, "service", "id_card")
    form["fee"] = ""
    form["aliases"] += "\n社保卡"  # already the name of another service
    response = member.post("/console/knowledge/service/id_card", form, csrf=None)
    assert response.status_code == 400
    assert "fee" in response.text and "应为非空文字" in response.text and "已被" in response.text
    assert path.read_text(encoding="utf-8") == before


def test_a_file_changed_meanwhile_is_not_overwritten(console_server: ConsoleServer, staff) -> None:
    member: Staff = staff["dispatcher"]
    path = console_server.knowledge / "services" / "temp_id_card.yml"
    original = path.read_text(encoding="utf-8")
    form = _form(member, "service", "temp_id_card")
    try:
        path.write_text(original.replace("verified: false", "verified: false  # 有人手工改过"), encoding="utf-8")
        form["summary"] += "（控制台）"
        response = member.post("/console/knowledge/service/temp_id_card", form, csrf=None)
        assert response.status_code == 409 and "被别人改过" in response.text
        assert "有人手工改过" in path.read_text(encoding="utf-8")
    finally:
        path.write_text(original, encoding="utf-8")


def test_a_new_alias_asks_for_a_retrain(console_server: ConsoleServer, staff) -> None:
    member: Staff = staff["dispatcher"]
    path = console_server.knowledge / "services" / "temp_id_card.yml"
    original = path.read_text(encoding="utf-8")
    form = _form(member, "service", "temp_id_card")
    form["aliases"] += "\n临时身份证咋整哩"
    try:
        response = member.post("/console/knowledge/service/temp_id_card", form, csrf=None)
        assert response.status_code == 303, response.text[-1500:]
        assert "  - 临时身份证咋整哩\n" in path.read_text(encoding="utf-8")
        page = member.get("/console/knowledge").text
        assert 'id="retrain-needed"' in page and "data/nlu/generated/knowledge.yml" in page
        assert "data/nlu/generated/knowledge.yml" in member.get("/console/training").text
    finally:
        path.write_text(original, encoding="utf-8")


def test_a_notice_is_published_and_served_publicly(console_server: ConsoleServer, open_console) -> None:
    today = china_today()
    page = open_console("dispatcher")
    page.goto("/console/notices")
    page.page.fill("#notice-form input[name=title]", "元旦假期窗口服务时间调整")
    page.page.fill("#notice-form textarea[name=text]", "1月1日至3日政务服务中心暂停窗口服务，网上办理不受影响。")
    page.page.fill("#notice-form input[name=start]", today.isoformat())
    page.page.fill("#notice-form input[name=end]", (today + timedelta(days=7)).isoformat())
    page.page.select_option("#notice-form select[name=services]", ["id_card"])
    page.page.click("#notice-form button[type=submit]")
    page.page.wait_for_selector("text=公告已发布")
    page.shot("notices")

    public = requests.get(f"{console_server.url}/api/notices/active", timeout=10)  # no token, no cookie
    assert public.status_code == 200
    found = [n for n in public.json()["notices"] if n["title"] == "元旦假期窗口服务时间调整"]
    assert len(found) == 1 and found[0]["services"] == ["id_card"] and found[0]["end"] == str(today + timedelta(days=7))
    for service, expected in (("id_card", 1), ("hukou_migration", 0)):
        listed = requests.get(f"{console_server.url}/api/notices/active", params={"service": service}, timeout=10)
        assert sum(n["title"] == "元旦假期窗口服务时间调整" for n in listed.json()["notices"]) == expected
    stored = (console_server.knowledge / "notices.yml").read_text(encoding="utf-8")
    assert stored.startswith("# 公告") and "元旦假期窗口服务时间调整" in stored

    page.page.on("dialog", lambda dialog: dialog.accept())
    page.page.click(f"#notice-{found[0]['id']} button")
    page.page.wait_for_selector("text=公告已撤下")
    again = requests.get(f"{console_server.url}/api/notices/active", timeout=10).json()["notices"]
    assert all(n["id"] != found[0]["id"] for n in again)


def test_a_notice_with_bad_dates_is_refused(staff, console_server: ConsoleServer) -> None:
    response = staff["dispatcher"].post(
        "/console/notices", {"title": "维护", "text": "系统维护", "start": "2026-12-10", "end": "2026-12-01"}
    )
    assert response.status_code == 400 and "结束日期" in response.text
