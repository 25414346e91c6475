"""What citizens tripped over (issue 17), through the REST channel with the real Rasa server, action server
and backend: a department answer that names no department, and buttons of earlier messages."""

from __future__ import annotations

import re

from tests.conftest import Chat
from tests.test_complaints_e2e import PHONE, Backend, ticket_number

OPENING = "我要投诉，三河镇街上的路灯坏了两个月没人修"
CHOICE = {"choice": True}  # what the web page adds to a button's text payload


def walk_to_department(chat: Chat) -> None:
    """From the opening to the 部门 question, whatever the form asks on the way."""
    reply = chat.text(OPENING)
    for _ in range(3):
        if "部门" in reply:
            return
        reply = chat.text("三河镇街上" if "哪里" in reply else "两个月前")
    assert "部门" in reply, reply


def test_a_department_answer_that_names_none_goes_to_the_dispatcher(chat: Chat, assistant) -> None:
    walk_to_department(chat)
    reply = chat.text("两个月前开始")
    assert "工作人员会根据" in reply and "称呼" in reply  # said politely, then the next question
    chat.text("不留")
    chat.text(PHONE)
    summary = chat.text("同意")
    assert "涉及部门：未说明" in summary and "两个月前开始" not in summary, summary
    number = ticket_number(chat.text("确认提交"))
    ticket = Backend(assistant).ticket(number)
    assert ticket["department"] != "两个月前开始"
    assert ticket["department"] in {"海原县综合执法局", "待分派"}  # 路灯 → 综合执法局 by the keywords


def test_a_department_alias_is_the_full_name(assistant) -> None:
    chat = Chat(assistant.settings.rasa_url)
    walk_to_department(chat)
    chat.text("应该是城管吧")
    chat.text("不留")
    chat.text(PHONE)
    summary = chat.text("同意")
    assert "涉及部门：海原县综合执法局" in summary, summary


def test_an_old_consent_button_does_not_confirm_the_summary(assistant) -> None:
    chat = Chat(assistant.settings.rasa_url)
    walk_to_department(chat)
    chat.text("不知道")
    chat.text("不留")
    chat.text(PHONE)
    assert "请核对" in chat.text("同意")
    stale = chat.say("同意", metadata=CHOICE)  # the consent question's button, tapped again at the summary
    text = "\n".join(r.get("text") or "" for r in stale)
    # No ticket number is handed out (the summary itself now says 「通知只写工单号和进展」).
    assert "不能用" in text and "请核对" in text and not re.search(r"HY\d{12}", text), text
    assert Backend(assistant).tickets_of(chat.sender) == []
    assert "工单号" in chat.text("确认提交")


def test_an_old_rating_button_is_not_saved_as_the_comment(chat: Chat, assistant) -> None:
    backend = Backend(assistant)
    walk_to_department(chat)
    for answer in ("不知道", "不留", PHONE, "同意"):
        chat.text(answer)
    number = ticket_number(chat.text("确认提交"))
    for to, extra in [("已转办", {}), ("办理中", {}), ("已反馈", {"reply": "路灯已修好。"}), ("已办结", {})]:
        assert backend.move(number, to, **extra).status_code == 200
    chat.say("查询工单")
    chat.say(number)
    chat.say(PHONE[-4:])
    assert "还有什么想说" in chat.text('/rate_ticket{"rating_grade": "满意"}')
    stale = chat.text('/rate_ticket{"rating_grade": "满意"}')  # the same grade button, tapped again
    assert "不能用" in stale and "还有什么想说" in stale, stale
    assert "感谢您的评价" in chat.text("修得很快")
    ticket = backend.ticket(number)
    assert ticket["rating"] == "满意" and ticket["rating_comment"] == "修得很快"


def test_a_complaint_starts_with_a_word_that_it_is_registered(chat: Chat) -> None:
    first = chat.text(OPENING)
    assert first.startswith("好的，我来帮您登记"), first


def test_a_lost_card_gets_loss_advice_and_fitting_suggestions(chat: Chat) -> None:
    reply = chat.text("社保卡丢了")
    assert "挂失" in reply and "12333" in reply, reply
    assert "新生儿" not in reply, reply  # no suggestion from another department's life event


def test_a_service_question_inside_a_bundle_is_answered(chat: Chat) -> None:
    reply = chat.text("孩子刚生下来要办啥")
    for _ in range(3):  # into the bundle's questions
        if "是" in reply and "否" in reply or "第 1 问" in reply:
            break
        reply = chat.text("新生儿出生")
    assert "问" in reply, reply
    typo = chat.text("社宝卡丢了")  # a typo of 社保卡 mid-bundle: answered, then the bundle goes on
    assert "请回答" not in typo and "社保卡" in typo and "接着办" in typo, typo


def test_a_closed_ticket_shows_no_expected_reply_date(chat: Chat, assistant) -> None:
    backend = Backend(assistant)
    walk_to_department(chat)
    for answer in ("不知道", "不留", PHONE, "同意"):
        chat.text(answer)
    number = ticket_number(chat.text("确认提交"))
    chat.say("查询工单")
    chat.say(number)
    assert "预计答复" in chat.text(PHONE[-4:])
    for to, extra in [("已转办", {}), ("办理中", {}), ("已反馈", {"reply": "已修好。"}), ("已办结", {})]:
        assert backend.move(number, to, **extra).status_code == 200
    chat.say("查询工单")
    chat.say(number)
    closed = chat.text(PHONE[-4:])
    assert "已办结" in closed and "预计答复" not in closed, closed
