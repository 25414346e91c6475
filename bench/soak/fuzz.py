"""What the soak sends: citizens' messages with the characters that broke things, and malformed requests.

Messages are JSON text written by hand where needed, so a lone surrogate ("\\ud800") reaches the server as
JSON carries it. Everything is drawn from a seeded generator: a run can be repeated exactly.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

PHONE = "13912345678"

# Everyday messages the broken characters are mixed into.
BASE = [
    "身份证丢了咋补办",
    "社保卡要带啥材料",
    "办低保需要什么条件",
    "营业执照网上能办吗",
    "孩子刚出生要办啥",
    "我要投诉窗口态度差",
    "路灯坏了一个月没人修",
    "查询工单",
    "转人工",
    "你好",
    "谢谢",
    "领导您好，我是三河镇的村民，去年盖房子的补贴到现在还没发下来，想问问到底咋回事。",
    "字太小了看不清",
    "取消",
    "1",
    "不知道",
]
BROKEN = [
    "\ud800",
    "\udfff",
    "\udc80\ud83d",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\u0085",
    "\u200b\u200d",
    "\u202e",
    "\ufeff",
    "\ufffe",
    "\r\n",
    "\t",
    "😀",
    "👨‍👩‍👧",
    "🇨🇳",
]
MARKUP = [
    "<script>alert(1)</script>",
    "<b>投诉</b><img src=x onerror=alert(1)>",
    "'; DROP TABLE tickets;--",
    '{"sender": "x", "message": "y"}',
    "**加粗** [链接](http://127.0.0.1/)",
    "${jndi:ldap://127.0.0.1/a}",
    "{{7*7}}",
    "%s%s%s%n",
    "../../etc/passwd",
    "/restart",
    '/ask_fee{"service": "id_card"}',
    "/ask_fee{broken",
    "/no_such_intent",
    "/chitchat",
    "/",
    "/session_start",
]
LOOKALIKE_NUMBERS = [
    "１３９１２３４５６７８",
    "139 1234 5678",
    "139-1234-5678",
    "+86 13912345678",
    "1391234567",
    "139123456789",
    "l39l2345678",
    "一三九一二三四五六七八",
    "HY２０２６１２０３０００１",
    "hy-2026-1203-0001",
    "64010219900101123x",
    "6401021990010112345",
    "0955-1234567",
    "100块钱的事",
    "13912345678同意",
]


def _long_text(rng: random.Random) -> str:
    size = rng.choice([600, 2_000, 5_000, 19_000])
    piece = rng.choice(["一下雨就淹到院子里，", "窗口说材料不全让我回去，", "😡", "abc ", "\ud800"])
    return (rng.choice(BASE) + piece * size)[:size]


def message(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.30:
        text = rng.choice(BASE)
        cut = rng.randrange(len(text) + 1)
        return text[:cut] + "".join(rng.choices(BROKEN, k=rng.randint(1, 3))) + text[cut:]
    if kind < 0.45:
        return rng.choice(MARKUP)
    if kind < 0.65:
        return rng.choice(LOOKALIKE_NUMBERS)
    if kind < 0.70:
        return _long_text(rng)
    if kind < 0.75:
        return "".join(rng.choices(BROKEN, k=rng.randint(1, 8)))
    if kind < 0.80:
        return " " * rng.randint(0, 5)
    return rng.choice(BASE)


def json_body(sender: str, text: str, **extra) -> bytes:
    """The REST body with the text as JSON escapes (ensure_ascii keeps lone surrogates as \\udxxx)."""
    return json.dumps({"sender": sender, "message": text, **extra}, ensure_ascii=True).encode("ascii")


@dataclass
class Malformed:
    name: str
    body: bytes
    content_type: str = "application/json"


def malformed_requests(rng: random.Random) -> list[Malformed]:
    sender = f"soak-bad-{rng.randrange(10**8)}"
    return [
        Malformed("array body", b"[1, 2, 3]"),
        Malformed("string body", b'"\\u4f60\\u597d"'),
        Malformed("null body", b"null"),
        Malformed("number body", b"42"),
        Malformed("broken json", b'{"sender": "x", "message": '),
        Malformed("empty body", b""),
        Malformed("not utf-8", b'{"sender": "x", "message": "\xff\xfe"}'),
        Malformed("form encoded", b"sender=x&message=y", "application/x-www-form-urlencoded"),
        Malformed("missing sender", json.dumps({"message": "你好"}).encode()),
        Malformed("empty sender", json.dumps({"sender": "", "message": "你好"}).encode()),
        Malformed("sender default", json.dumps({"sender": "default", "message": "你好"}).encode()),
        Malformed("sender number", json.dumps({"sender": 42, "message": "你好"}).encode()),
        Malformed("sender with NUL", json_body("a\x00b", "你好")),
        Malformed("sender 201 chars", json_body("s" * 201, "你好")),
        Malformed("sender 1M chars", json_body("s" * 1_000_000, "你好")),
        Malformed("channel 51 chars", json_body(sender, "你好", input_channel="c" * 51)),
        Malformed("metadata list", json_body(sender, "你好", metadata=[1, 2])),
        Malformed("metadata channel 51", json_body(sender, "你好", metadata={"channel": "c" * 51})),
        Malformed("message number", json.dumps({"sender": sender, "message": 42}).encode()),
        Malformed("message object", json.dumps({"sender": sender, "message": {"a": 1}}).encode()),
        Malformed("message 20001 chars", json_body(sender, "字" * 20_001)),
        Malformed("body 10 MB", json_body(sender, "投" * 3_500_000)),
        Malformed("deep nesting", b'{"sender": "x", "message": "y", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    ]
