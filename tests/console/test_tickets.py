"""The ticket workbench: a ticket worked through its states in the browser; the citizen sees the reply."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import create_engine
from sqlalchemy import text as sql

from bot.tickets.due_dates import china_today
from tests.conftest import Chat
from tests.console.conftest import ACCOUNTS, DEPARTMENT, OTHER_DEPARTMENT, ConsoleServer, Staff

REPLY = "已联系供热公司检修管道，现已恢复供暖，室温达到18度。"


def _move(page, target: str, note: str, department: str = "", reply: str = "") -> None:
    form = page.page.locator(f"form[data-target='{target}']")
    if department:
        form.locator("select[name=department]").select_option(department)
    if reply:
        form.locator("textarea[name=reply]").fill(reply)
    form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    page.page.wait_for_selector("text=状态已更新")
    assert page.page.locator("#ticket-status strong").inner_text() == target


def test_a_ticket_moves_through_its_states_and_the_citizen_sees_the_reply(
    assistant, console_server: ConsoleServer, open_console, staff
) -> None:
    ticket = console_server.new_ticket(summary="小区暖气不热", phone="13812345678")
    number = ticket["number"]

    dispatcher = open_console("dispatcher")
    dispatcher.goto("/console/tickets")
    dispatcher.page.fill("#ticket-filters input[name=q]", number)
    dispatcher.page.click("#ticket-filters button[type=submit]")
    dispatcher.shot("tickets")
    dispatcher.page.click(f"#tickets a:text-is('{number}')")
    assert "138****5678" in dispatcher.page.content() and "13812345678" not in dispatcher.page.content()
    # Only the legal next step is offered (the state machine's), and a note is required.
    assert dispatcher.page.locator("form[data-target]").evaluate_all("fs => fs.map(f => f.dataset.target)") == [
        "已转办"
    ]
    _move(dispatcher, "已转办", "请住建局核实供暖情况", department=DEPARTMENT)

    department = open_console("department")
    department.goto(f"/console/tickets/{number}")
    _move(department, "办理中", "已派人上门查看")
    _move(department, "已反馈", "已处理完毕", reply=REPLY)
    # Closing is the dispatcher's: the department has no button, and a forged post is refused.
    assert department.page.locator("form[data-target]").count() == 0
    refused = staff["department"].post(f"/console/tickets/{number}/transition", {"to": "已办结", "note": "我自己办结"})
    assert refused.status_code == 409 and "不能把工单变更为" in refused.text
    department.shot("ticket-department")

    dispatcher.goto(f"/console/tickets/{number}")
    _move(dispatcher, "已办结", "市民确认已恢复供暖")
    history = dispatcher.page.locator("#history").inner_text()
    for kind in ("受理", "已受理 → 已转办", "已转办 → 办理中", "办理中 → 已反馈", "已反馈 → 已办结", "部门答复"):
        assert kind in history, kind
    assert ACCOUNTS["department"][1] in history and ACCOUNTS["dispatcher"][1] in history
    dispatcher.shot("ticket-closed")

    chat = Chat(assistant.settings.rasa_url)
    chat.say("查询工单")
    chat.say(number)
    status = chat.text("5678")
    assert "已办结" in status and REPLY in status


def test_an_empty_note_is_refused(console_server: ConsoleServer, staff) -> None:
    number = console_server.new_ticket()["number"]
    response = staff["dispatcher"].post(
        f"/console/tickets/{number}/transition", {"to": "已转办", "note": " ", "department": DEPARTMENT}
    )
    assert response.status_code == 409 and "请填写处理说明" in response.text
    assert console_server.api("GET", f"/api/tickets/{number}").json()["status"] == "已受理"


def test_return_and_reassign(console_server: ConsoleServer, staff) -> None:
    number = console_server.new_ticket(department=DEPARTMENT)["number"]
    dispatcher: Staff = staff["dispatcher"]
    assert (
        dispatcher.post(
            f"/console/tickets/{number}/transition", {"to": "已转办", "note": "转住建", "department": DEPARTMENT}
        ).status_code
        == 303
    )
    assert (
        staff["department"].post(f"/console/tickets/{number}/return", {"note": "不属于本部门职责"}).status_code == 303
    )
    after = console_server.api("GET", f"/api/tickets/{number}").json()
    assert after["status"] == "已受理" and after["department"] != DEPARTMENT
    assert (
        dispatcher.post(
            f"/console/tickets/{number}/assign", {"department": OTHER_DEPARTMENT, "note": "改由交通局办理"}
        ).status_code
        == 303
    )
    assert console_server.api("GET", f"/api/tickets/{number}").json()["department"] == OTHER_DEPARTMENT
    audit = staff["admin"].get(f"/console/audit?target=ticket:{number}").text
    assert "ticket.return" in audit and "ticket.assign" in audit and "改由交通局办理" in audit


def test_filters_and_search(console_server: ConsoleServer, staff) -> None:
    marker = "控制台筛选测试羊圈"
    wanted = console_server.new_ticket(category="求助", summary=f"{marker}被风吹坏", department=OTHER_DEPARTMENT)
    other = console_server.new_ticket(category="建议", summary="建议多开一个窗口", department=OTHER_DEPARTMENT)
    dispatcher: Staff = staff["dispatcher"]
    page = dispatcher.get(f"/console/tickets?q={marker}").text
    assert wanted["number"] in page and other["number"] not in page
    page = dispatcher.get(f"/console/tickets?category=建议&department={OTHER_DEPARTMENT}").text
    assert other["number"] in page and wanted["number"] not in page
    tomorrow = (china_today() + timedelta(days=2)).isoformat()
    assert wanted["number"] not in dispatcher.get(f"/console/tickets?date_from={tomorrow}").text
    assert "没有符合条件的工单" in dispatcher.get("/console/tickets?q=%25%25不可能有的词").text


def _age(server: ConsoleServer, number: str, **columns) -> None:
    """Seed: move a ticket's dates into the past, as if it had been accepted earlier."""
    engine = create_engine(server.database_url)
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    with engine.begin() as connection:
        connection.execute(
            sql(f"UPDATE tickets SET {assignments} WHERE number = :number"), {**columns, "number": number}
        )
    engine.dispose()


def test_overdue_tickets_can_be_supervised(console_server: ConsoleServer, staff, open_console) -> None:
    number = console_server.new_ticket(summary="路灯坏了一个月没人修", department=OTHER_DEPARTMENT)["number"]
    _age(console_server, number, due_date=china_today() - timedelta(days=10))
    dispatcher: Staff = staff["dispatcher"]
    assert number in dispatcher.get("/console/tickets?overdue=1").text
    page = open_console("dispatcher")
    page.goto(f"/console/tickets/{number}")
    page.page.fill("#supervise-form textarea[name=note]", "请三日内办结并反馈")
    page.page.click("#supervise-form button[type=submit]")
    page.page.wait_for_selector("text=已督办")
    assert "督办：请三日内办结并反馈" in page.page.locator("#history").inner_text()
    page.shot("ticket-supervised")
    fresh = console_server.new_ticket()["number"]
    refused = dispatcher.post(f"/console/tickets/{fresh}/supervise", {"note": "催一下"})
    assert refused.status_code == 409 and "超期" in refused.text


def test_bad_ratings_queue_for_follow_up_with_the_15_working_day_clock(
    console_server: ConsoleServer, staff, open_console
) -> None:
    number = console_server.new_ticket(summary="窗口态度差", department=DEPARTMENT)["number"]
    for to, extra in (
        ("已转办", {"department": DEPARTMENT}),
        ("办理中", {}),
        ("已反馈", {"reply": "已约谈窗口人员。"}),
        ("已办结", {}),
    ):
        assert (
            console_server.api(
                "POST", f"/api/tickets/{number}/transition", json={"to": to, "actor": "测试", **extra}
            ).status_code
            == 200
        )
    assert (
        console_server.api(
            "POST", f"/api/tickets/{number}/rating", json={"grade": "不满意", "comment": "等了太久"}
        ).status_code
        == 200
    )
    dispatcher: Staff = staff["dispatcher"]
    queue = dispatcher.get("/console/followups").text
    row = re.search(rf'<tr>\s*<td><a href="/console/tickets/{number}">.*?</tr>', queue, re.S).group(0)
    assert "待回访" in row and "不满意" in row
    deadline = re.findall(r"<td>(\d{4}-\d{2}-\d{2})</td>", row)
    rated_on, due = date.fromisoformat(deadline[0]), date.fromisoformat(deadline[1])
    assert 15 <= (due - rated_on).days <= 15 + 2 * 7 + 10  # 15 working days: weekends and holidays skipped
    page = open_console("dispatcher")
    page.goto("/console/followups")
    page.shot("followups")
    page.goto(f"/console/tickets/{number}")
    form = page.page.locator("#followup-form")
    form.locator("select[name=kind]").select_option("已回访")
    form.locator("textarea[name=note]").fill("电话回访，市民反映排队太久")
    form.locator("button[type=submit]").click()
    page.page.wait_for_selector("text=回访记录已保存")
    assert "已回访，待整改" in dispatcher.get("/console/followups").text.split(number, 1)[1][:2000]
    assert (
        dispatcher.post(
            f"/console/tickets/{number}/follow-up", {"kind": "已整改", "note": "增开一个窗口，已告知市民"}
        ).status_code
        == 303
    )
    assert number not in dispatcher.get("/console/followups").text
    assert number in dispatcher.get("/console/followups?all=1").text
    assert number in dispatcher.get("/console/tickets?bad=1").text
