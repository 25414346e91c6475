"""End-to-end: Chinese messages through the REST channel to the real Rasa server and action server."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import Chat

MENU = ["办事咨询", "一件事一次办", "投诉建议", "查询工单", "长辈模式"]


@pytest.mark.parametrize("hello", ["你好", "您好", "在吗", "hello", "你好 我想问个事"])
def test_greeting_shows_the_menu(chat: Chat, hello: str) -> None:
    reply = chat.text(hello)
    assert "海原政务小助手" in reply
    for item in MENU:
        assert f"[{item}]" in reply


@pytest.mark.parametrize(
    "message, expected",
    [
        ("谢谢你", "不客气"),
        ("再见", "再见"),
        ("你是机器人吗", "不是真人"),
        ("你是真人吗", "机器人"),
        ("转人工", "12345"),
        ("我要找真人", "12345"),
        ("长辈模式", "已打开长辈模式"),
        ("今天天气怎么样", "不在我的服务范围"),
        ("给我讲个笑话", "不在我的服务范围"),
        ("你怎么评价美国", "不在我的服务范围"),
        ("推荐个股票", "不在我的服务范围"),
    ],
)
def test_small_talk_and_scope(chat: Chat, message: str, expected: str) -> None:
    assert expected in chat.text(message)


def test_human_handoff_with_nobody_online_offers_12345_a_call_back_and_a_ticket(chat: Chat) -> None:
    """No staff member is 在线 in the console here (the live path is tested in tests/handoff/)."""
    replies = chat.say("转人工")
    assert "12345" in replies[0]["text"]
    payloads = {b["payload"] for b in replies[0]["buttons"]}
    assert {"/request_callback", "/start_complaint"} <= payloads


def test_fallback_ladder_first_rephrase_then_ticket(chat: Chat) -> None:
    first = chat.text("/nlu_fallback")
    assert "没完全理解" in first or "换个说法" in first
    second = chat.say("/nlu_fallback")
    assert "还是没能理解" in second[0]["text"]
    titles = [b["title"] for b in second[0]["buttons"]]
    assert "登记问题，让工作人员答复" in titles and "找人工" in titles
    # Understanding something resets the ladder.
    chat.say("你好")
    assert "还是没能理解" not in chat.text("/nlu_fallback")


@pytest.mark.parametrize("gibberish", ["咯哩咯哩嘎嘣脆", "那个那个就是那个啥", "哈哈哈哈啊发", "嗯嗯啊啊哦哦"])
def test_gibberish_is_never_answered_as_a_service(chat: Chat, gibberish: str) -> None:
    replies = chat.say(gibberish)
    markers = [r["custom"]["type"] for r in replies if r.get("custom")]
    assert "service_answer" not in markers, replies
    assert any(r.get("text") for r in replies)


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", "没有输入内容"),
        ("   \t  ", "没有输入内容"),
        ("😀😂👍", "看不懂表情"),
        ("？？？！！！", "看不懂表情"),
        ("How can I renew my ID card", "只能用中文"),
        ("Здравствуйте", "只能用中文"),
        ("\x00\x07\x1b", "没有输入内容"),
    ],
)
def test_bad_input_gets_a_polite_chinese_reply(chat: Chat, message: str, expected: str) -> None:
    assert expected in chat.text(message)


def test_mixed_script_and_full_width_input_is_understood(chat: Chat) -> None:
    assert "海原政务小助手" in chat.text("ｈｅｌｌｏ 你好😀")


def test_very_long_message_is_truncated_and_the_user_told(chat: Chat) -> None:
    letter = "我要反映一个问题，" + "村里的路坏了好几年了没人修，下雨天根本走不了。" * 220
    assert len(letter) > 5000
    reply = chat.text(letter)
    assert f"{len(letter)} 字" in reply and "前 500 字" in reply
    event = [e for e in chat.tracker()["events"] if e["event"] == "user"][-1]
    assert event["text"] == letter, "the whole letter is kept in the tracker"


def test_elderly_mode_shortens_replies(chat: Chat) -> None:
    normal = chat.say("你好")
    assert "长辈模式" in chat.text("字太小了")
    elderly = chat.say("你好")
    assert len(elderly[0]["text"]) < len(normal[0]["text"])
    assert [b["title"][0] for b in elderly[0]["buttons"]] == ["1", "2", "3", "4"]
    assert "普通模式" in chat.text("切换回普通模式")


def test_conversation_is_stored_in_the_sql_tracker_store(chat: Chat, assistant) -> None:
    chat.say("你好")
    chat.say("谢谢")
    db = assistant.settings.tracker_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT type_name, data FROM events WHERE sender_id = ?", (chat.sender,)).fetchall()
    assert sum(1 for kind, _ in rows if kind == "user") == 2
    assert any(json.loads(data).get("text") == "谢谢" for _, data in rows)


@pytest.mark.parametrize(
    "message", ["", "😀", "a" * 5000, "身份证" * 3000, "\u200b\u200b", "<script>alert(1)</script>"]
)
def test_no_input_crashes_the_server(chat: Chat, message: str) -> None:
    replies = chat.say(message)
    assert any(r.get("text") for r in replies), replies
    assert all(r.get("text") or r.get("custom") for r in replies), replies
