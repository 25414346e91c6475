"""The fixed conversation mixes: 海原政务小助手's (from the end-to-end tests) and rasa init's own bot's.

Each conversation yields messages, receives the reply text, and returns whether it reached its goal.
"""

from __future__ import annotations

import re
from collections.abc import Generator

import yaml

from bot.settings import ROOT

Conversation = Generator[str, str, bool]

_NEWBORN = yaml.safe_load((ROOT / "knowledge/bundles/newborn.yml").read_text(encoding="utf-8"))
_ID_CARD = yaml.safe_load((ROOT / "knowledge/services/id_card.yml").read_text(encoding="utf-8"))
NEWBORN_ANSWERS = {"local_hukou": "是", "married": "对", "need_ssc": "要", "need_insurance": "需要"}
CHECKLIST_MARK = "您的办事清单"
TICKET = re.compile(r"HY\d{12}|待分配 Q[0-9A-Z]{6}")


def greeting() -> Conversation:
    ok = "海原政务小助手" in (yield "你好")
    ok &= "不客气" in (yield "谢谢你")
    ok &= "再见" in (yield "再见")
    return ok


def service_questions() -> Conversation:
    """A service question and two follow-ups that carry the service over."""
    ok = "办事指南" in (yield "身份证丢了怎么办")
    ok &= str(_ID_CARD["materials"][0]["name"]) in (yield "要带什么材料")
    ok &= str((_ID_CARD.get("time_limit") or {}).get("legal", "")) in (yield "多久能拿到")
    return ok


def newborn_bundle() -> Conversation:
    """一件事一次办: answer each question the bundle asks, up to the checklist."""
    reply = yield "孩子刚出生要办啥"
    for _ in range(len(_NEWBORN["questions"]) + 1):
        if CHECKLIST_MARK in reply:
            return True
        question = next((q["id"] for q in _NEWBORN["questions"] if q["ask"] in reply), None)
        if question is None:
            return False
        reply = yield NEWBORN_ANSWERS[question]
    return CHECKLIST_MARK in reply


def complaint() -> Conversation:
    """The complaint form to the created ticket (as in tests/test_complaints_e2e.py)."""
    steps = [
        ("我要投诉，政务大厅窗口的工作人员态度太差了，让我来回跑了三趟", "在哪里"),
        ("县政务服务中心二楼", "什么时候"),
        ("11月20日上午", "哪个部门"),
        ("不知道", "称呼"),
        ("王先生", "电话"),
        ("13812345678", "同意"),
        ("同意", "请核对"),
    ]
    for message, expected in steps:
        if expected not in (yield message):
            return False
    return bool(TICKET.search((yield "确认提交")))


HAIYUAN_MIX: list = [greeting, service_questions, newborn_bundle, complaint]


# --- rasa init's default bot: greet / mood / bot challenge ----------------------------------------


def vanilla_happy() -> Conversation:
    ok = "how are you" in (yield "hello").lower()
    ok &= "carry on" in (yield "I am great").lower()
    ok &= "bye" in (yield "bye").lower()
    return ok


def vanilla_sad_helped() -> Conversation:
    ok = "how are you" in (yield "hi").lower()
    ok &= "did that help" in (yield "I am sad").lower()
    ok &= "carry on" in (yield "yes").lower()
    return ok


def vanilla_sad_not_helped() -> Conversation:
    ok = "how are you" in (yield "hey there").lower()
    ok &= "did that help" in (yield "very unhappy").lower()
    ok &= "bye" in (yield "no").lower()
    return ok


def vanilla_bot_challenge() -> Conversation:
    ok = "i am a bot" in (yield "are you a bot?").lower()
    ok &= "bye" in (yield "goodbye").lower()
    return ok


VANILLA_MIX: list = [vanilla_happy, vanilla_sad_helped, vanilla_sad_not_helped, vanilla_bot_challenge]
