"""The web chat page's own parts of this work, in a real browser: the notices (公告) above the conversation,
and the handoff states a citizen can reach without a staff member (queue timeout, cancelling)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import yaml

from actions.api.handoff import HandoffClient
from tests.handoff.conftest import Server, china_today
from tests.web.conftest import open_chat  # noqa: F401  (the shared browser-page fixture)


@pytest.fixture
def notices(handoff_server: Server):
    path = handoff_server.knowledge / "notices.yml"
    original = path.read_text(encoding="utf-8")
    today = china_today()
    path.write_text(
        yaml.safe_dump(
            {
                "notices": [
                    {
                        "id": "n-test-window",
                        "title": "元旦假期窗口服务时间调整",
                        "start": today - timedelta(days=1),
                        "end": today + timedelta(days=3),
                        "text": "1月1日至3日暂停窗口服务。\n网上办理不受影响。<b>不是粗体</b>",
                    },
                    {
                        "id": "n-test-system",
                        "title": "系统维护<i>今晚</i>",
                        "start": today,
                        "end": today,
                        "text": '今晚22点至23点系统维护。<img src=x onerror="window.__owned=1">',
                        "services": ["id_card"],
                    },
                    {
                        "id": "n-test-old",
                        "title": "已经过期的公告",
                        "start": today - timedelta(days=10),
                        "end": today - timedelta(days=1),
                        "text": "不应显示",
                    },
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    yield
    path.write_text(original, encoding="utf-8")


def test_notices_show_above_the_conversation_escaped_dated_and_dismissible(
    handoff_server: Server, notices, open_chat
) -> None:
    chat = open_chat(f"{handoff_server.url}/chat")
    region = chat.page.get_by_role("region", name="公告")
    region.wait_for(timeout=10000)
    cards = region.locator("article.notice")
    assert cards.count() == 2  # the expired one is not shown
    titles = cards.locator("h2").all_inner_texts()
    assert any("元旦假期窗口服务时间调整" in t for t in titles)
    assert any("系统维护<i>今晚</i>" in t for t in titles)  # text, never markup
    window = cards.filter(has_text="元旦假期")
    today, end = china_today() - timedelta(days=1), china_today() + timedelta(days=3)
    dates = window.locator(".notice-dates").inner_text()
    assert (
        dates.startswith("有效期：")
        and f"{end.month}月{end.day}日" in dates
        and f"{today.month}月{today.day}日" in dates
    )
    assert "<b>不是粗体</b>" in window.inner_text() and region.locator("b, i, img").count() == 0
    assert chat.js("() => window.__owned === undefined")
    # Above the conversation, and the greeting is still there below it.
    box, log = region.bounding_box(), chat.page.locator("#log").bounding_box()
    assert box["y"] + box["height"] <= log["y"] + 1
    assert "您好" in chat.page.locator("#log li.intro").inner_text()
    assert chat.no_horizontal_scroll()
    chat.screenshot("chat-notices-360")

    close = window.get_by_role("button", name="关闭公告：元旦假期窗口服务时间调整")
    close.click()
    assert cards.count() == 1
    chat.page.reload()
    chat.wait_transport("socket.io")
    assert chat.page.locator("#notices article.notice").count() == 1  # stays closed on this device
    chat.page.locator("#notices article.notice button").click()
    assert chat.page.locator("#notices").is_hidden()


def test_without_notices_there_is_no_notice_area(handoff_server: Server, open_chat) -> None:
    # The first load's own request is awaited (a reload could catch the first load's late answer, whose
    # body the browser has dropped by then).
    chat = open_chat(f"{handoff_server.url}/chat", opened=False)
    with chat.page.expect_response(lambda r: "/api/notices/active" in r.url) as answered:
        chat.open("socket.io")
    assert answered.value.ok and answered.value.json()["notices"] == []
    chat.page.wait_for_timeout(300)  # the page has rendered the (empty) answer
    assert chat.page.locator("#notices").is_hidden() and chat.page.locator("#notices article").count() == 0


def test_the_queue_times_out_with_12345_and_a_callback_button(api_backend: Server, api_staff, open_chat) -> None:
    """api_backend: a 3-second wait and no Rasa behind the page (offline is fine here, nothing is sent)."""
    api_backend.calendar()
    api_staff["dispatcher"].online()
    chat = open_chat(f"{api_backend.url}/chat", transport=None)
    answer = HandoffClient(base_url=api_backend.url, token=api_backend.token).request(f"web-{uuid.uuid4().hex}")
    chat.js("(m) => window.haiyuanChat.receive(m)", {"type": "handoff", **answer})
    assert (
        "排在第" in chat.page.locator("#handoff-bar").inner_text()
        or "前面还有" in chat.page.locator("#handoff-bar").inner_text()
    )
    line = chat.page.locator("li.notice-line", has_text="暂时没有工作人员接入")
    line.wait_for(timeout=15000)
    assert line.get_by_role("link", name="拨打 12345").get_attribute("href") == "tel:12345"
    assert line.get_by_role("button", name="预约回电").is_visible()
    assert chat.page.locator("#handoff-bar").is_hidden()
    assert chat.js("() => window.haiyuanChat.handoff()") is None
    chat.screenshot("chat-handoff-expired-360")
    api_staff["dispatcher"].away()


def test_cancelling_from_the_page(api_backend: Server, api_staff, open_chat) -> None:
    """取消排队 asks the dialogue (/cancel_handoff, action_cancel_handoff cancels); the page follows the backend."""
    api_backend.calendar()
    api_staff["dispatcher"].online()
    chat = open_chat(f"{api_backend.url}/chat", transport=None)
    answer = HandoffClient(base_url=api_backend.url, token=api_backend.token).request(f"web-{uuid.uuid4().hex}")
    # The REST shape of action_human_handoff's message: text, buttons and the custom part in one.
    chat.js(
        "(m) => window.haiyuanChat.receive(m)",
        {
            "text": "已为您转人工客服，前面还有 0 位。",
            "buttons": [{"title": "取消排队", "payload": "/cancel_handoff"}],
            "custom": {"type": "handoff", **answer},
        },
    )
    bar = chat.page.locator("#handoff-bar")
    bar.get_by_role("button", name="取消排队").click()
    assert chat.user_texts()[-1] == "取消排队"  # sent to the dialogue (offline here: it waits to be sent)
    # What the action does: cancel through the backend, then say so with {"type": "handoff", "status": "cancelled"}.
    HandoffClient(base_url=api_backend.url, token=api_backend.token).cancel(answer["request_id"])
    chat.js(
        "(m) => window.haiyuanChat.receive(m)",
        {"text": "好的，已取消转人工。", "custom": {"type": "handoff", "status": "cancelled"}},
    )
    chat.page.locator("li.notice-line", has_text="已取消排队").wait_for(timeout=10000)
    assert bar.is_hidden() and chat.js("() => window.haiyuanChat.handoff()") is None
    api_staff["dispatcher"].away()
