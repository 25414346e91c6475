"""Citizens' letters through the REST channel, the real Rasa server, action server and backend: the first reply
says what was understood and pre-fills the form; the dialogue follows the letter's type (咨询 / 投诉 / 建议);
a hazard told as a past event does not pre-empt the flow, a danger happening now does.

The letters are written for these tests (not taken from any evaluation set).
"""

from __future__ import annotations

import pytest

from tests.conftest import Chat
from tests.test_complaints_e2e import Backend, ticket_number

PHONE = "13709551357"
LOCATION_QUESTIONS = ("事情发生在哪里", "在哪里发生的")
TIME_QUESTIONS = ("大概是什么时候", "什么时候的事")


@pytest.fixture
def backend(assistant) -> Backend:
    return Backend(assistant)


def understood(replies: list[dict]) -> dict:
    """The custom marker of the "what was understood" reply."""
    markers = [r["custom"] for r in replies if (r.get("custom") or {}).get("type") == "letter"]
    assert markers, replies
    return markers[0]


def click(chat: Chat, replies: list[dict], title: str) -> str:
    """Press the button of that title (its payload is sent, as the web chat does)."""
    payload = next(b["payload"] for r in replies for b in r.get("buttons") or [] if b["title"] == title)
    return chat.text(payload)


def walk_to_summary(chat: Chat, reply: str, place: str = "海城镇", limit: int = 8) -> str:
    """Answer whatever the form asks until the summary; fails on a question not expected here."""
    for _ in range(limit):
        if "请核对" in reply:
            return reply
        if "称呼" in reply:
            reply = chat.text("李女士")
        elif "联系电话" in reply or "请输入您的电话" in reply:
            reply = chat.text(PHONE)
        elif "同意吗" in reply:
            reply = chat.text("同意")
        elif "哪个部门" in reply:
            reply = chat.text("不知道")
        elif "哪个地方" in reply or any(q in reply for q in LOCATION_QUESTIONS):
            reply = chat.text(place)
        elif any(q in reply for q in TIME_QUESTIONS):
            reply = chat.text("上个月")
        else:
            raise AssertionError(f"unexpected question: {reply}")
    raise AssertionError(f"no summary after {limit} answers: {reply}")


QUESTION_LETTER = (
    "领导您好！我家住在海城镇南关村，听村里人说我们这一片要搞老城区改造，可是一直没有见到正式通知。"
    "想请问一下：我们村到底在不在这次改造的范围里？如果要拆的话，补偿按什么标准，大概什么时候公布方案？"
    "家里老人天天惦记这个事，麻烦领导给个准话，谢谢！"
)


def test_a_question_letter_is_offered_as_a_consultation_never_asked_where_or_when(chat: Chat, backend: Backend) -> None:
    replies = chat.say(QUESTION_LETTER)
    reply = "\n".join(r.get("text") or "" for r in replies)
    assert understood(replies)["category"] == "咨询"
    assert "没有现成的答案" in reply and "咨询工单" in reply, reply
    assert not any(q in reply for q in LOCATION_QUESTIONS + TIME_QUESTIONS), reply
    reply = click(chat, replies, "登记咨询")
    assert not any(q in reply for q in LOCATION_QUESTIONS + TIME_QUESTIONS), reply
    summary = walk_to_summary(chat, reply)
    assert "类别：咨询" in summary and "时间：" not in summary, summary
    assert "地点：海城镇南关村" in summary, summary  # the place the letter names, pre-filled
    ticket = backend.ticket(ticket_number(chat.text("确认提交")))
    assert ticket["category"] == "咨询" and ticket["location"] == "海城镇南关村"


THANKING_COMPLAINT = (
    "尊敬的领导：您好！感谢您百忙之中抽空看我的信。我是甘城乡X村的村民，今年9月村里修路，"
    "施工队把我家门前的水渠填平了，说好修完路就恢复，到现在三个月了也没人管，地里浇不上水，"
    "找村上也只说等等。恳请领导过问一下，谢谢！联系电话 139 5507 2468"
)


def test_a_letter_that_thanks_the_official_while_complaining_is_filed_as_a_complaint(
    chat: Chat, backend: Backend
) -> None:
    replies = chat.say(THANKING_COMPLAINT)
    assert understood(replies)["category"] == "投诉"
    first = "\n".join(r.get("text") or "" for r in replies)
    assert "139****2468" in first and "13955072468" not in first  # the phone in the letter, masked in chat
    assert "甘城乡X村" in first and "今年9月" in first, first  # place and time read from the letter
    summary = walk_to_summary(chat, "\n".join(r.get("text") or "" for r in replies[-1:]))
    assert "类别：投诉" in summary and "地点：甘城乡X村" in summary and "时间：今年9月" in summary, summary
    ticket = backend.ticket(ticket_number(chat.text("确认提交")))
    assert ticket["category"] == "投诉"
    assert ticket["location"] == "甘城乡X村" and ticket["phone"] == "139****2468"


SUGGESTION = (
    "我有个建议：李俊乡中心小学门口那条路每天放学的时候车特别多，娃娃们过马路全靠自己跑，"
    "能不能在学校门口装个红绿灯、画上斑马线，上下学的时候再安排个人值守一下。"
)


def test_a_suggestion_is_taken_as_a_suggestion(chat: Chat, backend: Backend) -> None:
    replies = chat.say(SUGGESTION)
    reply = "\n".join(r.get("text") or "" for r in replies)
    assert understood(replies)["category"] == "建议"
    assert "谢谢您的建议" in reply, reply
    assert not any(q in reply for q in TIME_QUESTIONS), reply  # a suggestion has no "when did it happen"
    summary = walk_to_summary(chat, reply, place="李俊乡中心小学门口")
    assert "类别：建议" in summary and "时间：" not in summary, summary
    ticket = backend.ticket(ticket_number(chat.text("确认提交")))
    assert ticket["category"] == "建议"


PAST_FIRE = (
    "领导您好，我住在海城镇XX小区6号楼。去年冬天我们楼道里因为电动车充电着过一次火，"
    "当时烧了两家的门，好在没人受伤。可到现在楼道里还是停满电动车、堆满杂物，消防通道也被堵着，"
    "物业说了好几次都不管。万一再着火，后果不敢想，请有关部门督促物业清理。"
)
PRESENT_FIRE = (
    "领导您好，我们一直反映楼下饭馆油烟管道太脏的问题，物业一直拖着不处理。"
    "就在刚才，饭馆后厨着火了，火苗已经窜到二楼窗户了，楼上还有老人没下来！"
)


def test_a_past_fire_in_a_letter_does_not_pre_empt_the_flow(chat: Chat) -> None:
    replies = chat.say(PAST_FIRE)
    texts = [r.get("text") or "" for r in replies]
    assert "请立刻打电话" not in texts[0], texts  # the flow goes on: what was understood comes first
    assert understood(replies)["category"] in {"投诉", "举报", "求助"}
    hazard = [t for t in texts if "如果现在就有危险" in t]
    assert len(hazard) == 1 and "119" in hazard[0], texts  # the numbers once, after the reply
    assert "XX小区" in "\n".join(texts)


def test_a_fire_happening_now_in_a_letter_pre_empts_everything(chat: Chat) -> None:
    replies = chat.say(PRESENT_FIRE)
    assert "119" in replies[0]["text"] and "请立刻打电话" in replies[0]["text"], replies


def test_the_summary_shows_type_and_department_and_both_can_be_changed(chat: Chat, backend: Backend) -> None:
    replies = chat.say(THANKING_COMPLAINT)
    summary = walk_to_summary(chat, "\n".join(r.get("text") or "" for r in replies[-1:]))
    assert "类别：投诉" in summary and "涉及部门：" in summary
    choices = chat.text("/change_answer")
    assert "改类别" in choices and "改涉及部门" in choices, choices
    asked = chat.text('/change_answer{"complaint_field": "complaint_category"}')
    assert "哪一类" in asked and "[求助]" in asked, asked
    summary = chat.text("求助")
    assert "类别：求助" in summary, summary
    chat.text("/change_answer")
    asked = chat.text('/change_answer{"complaint_field": "complaint_department"}')
    assert "哪个部门" in asked, asked
    summary = chat.text("海原县水务局")
    assert "涉及部门：海原县水务局" in summary, summary
    ticket = backend.ticket(ticket_number(chat.text("确认提交")))
    assert ticket["category"] == "求助" and ticket["department"] == "海原县水务局"


WAGES_WITH_A_LEGAL_AID_QUESTION = (
    "我是七营镇的，去年在县城一个工地干了半年小工，包工头欠了我一万二的工钱一直拖着不给，"
    "电话也不接了。听人说可以找法律援助，法律援助怎么申请，要带啥材料？"
)


def test_a_knowledge_base_question_inside_a_grievance_is_answered_and_the_ticket_still_offered(chat: Chat) -> None:
    replies = chat.say(WAGES_WITH_A_LEGAL_AID_QUESTION)
    reply = "\n".join(r.get("text") or "" for r in replies)
    assert "法律援助" in reply and "办事指南" in reply, reply  # the legal-aid guide, answered
    reply = click(chat, replies, "仍要登记")
    assert "称呼" in reply or "什么时候" in reply or "哪个部门" in reply, reply  # the complaint goes on


@pytest.mark.parametrize(
    "message, service",
    [
        ("我在外地打工 驾驶证快到期了咋办", "driving_license_renewal"),
        ("我人在新疆上班，驾驶证过期了，能不能在新疆换，不想跑回海原", "driving_license_renewal"),
        ("驾照是在海原考的，现在人在江苏回不去，换证必须本人回去吗", "driving_license_renewal"),
        ("我替我妈办社保卡 要带啥", "social_security_card"),
    ],
)
def test_a_service_question_about_ones_situation_is_answered_not_filed(chat: Chat, message: str, service: str) -> None:
    replies = chat.say(message)
    answered = {(r.get("custom") or {}).get("service") for r in replies}
    offered = " ".join(b.get("payload") or "" for r in replies for b in r.get("buttons") or [])
    assert service in answered or f'"service": "{service}"' in offered, replies
    assert "/start_complaint" not in offered and "事情发生在哪里" not in render_texts(replies)


def render_texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


# Written for this test: a complaint about being sent back and forth that names services (医保报销, 异地就医备案)
# and money, and a plea whose words sound like a 一件事一次办 life event (孩子上学).
RUNAROUND_LETTER = (
    "尊敬的医保局领导：我母亲今年五月在银川住院做手术，花了六万多，因为走得急没办异地就医备案，只能先自己垫付。"
    "回来后我到县里的窗口办手工报销，第一次说缺转诊单，第二次说发票要盖章，第三次又说要补一个证明，"
    "前前后后跑了四趟，每次只说一样，钱到现在也没报下来。我想问问到底还缺什么，为什么不能一次说清楚？"
)
SCHOOL_PLEA_LETTER = (
    "各位领导好！我是关桥乡X村的，今年五十八岁，儿子前年在外打工出事走了，儿媳改嫁，两个孙子跟着我，一个上初一，"
    "一个上小学三年级。今年地里旱得几乎没收成，娃娃上学的生活费都凑不齐，我身体也不好，常年吃药。"
    "我不知道我们这种情况能不能得到一点帮助，村里让我问问上面，恳请领导帮帮我们。"
)


@pytest.mark.parametrize("letter", [RUNAROUND_LETTER, SCHOOL_PLEA_LETTER])
def test_a_letter_naming_services_or_a_life_event_is_read_as_a_letter(chat: Chat, letter: str) -> None:
    replies = chat.say(letter)
    assert understood(replies)["category"] in {"投诉", "求助"}, replies  # not three 收费 answers, not a checklist
    assert not any((r.get("custom") or {}).get("type") == "service_answer" for r in replies), replies
