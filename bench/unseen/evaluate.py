"""How the running assistant answers citizens' messages it was never trained on.

`messages.jsonl` holds 150 messages written by someone who had not seen data/ (colloquial, dictated, typos,
long letters, emergencies, abuse, nonsense), each with the kind of reply a citizen should get. Never copy
them into data/: they measure what the training data does not cover.

    python3 -m bot run                       # in one terminal
    .venv/bin/python -m bench.unseen.evaluate [--url http://127.0.0.1:5005] [--show-misses]

Each message is sent as a new conversation through the REST channel; the first turn's reply is sorted into a
kind (service answer or choice, bundle started or offered, complaint form, status query, emergency, …) and
compared with the expected kind. A reply that offers the right thing as a button counts as right.
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from collections import Counter
from pathlib import Path

import requests

from bot.core.security import read_token_file
from bot.settings import ROOT

MESSAGES = Path(__file__).with_name("messages.jsonl")
ASPECT_NAMES = {"location": "place"}  # the file's aspect names → the reply's; the others are the same
ASPECT_NAMES.update({a: a for a in ("materials", "fee", "time_limit", "online", "eligibility", "steps")})


def reply_kinds(replies: list[dict]) -> set[str]:
    """Every kind a reply can be read as, e.g. {"service:id_card", "fallback"}."""
    kinds: set[str] = set()
    text = "\n".join(r.get("text") or "" for r in replies)
    for reply in replies:
        custom = reply.get("custom") or {}
        if custom.get("type") == "service_answer":
            kinds.add(f"service:{custom.get('service')}")
            kinds.add(f"aspect:{custom.get('aspect')}")
        if custom.get("type") in {"fallback", "abuse"}:
            kinds.add(custom["type"])
        if custom.get("type") == "letter" and custom.get("category") != "咨询":
            kinds.add("complaint")  # the form read the message as a complaint, help request, report or suggestion
    for reply in replies:
        for button in reply.get("buttons") or []:
            payload = button.get("payload") or ""
            if '"service"' in payload:
                kinds.add("service:" + payload.split('"service": "')[1].split('"')[0])
            if payload.startswith("/start_bundle"):
                kinds.add("bundle-offered:" + payload.split('"bundle": "')[1].split('"')[0])
            if payload == "/start_complaint" and "fallback" in kinds:
                kinds.add("complaint")  # not understood, but offered as a ticket at once
            if payload == "/start_complaint" and "请立刻打电话" in text:
                kinds.add("complaint")  # emergency numbers first, then the offer to register it
            if payload == "/human_handoff":
                kinds.add("human-offered")
    if "请立刻打电话" in text:
        kinds.add("emergency")
    if "12356" in text:
        kinds.add("self_harm")
    if "事情发生在哪里" in text or "大概是什么时候" in text or "请具体说说" in text:
        kinds.add("complaint")
    if "工单号" in text and "请输入" in text or "后四位" in text:
        kinds.add("status_query")
    if "人工" in text and ("服务时间" in text or "排队" in text or "接入" in text or "12345" in text):
        kinds.add("human")
    if "不在我的服务范围" in text:
        kinds.add("out_of_scope")
    if "看不懂表情" in text or "只能用中文" in text or "没完全理解" in text:
        kinds.add("bad_input")
    if "（第 1 问）" in text or "我问几个问题" in text:
        kinds.add("bundle-started")
    return kinds


def is_right(expect: str, kinds: set[str], started_bundle: str | None) -> bool:
    kind, _, detail = expect.partition(":")
    if kind == "service":
        service = detail.split("+")[0]
        return f"service:{service}" in kinds
    if kind == "bundle":
        return f"bundle-offered:{detail}" in kinds or started_bundle == detail
    if kind == "human":
        return "human" in kinds or "human-offered" in kinds
    if kind in {"chitchat"}:
        return not ({"fallback", "emergency"} & kinds)
    if kind == "abuse":
        return "abuse" in kinds
    if kind == "bad_input":
        return bool({"bad_input", "fallback", "out_of_scope"} & kinds)
    return kind in kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--token",
        default=os.environ.get("RASA_AUTH_TOKEN") or read_token_file(ROOT / "var" / "secrets" / "rasa_token"),
        help="Rasa's auth token (default: RASA_AUTH_TOKEN, else var/secrets/rasa_token)",
    )
    args = parser.parse_args()
    by_kind: Counter = Counter()
    right_by_kind: Counter = Counter()
    misses = []
    aspects_asked = aspects_right = 0
    for line in MESSAGES.read_text(encoding="utf-8").splitlines():
        message = json.loads(line)
        sender = f"unseen-{uuid.uuid4().hex[:8]}"
        replies = requests.post(
            f"{args.url}/webhooks/rest/webhook", timeout=60, json={"sender": sender, "message": message["text"]}
        ).json()
        kinds = reply_kinds(replies)
        started = None
        if "bundle-started" in kinds:  # which one: the form's slot
            tracker = requests.get(
                f"{args.url}/conversations/{sender}/tracker", params={"token": args.token}, timeout=30
            ).json()
            started = tracker["slots"].get("bundle")
        kind = message["expect"].split(":")[0]
        by_kind[kind] += 1
        if is_right(message["expect"], kinds, started):
            right_by_kind[kind] += 1
            if "+aspect:" in message["expect"] and any(k.startswith("aspect:") for k in kinds):
                aspects_asked += 1
                wanted = ASPECT_NAMES.get(message["expect"].split("+aspect:")[1], "")
                aspects_right += f"aspect:{wanted}" in kinds
        else:
            misses.append((message, kinds, replies))
    total, right = sum(by_kind.values()), sum(right_by_kind.values())
    print("| 类别 | 条数 | 回复对路 |\n|---|---|---|")
    for kind in sorted(by_kind):
        print(f"| {kind} | {by_kind[kind]} | {right_by_kind[kind]} |")
    print(f"| **合计** | {total} | **{right} ({right / total:.0%})** |")
    if aspects_asked:
        print(
            f"\n直接作答的事项问题里，答的正是所问方面（材料、费用……）的：{aspects_right}/{aspects_asked}；"
            "其余给了整张办事指南卡片或别的方面。"
        )
    if args.show_misses:
        for message, kinds, replies in misses:
            first = (replies[0].get("text") or "")[:60].replace("\n", " ") if replies else "（无回复）"
            print(f"\n#{message['id']} {message['expect']}  {message['text'][:50]}\n   → {sorted(kinds)} {first}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
