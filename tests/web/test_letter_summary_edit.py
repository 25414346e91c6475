"""A complaint letter to its summary in a real browser against the real assistant, phone in 长辈模式 and
desktop: the summary's 修改 offers the type and the department (issue 16), in 长辈模式 as four numbered
choices. Screenshots land in tests/artifacts/screenshots/."""

from __future__ import annotations

import pytest

PHONE_390 = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LETTER = (
    "尊敬的领导您好！感谢您百忙之中看我的信。我是海城镇南关村的村民，我们村的自来水从上个月开始三天两头停，"
    "一停就是两三天，老人孩子吃水都要去邻村拉，找村里和水务站都说在修，一直没有修好。恳请领导督促解决。"
)


@pytest.fixture(scope="module")
def chat_url(assistant) -> str:
    return f"{assistant.settings.backend_url}/chat"


def last_text(turn: list[dict]) -> str:
    return "\n".join(entry["text"] for entry in turn)


def walk_to_summary(chat, turn: list[dict], limit: int = 8) -> list[dict]:
    for _ in range(limit):
        text = last_text(turn)
        if "请核对" in text:
            return turn
        if "称呼" in text or "贵姓" in text:
            turn = chat.say("李女士")
        elif "同意" in text:
            turn = chat.say("同意")
        elif "电话" in text:
            turn = chat.say("13912345678")
        elif "部门" in text:
            turn = chat.say("不知道")
        elif "哪里" in text or "地方" in text:
            turn = chat.say("海城镇南关村")
        elif "什么时候" in text:
            turn = chat.say("上个月")
        else:
            raise AssertionError(f"unexpected question: {text}")
    raise AssertionError(f"no summary: {last_text(turn)}")


def test_the_summary_offers_type_and_department_on_a_phone_in_elderly_mode(open_chat, chat_url):
    chat = open_chat(chat_url, viewport=PHONE_390)
    chat.click(chat.page.get_by_role("switch", name="长辈模式"))
    summary = walk_to_summary(chat, chat.say(LETTER))
    assert "类别" in last_text(summary) and "部门" in last_text(summary)
    chat.screenshot("letter-summary-phone-390-elderly")
    choices = [title for entry in chat.say("修改") for title in entry["buttons"]]
    assert len(choices) <= 4 and any("类别" in c for c in choices) and any("部门" in c for c in choices), choices
    assert chat.no_horizontal_scroll()
    chat.screenshot("letter-summary-edit-phone-390-elderly")


def test_the_summary_offers_type_and_department_on_a_desktop(open_chat, chat_url):
    chat = open_chat(chat_url, viewport=DESKTOP)
    walk_to_summary(chat, chat.say(LETTER))
    choices = [title for entry in chat.say("修改") for title in entry["buttons"]]
    assert "改类别" in choices and "改涉及部门" in choices, choices
    chat.screenshot("letter-summary-edit-desktop")
