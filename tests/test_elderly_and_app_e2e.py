"""长辈模式 dialogue shape, numbered replies, and the app API's metadata, through the REST channel."""

from __future__ import annotations

import re

from tests.conftest import Chat

ELDERLY_MAX = 40


def bubbles(replies: list) -> list[str]:
    return [r["text"] for r in replies if r.get("text")]


def titles(replies: list) -> list[str]:
    return [b["title"] for r in replies for b in r.get("buttons") or []]


def test_a_digit_picks_the_numbered_button(chat: Chat) -> None:
    chat.say("你好")
    replies = chat.say("2")  # 2 = 一件事一次办
    assert any("一件事一次办" in t for t in bubbles(replies)), replies
    assert len(titles(replies)) >= 10  # the bundle menu


def test_a_digit_picks_among_services_offered(chat: Chat) -> None:
    choice = chat.say("公积金咋弄")
    offered = [b["payload"] for r in choice for b in r.get("buttons") or []]
    second = re.search(r'"service": "(\w+)"', offered[1]).group(1)
    chat.say("回复2")
    assert chat.tracker()["slots"]["service"] == second


def test_a_digit_with_nothing_to_pick_gets_a_polite_hint(chat: Chat) -> None:
    reply = chat.text("3")
    assert reply.strip() and ("数字" in reply or "直接说" in reply)


def test_elderly_mode_simplifies_the_whole_dialogue(chat: Chat) -> None:
    on = chat.say("老人用")
    assert {"type": "elderly_mode", "on": True} in [r.get("custom") for r in on]
    menu = chat.say("你好")
    assert [t.split(" ")[0] for t in titles(menu)] == ["1", "2", "3", "4"]
    assert all(len(b.replace("\n", "")) <= ELDERLY_MAX for b in bubbles(menu))
    # Answer with a digit: 1 = 办事咨询
    assert "直接说" in "\n".join(bubbles(chat.say("1")))
    # A service answer: the three main points in short lines of one bubble, then "更多"
    answer = chat.say("社保卡丢了要带啥")
    assert len(bubbles(answer)) == 1, bubbles(answer)
    assert all(len(line) <= ELDERLY_MAX for line in bubbles(answer)[0].splitlines()), bubbles(answer)
    # A dead end offers a person
    lost = chat.say("咯哩咯哩嘎嘣")
    assert any("人" in t for t in titles(lost)), titles(lost)
    off = chat.say("普通模式")
    assert {"type": "elderly_mode", "on": False} in [r.get("custom") for r in off]


def test_bundle_in_elderly_mode_asks_one_question_with_numbered_options(chat: Chat) -> None:
    chat.say("长辈模式")
    replies = chat.say("我要退休了要办啥")
    assert all(len(b.replace("\n", "")) <= ELDERLY_MAX + 20 for b in bubbles(replies)), bubbles(replies)
    assert [t.split(" ")[0] for t in titles(replies)][:2] == ["1", "2"]
    question = bubbles(chat.say("1"))[-1]  # 1 = the first option, the next question follows
    assert question.count("？") <= 1


def test_app_metadata_turns_on_elderly_mode(chat: Chat) -> None:
    replies = chat.say("你好", metadata={"elderly_mode": True, "channel": "我的宁夏APP"})
    assert [t.split(" ")[0] for t in titles(replies)] == ["1", "2", "3", "4"]
    normal = chat.say("你好", metadata={"elderly_mode": False, "channel": "我的宁夏APP"})
    assert "长辈模式" in titles(normal)
