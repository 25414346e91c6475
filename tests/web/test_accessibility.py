"""Accessibility for everyone (issue 17): the chat page passes axe-core (npm, injected into the page) with
no serious or critical violation, in both modes (the console: tests/console/test_console_usability.py); the chat works by keyboard alone
(人工客服, 菜单, choices) and new replies are announced to screen readers (aria-live)."""

from __future__ import annotations

import pytest

from tests.a11y import serious_violations
from tests.web.conftest import SPIES, ChatPage

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def chat_url(assistant) -> str:
    return f"{assistant.settings.backend_url}/chat"


@pytest.fixture
def csp_free(browser):
    """A browser context that lets the test inject axe.min.js past the pages' Content-Security-Policy."""
    contexts = []

    def make(viewport: dict = PHONE_390):
        context = browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True)
        context.add_init_script(SPIES)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_chat_passes_axe_in_both_modes(csp_free, chat_url):
    chat = ChatPage(csp_free(), chat_url).open()
    chat.say("身份证丢了咋补办")
    assert serious_violations(chat.page) == []
    chat.click(chat.page.get_by_role("switch", name="长辈模式"))
    chat.say("社保卡在哪办")
    assert serious_violations(chat.page) == []
    chat.page.get_by_role("button", name="菜单").click()
    assert serious_violations(chat.page) == []


def test_chat_by_keyboard_alone_with_replies_announced(csp_free, chat_url):
    chat = ChatPage(csp_free({"width": 1024, "height": 768}), chat_url).open()
    page = chat.page
    live = page.locator("#announcer")
    assert live.get_attribute("aria-live") == "polite"
    assert page.locator("#log").get_attribute("aria-live") is None  # announced once, not twice

    # Type, send with Enter: the reply is announced.
    page.get_by_label("输入您的问题").focus()
    page.keyboard.type("身份证丢了咋补办")
    before = chat.count(chat.BOT)
    page.keyboard.press("Enter")
    chat.settle(before)
    assert "身份证" in live.inner_text()

    # Tab from the input reaches 人工客服 and the send button; Enter on 人工客服 asks for a person.
    page.get_by_label("输入您的问题").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.id") == "human"
    before = chat.count(chat.BOT)
    page.keyboard.press("Enter")
    chat.settle(before)
    assert chat.user_texts()[-1] == "人工客服"
    assert any(word in live.inner_text() for word in ("人工", "12345"))

    # 长辈模式 by keyboard: the switch, then 菜单 opens the folded menu and focus goes into it.
    page.focus("#elderly-toggle")
    before = chat.count(chat.BOT)
    page.keyboard.press("Enter")
    chat.settle(before)
    page.focus("#menu-toggle")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.closest('.quick-menu') !== null")
    assert page.locator("#menu-toggle").get_attribute("aria-expanded") == "true"
