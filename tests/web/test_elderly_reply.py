"""长辈模式 on a phone (390×844), in a real browser against the real assistant (issue 17, defect 7):
one reply is one bubble with one 朗读, the page shows the reply from its start, the header and the menu
fold away, and 「更多」 keeps the short wording and the numbered choices. Screenshots of both modes land in
tests/artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

PHONE_390 = {"width": 390, "height": 844}
NUMBERED = re.compile(r"^\d \S")

# Where the reply starts (its first bot entry after the last user bubble) relative to the conversation area.
REPLY_START = """() => {
  const items = [...document.querySelectorAll('li.msg[data-entry]')];
  let i = items.length - 1;
  while (i >= 0 && !items[i].classList.contains('user')) i--;
  const first = items[i + 1], wrap = document.querySelector('.log-wrap').getBoundingClientRect();
  const top = first.getBoundingClientRect().top;
  return {top: top - wrap.top, bottom: wrap.bottom - top, height: wrap.height};
}"""


@pytest.fixture(scope="module")
def chat_url(assistant) -> str:
    return f"{assistant.settings.backend_url}/chat"


def text_bubbles(turn: list[dict]) -> list[dict]:
    return [entry for entry in turn if entry["kind"] != "feedback"]


def test_elderly_reply_is_one_bubble_shown_from_its_start(open_chat, chat_url):
    chat = open_chat(chat_url, viewport=PHONE_390)
    page = chat.page
    answer = chat.say("身份证丢了咋补办")
    assert len(text_bubbles(answer)) >= 1
    chat.screenshot("chat-phone-390-normal")

    chat.click(page.get_by_role("switch", name="长辈模式"))
    # The header is one short row; the menu and the tools fold away behind 菜单.
    assert page.locator(".quick-menu").is_hidden() and page.locator("#new-chat").is_hidden()
    header = page.locator(".topbar").bounding_box()
    assert header["height"] <= 0.12 * PHONE_390["height"], header
    menu = page.get_by_role("button", name="菜单")
    assert menu.get_attribute("aria-expanded") == "false"

    turn = chat.say("身份证丢了咋补办")
    bubbles = text_bubbles(turn)
    assert len(bubbles) == 1, turn  # one reply, one bubble …
    reply = page.locator("li.msg.bot[data-entry]").filter(has=page.locator(".bubble")).last
    assert reply.locator(".read-aloud").count() == 1  # … with one 朗读
    assert page.locator("li.msg.bot[data-entry]").last.locator(".read-aloud").count() <= 1
    text = bubbles[0]["text"]
    assert "身份证" in text.splitlines()[0] and "还在核实" in text.splitlines()[-1]  # the answer first, the note last
    options = bubbles[0]["buttons"]
    assert options and all(NUMBERED.match(title) for title in options), options
    assert any("看全部" in title for title in options), options
    start = chat.js(REPLY_START)
    assert 0 <= start["top"] < 0.25 * start["height"], start  # the reply's first line is at the top
    assert chat.no_horizontal_scroll()
    chat.screenshot("chat-phone-390-elderly")

    # 「更多」: every point, still the short 长辈模式 wording, one bubble, numbered choices.
    more = text_bubbles(chat.say("更多"))
    assert len(more) == 1, more
    lines = [line for line in more[0]["text"].splitlines() if line.strip()]
    first_lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) > len(first_lines) - 1, more  # more points than the first answer showed
    assert "办事指南" not in more[0]["text"] and "说明：" not in more[0]["text"]
    assert all(len(line) <= 40 for line in lines), lines
    assert more[0]["buttons"] and all(NUMBERED.match(title) for title in more[0]["buttons"]), more
    assert 0 <= chat.js(REPLY_START)["top"] < 0.25 * PHONE_390["height"]
    chat.screenshot("chat-phone-390-elderly-more")

    # 菜单 unfolds the menu; choosing from it folds it again.
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true" and page.locator(".quick-menu").is_visible()
    chat.screenshot("chat-phone-390-elderly-menu")
    chat.click(page.locator(".quick-menu").get_by_role("button", name="办事咨询"))
    assert page.locator(".quick-menu").is_hidden()
