"""The citizens' web chat in a real browser (Debian's chromium, headless) against the real assistant.

The page is served by the backend (one port) and talks to the Rasa server (another port) over socket.io,
cross-origin; replies are checked on stable facts (menu titles, numbered options, card kinds, font sizes),
and where the conversation reached Rasa, in Rasa's own tracker. Screenshots go to tests/artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time

import pytest
import requests

from tests.conftest import rasa_auth

MENU = ["办事咨询", "一件事一次办", "投诉建议", "查询工单"]
PHONE = "13812345678"


@pytest.fixture(scope="module")
def chat_url(assistant) -> str:
    return f"{assistant.settings.backend_url}/chat"


@pytest.fixture(scope="module")
def rasa_url(assistant) -> str:
    return assistant.settings.rasa_url


def tracker(rasa_url: str, session_id: str) -> dict:
    response = requests.get(f"{rasa_url}/conversations/{session_id}/tracker", params=rasa_auth(), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def user_events(rasa_url: str, session_id: str) -> list:
    return [e for e in tracker(rasa_url, session_id)["events"] if e["event"] == "user"]


def eventually(check, timeout: float = 10):
    """Rasa saves the tracker after the turn's last reply went out: give it a moment."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def slot(rasa_url: str, session_id: str, name: str, expected) -> bool:
    return eventually(lambda: tracker(rasa_url, session_id)["slots"].get(name) is expected)


def user_texts(rasa_url: str, session_id: str, expected: list) -> list:
    """The texts of the conversation's user turns, once they are what is expected (or the timeout passed)."""
    texts = lambda: [e["text"] for e in user_events(rasa_url, session_id)]  # noqa: E731
    eventually(lambda: texts() == expected)
    return texts()


def luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground, background) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


STYLE_OF = """(selector) => [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length).map(e => {
  const s = getComputedStyle(e);
  let bg = null;  // the first non-transparent background up the tree
  for (let n = e; n && !bg; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c && !/rgba\\(.*,\\s*0\\)$/.test(c) && c !== 'transparent') bg = c;
  }
  return {fontSize: parseFloat(s.fontSize), lineHeight: parseFloat(s.lineHeight), height: e.getBoundingClientRect().height,
          color: s.color, background: bg || 'rgb(255, 255, 255)', outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth)};
})"""


def rgb(css: str):
    return [float(v) for v in re.findall(r"[\d.]+", css)[:3]]


def styles(chat, selector: str) -> list:
    found = chat.js(STYLE_OF, selector)
    assert found, f"nothing visible matches {selector}"
    return found


def test_conversation_over_socketio_cross_origin(open_chat, chat_url, rasa_url):
    chat = open_chat(chat_url)  # waits until socket.io has confirmed the session
    assert chat_url.split("/")[2] != rasa_url.split("/")[2]  # page and Rasa on different origins

    chat.js("""() => { window.__typing = 0; new MutationObserver(() => { if (!document.getElementById('typing').hidden)
      window.__typing += 1; }).observe(document.getElementById('typing'), {attributes: true}); }""")
    greeting = chat.say("你好")
    assert set(MENU) <= {title for entry in greeting for title in entry["buttons"]}
    assert chat.js("() => window.__typing") >= 1 and chat.page.locator("#typing").is_hidden()  # shown while waiting

    # A button in the bot's message: its title becomes the user's bubble, its payload goes to Rasa.
    bundles = chat.click(chat.choice("一件事一次办"))
    assert chat.user_texts()[-1] == "一件事一次办"
    assert sum(len(entry["buttons"]) for entry in bundles) >= 3

    # The quick menu above the conversation.
    chat.click(chat.page.locator(".quick-menu").get_by_role("button", name="办事咨询"))
    assert chat.user_texts()[-1] == "办事咨询"

    answer = chat.say("身份证丢了怎么办")
    guides = [entry for entry in answer if entry["kind"] == "guide"]
    assert guides and "身份证" in guides[0]["text"].splitlines()[0], answer
    assert int(chat.page.locator("article.guide h3").last.evaluate("h => getComputedStyle(h).fontWeight")) >= 600
    assert chat.no_horizontal_scroll()
    chat.screenshot("chat-conversation-360")

    expected = ["你好", "/menu_bundles", "/menu_services", "身份证丢了怎么办"]
    assert user_texts(rasa_url, chat.session_id, expected) == expected
    assert {e["input_channel"] for e in user_events(rasa_url, chat.session_id)} == {"socketio"}


def test_reload_keeps_session_and_transcript(open_chat, chat_url, rasa_url):
    chat = open_chat(chat_url)
    chat.say("你好")
    session, before = chat.session_id, chat.transcript()
    chat.page.reload()
    chat.wait_transport("socket.io")
    assert chat.session_id == session
    assert chat.transcript() == before
    chat.say("谢谢")  # the same Rasa conversation goes on
    assert user_texts(rasa_url, session, ["你好", "谢谢"]) == ["你好", "谢谢"]


def test_elderly_mode_large_text_and_simplified_dialogue(open_chat, chat_url, rasa_url):
    chat = open_chat(chat_url)
    normal_size = styles(chat, "body")[0]["fontSize"]
    toggle = chat.page.get_by_role("switch", name="长辈模式")
    chat.click(toggle)
    assert toggle.get_attribute("aria-checked") == "true"
    assert chat.user_texts()[-1] == "打开长辈模式"
    assert slot(rasa_url, chat.session_id, "elderly_mode", True)  # the dialogue switched too

    # Large text, line height, touch targets, contrast (MIIT 适老化: ≥ 18 pt text, ≥ 1.3 line spacing, 4.5:1).
    body = styles(chat, "body")[0]
    assert body["fontSize"] >= 20 > normal_size
    for bubble in styles(chat, "li.msg .bubble"):
        assert bubble["fontSize"] >= 20 and bubble["lineHeight"] >= 1.5 * bubble["fontSize"]
        assert contrast(rgb(bubble["color"]), rgb(bubble["background"])) >= 4.5
    for button in styles(chat, ".quick-menu button, .choices button, .read-aloud, #send, #elderly-toggle"):
        assert button["height"] >= 48 and button["fontSize"] >= 20
        assert contrast(rgb(button["color"]), rgb(button["background"])) >= 4.5

    # The dialogue answers in the simplified shape: at most 4 options, numbered, short bubbles.
    greeting = chat.say("你好")
    options = [title for entry in greeting for title in entry["buttons"]]
    assert 1 <= len(options) <= 4 and all(re.match(r"^\d \S", title) for title in options), options
    assert all(len(re.sub(r"\s", "", entry["text"])) <= 40 for entry in greeting), greeting
    assert chat.no_horizontal_scroll()
    chat.screenshot("chat-elderly-360")

    # Read-aloud: a 朗读 button per bot bubble, zh-CN speech; then automatic reading of new replies.
    readers = chat.page.locator("li.msg.bot[data-entry] .read-aloud")
    assert readers.count() >= 2 and readers.last.is_visible()
    readers.last.click()
    spoken = chat.js("() => window.__spoken")
    assert spoken[-1]["lang"] == "zh-CN" and greeting[-1]["text"].splitlines()[0] in spoken[-1]["text"]
    chat.page.get_by_role("button", name="菜单").click()  # 长辈模式 folds the tools away behind 菜单
    chat.page.get_by_label("自动朗读").check()
    chat.say("谢谢")
    assert len(chat.js("() => window.__spoken")) > len(spoken)  # the new reply is read out without a click

    # The mode is remembered by the page.
    chat.page.reload()
    chat.wait_transport("socket.io")
    assert chat.js("() => document.body.classList.contains('elderly')")
    chat.click(chat.page.get_by_role("switch", name="长辈模式"))
    assert styles(chat, "body")[0]["fontSize"] == normal_size
    assert slot(rasa_url, chat.session_id, "elderly_mode", False)


def test_elderly_mode_digit_answers_a_numbered_choice(open_chat, chat_url, rasa_url):
    chat = open_chat(chat_url)
    chat.click(chat.page.get_by_role("switch", name="长辈模式"))
    options = [title for entry in chat.say("你好") for title in entry["buttons"]]
    assert options and options[0].startswith("1 ")
    chat.say("1")  # the first option: 办事咨询 (/menu_services)

    def chose() -> bool:
        return any(
            e["parse_data"]["intent"]["name"] == "menu_services" for e in user_events(rasa_url, chat.session_id)[-2:]
        )

    assert eventually(chose), f"“1” did not choose {options[0]}"


def test_the_bot_switches_the_page_to_elderly_mode(open_chat, chat_url, rasa_url):
    """ "字太小了" is understood by the dialogue, whose {"type": "elderly_mode"} message switches the page."""
    chat = open_chat(chat_url)
    chat.say("字太小了")
    chat.page.wait_for_function("() => document.body.classList.contains('elderly')", timeout=5000)
    assert chat.page.get_by_role("switch", name="长辈模式").get_attribute("aria-checked") == "true"
    assert user_texts(rasa_url, chat.session_id, ["字太小了"]) == ["字太小了"]  # the page sent nothing more


def test_bundle_checklist_card_prints_alone(open_chat, chat_url, rasa_url):
    chat = open_chat(chat_url)
    chat.click(chat.page.locator(".quick-menu").get_by_role("button", name="一件事一次办"))
    turn = chat.click(chat.page.locator("li.msg.bot[data-entry] .choices button", has_text="退役").last)
    for _ in range(8):  # answer each question with its first option until the checklist comes
        if any(entry["kind"] == "checklist" for entry in turn):
            break
        turn = chat.click(chat.page.locator("li.msg.bot[data-entry] .choices").last.get_by_role("button").first)
    cards = [entry for entry in turn if entry["kind"] == "checklist"]
    assert len(cards) == 1, turn  # the text bubble became the card: no copy of the list next to it
    card = chat.page.locator("article.checklist").last
    title = card.locator("h3").inner_text()
    assert "退役军人" in title and card.locator("ol li").count() >= 3
    assert cards[0]["buttons"], "the checklist keeps the buttons of its message"
    assert chat.no_horizontal_scroll()
    chat.screenshot("chat-checklist-360")

    card.get_by_role("button", name="打印这份清单").click()
    assert chat.js("() => window.__printed") == 1
    chat.page.emulate_media(media="print")
    assert chat.js("() => getComputedStyle(document.querySelector('.app')).display") == "none"
    printed = chat.page.locator("#print-area article")
    assert printed.is_visible() and printed.locator("h3").inner_text() == title
    assert "一、" in printed.inner_text()  # the full checklist, also when the bubble showed a short one
    chat.screenshot("chat-checklist-print")
    chat.page.emulate_media(media="screen")

    # The checklist came through socket.io as a custom message (bot/web/socketio_channel.py).
    assert {e["input_channel"] for e in user_events(rasa_url, chat.session_id)} == {"socketio"}


def test_complaint_ends_with_a_ticket_card(open_chat, chat_url, rasa_url, assistant):
    chat = open_chat(chat_url)
    chat.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    turn = chat.say("我要投诉，县医院挂号窗口排队两个小时没人管")
    answers = [("哪里", "县医院"), ("什么时候", "昨天上午"), ("部门", "不知道"), ("称呼", "不留"), ("电话", PHONE)]
    for _ in range(10):  # answer what is asked, confirm what is offered
        if any(entry["kind"] == "ticket" for entry in turn):
            break
        question = turn[-1]
        buttons = [b for b in question["buttons"] if b.split()[-1] in {"同意", "确认", "确认提交", "提交"}]
        if buttons:
            turn = chat.click(chat.choice(buttons[0]))
            continue
        reply = next((answer for key, answer in answers if key in question["text"]), "不知道")
        turn = chat.say(reply)
    tickets = [entry for entry in turn if entry["kind"] == "ticket"]
    assert len(tickets) == 1, turn
    number = chat.page.locator("article.ticket .ticket-number").last.inner_text()
    assert re.fullmatch(r"HY\d{12}", number), number  # the backend is up: a real ticket number
    chat.page.locator("article.ticket").last.get_by_role("button", name=re.compile("复制")).click()
    chat.page.wait_for_function("() => document.querySelector('article.ticket .copy-state').textContent === '已复制'")
    assert chat.js("() => navigator.clipboard.readText()") == number
    chat.screenshot("chat-ticket-360")

    # The citizen's phone number is masked in the page and in what the page keeps.
    assert "138****5678" in chat.user_texts()
    assert PHONE not in chat.page.locator("#log").inner_text()
    assert PHONE not in chat.js("() => localStorage.getItem('haiyuan-chat:transcript')")
    # The ticket really exists in the backend.
    token = (assistant.settings.var_dir / "secrets" / "api_token").read_text().strip()
    response = requests.get(
        f"{assistant.settings.backend_url}/api/tickets/{number}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200 and response.json()["number"] == number


def test_custom_messages_and_escaping(open_chat, chat_url):
    """Custom messages the page must render or ignore, shown through the page's receive() hook."""
    chat = open_chat(chat_url)
    receive = "(m) => window.haiyuanChat.receive(m)"
    entries = lambda: chat.count("li.msg[data-entry]")  # noqa: E731

    # service_answer: 有用 / 没用 after that turn, sent as /answer_helpful, shown as 有用.
    chat.js(receive, {"text": "补办身份证要带户口簿。", "buttons": [{"title": "在哪里办？", "payload": "/ask_place"}]})
    chat.js(receive, {"type": "service_answer", "service": "id_card", "aspect": "materials"})
    chat.js(receive, {"text": "还想问什么？"})
    rows = chat.page.locator("li.msg[data-entry]")
    assert rows.last.locator(".feedback").is_visible()  # stays the last thing of the turn
    before = chat.count(chat.BOT)
    chat.click(rows.last.get_by_role("button", name="有用"))
    assert chat.user_texts()[-1] == "有用"
    assert chat.page.locator(".feedback button").first.is_disabled()
    assert chat.count(chat.BOT) > before  # the bot answered the payload

    # elderly_mode from the bot: the page follows, without sending anything itself.
    users = len(chat.user_texts())
    chat.js(receive, {"type": "elderly_mode", "on": True})
    assert chat.js("() => document.body.classList.contains('elderly')")
    chat.js(receive, {"custom": {"type": "elderly_mode", "on": False}})  # the REST shape
    assert not chat.js("() => document.body.classList.contains('elderly')")
    assert len(chat.user_texts()) == users

    # ticket card, over socket.io shape; unknown or broken custom messages are ignored.
    chat.js(receive, {"text": "已记下，不会丢。\n临时编号：Q123456"})
    chat.js(receive, {"type": "ticket", "reference": "Q123456", "queued": True})
    assert chat.page.locator("article.ticket .ticket-number").last.inner_text() == "Q123456"
    count = entries()
    for junk in (
        {"type": "fallback_step", "step": 1},
        {"type": "ticket"},
        {"type": "bundle_checklist", "text": 5},
        {"custom": "x"},
        {"type": None},
        None,
        42,
        "文本",
    ):
        chat.js(receive, junk)
    assert entries() == count
    assert chat.js("() => window.haiyuanChat.transport()") == "socket.io"

    # Text is text: markup from the bot or the citizen is shown, never run.
    chat.js(receive, {"text": '<img src=x onerror="window.__owned=1"><b>粗体</b>\n1. 第一\n2. 第二'})
    chat.page.fill("#message-input", "<script>window.__owned=2</script>")
    chat.page.press("#message-input", "Enter")
    time.sleep(0.5)
    assert chat.page.locator("#log img, #log b, #log script").count() == 0
    assert chat.js("() => window.__owned === undefined")
    assert "<b>粗体</b>" in chat.page.locator("#log").inner_text()

    # Long unbroken text still fits a 360 px screen.
    chat.js(receive, {"text": "HY" + "2026120100" * 12, "buttons": [{"title": "很长的按钮" * 8, "payload": "/help"}]})
    assert chat.no_horizontal_scroll()
    chat.screenshot("chat-custom-messages-360")


def test_keyboard_and_screen_reader(open_chat, chat_url):
    chat = open_chat(chat_url, viewport={"width": 1024, "height": 768})
    page = chat.page
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim()"))
    assert order[:8] == ["跳到输入框", "elderly-toggle", "new-chat", "rate-service", *MENU], order
    focused = styles(chat, ":focus")[0]
    assert focused["outline"] != "none" and focused["outlineWidth"] >= 2  # visible focus

    page.get_by_label("输入您的问题").focus()
    page.keyboard.type("你好")
    before = chat.count(chat.BOT)
    page.keyboard.press("Enter")
    chat.settle(before)
    assert page.locator("#announcer").get_attribute("aria-live") == "polite"
    assert "小助手说：" in page.locator("#announcer").inner_text()
    # Back from the input to the last option with Shift+Tab, and choose it with the keyboard.
    last_option = page.locator("li.msg.bot[data-entry] .choices button").last
    title = last_option.inner_text()
    for _ in range(6):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == title:
            break
    before = chat.count(chat.BOT)
    page.keyboard.press("Enter")
    chat.settle(before)
    assert chat.user_texts()[-1] == title


def test_server_down_shows_error_then_reconnects(open_chat, backend_with_rasa_down, relay, rasa_url):
    chat = open_chat(f"{backend_with_rasa_down.url}/chat", transport=None)
    status = chat.page.locator("#status")
    status.wait_for(state="visible", timeout=20000)
    assert status.get_attribute("role") == "alert" and "连不上" in status.inner_text()
    retry = chat.page.get_by_role("button", name="重试")
    assert retry.is_visible()

    chat.page.fill("#message-input", "你好")
    chat.page.press("#message-input", "Enter")
    chat.page.wait_for_selector("li.msg.user.failed .send-state")
    assert "未发出" in chat.page.locator("li.msg.user.failed").inner_text()
    assert chat.no_horizontal_scroll()
    chat.screenshot("chat-server-down-360")
    retry.click()  # still down: the error comes back
    chat.page.wait_for_function(
        "() => !document.querySelector('#status').hidden"
        " && document.querySelector('#status').getAttribute('role') === 'alert'",
        timeout=20000,
    )

    relay.start()  # the server is back: the page reconnects by itself and sends what was waiting
    try:
        chat.wait_transport("socket.io", timeout=40)
        chat.settle(0)
        assert status.is_hidden()
        assert chat.count("li.msg.user.failed") == 0
        assert user_texts(rasa_url, chat.session_id, ["你好"]) == ["你好"]
        chat.screenshot("chat-reconnected-360")
    finally:
        relay.stop()
    status.wait_for(state="visible", timeout=40000)  # and notices when it goes away again
