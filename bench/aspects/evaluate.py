"""Does a service answer give the aspect asked (材料, 费用, 时限, 地点, 网办, 条件, 流程, 代办), or the whole card?

`questions.jsonl`: 114 citizen questions written for this measurement (2026-12-03, by someone who had not
read data/ or tests/nlu/), each naming one service and the aspect it asks about: 1-74 short ones (71-74
general: `card`), 75-114 longer, colloquial ones with a story around the question; 110-112 ask two parts
(`also`). Each is sent as a new conversation through the REST channel; a reply counts when it answers that
service (the `service_answer` marker) and its aspect is the one asked.

    .venv/bin/python -m bench.aspects.evaluate                 # starts the assistant on free ports
    .venv/bin/python -m bench.aspects.evaluate --url http://127.0.0.1:5005 --show-misses

Never copy these questions into data/ or tests/nlu/.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import uuid
from collections import Counter
from pathlib import Path

import requests

QUESTIONS = Path(__file__).with_name("questions.jsonl")


def answered(replies: list[dict]) -> list[tuple[str, str]]:
    """(service, aspect) of every service answer in the replies."""
    found = []
    for reply in replies:
        custom = reply.get("custom") or {}
        if custom.get("type") == "service_answer":
            found.append((str(custom.get("service")), str(custom.get("aspect"))))
    return found


def evaluate(url: str, show_misses: bool = False) -> dict:
    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    direct = right = two_asked = two_right = 0
    by_aspect: Counter = Counter()
    right_by_aspect: Counter = Counter()
    misses = []
    for q in questions:
        replies = requests.post(
            f"{url}/webhooks/rest/webhook",
            timeout=60,
            json={"sender": f"aspects-{uuid.uuid4().hex[:8]}", "message": q["text"]},
        ).json()
        answers = answered(replies)
        on_service = [aspect for service, aspect in answers if service == q["service"]]
        by_aspect[q["aspect"]] += 1
        if not on_service:
            misses.append((q, answers, "没有直接回答这个事项"))
            continue
        direct += 1
        if q["aspect"] in on_service:
            right += 1
            right_by_aspect[q["aspect"]] += 1
        else:
            misses.append((q, answers, "方面不对"))
        if q.get("also"):
            two_asked += 1
            two_right += q["aspect"] in on_service and q["also"] in on_service
    print("| 方面 | 问题 | 答对方面 |\n|---|---|---|")
    for aspect in sorted(by_aspect):
        print(f"| {aspect} | {by_aspect[aspect]} | {right_by_aspect[aspect]} |")
    print(f"\n{len(questions)} 个问题，直接回答了所问事项的 {direct} 个，其中答的正是所问方面的 {right} 个。")
    if two_asked:
        print(f"问了两个方面的 {two_asked} 个问题里，两个都答了的 {two_right} 个。")
    if show_misses:
        for q, answers, why in misses:
            print(f"#{q['id']} {q['text']}  想要 {q['service']}/{q['aspect']}  得到 {answers}  （{why}）")
    return {"questions": len(questions), "direct": direct, "right_aspect": right, "both_parts": two_right}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running assistant's Rasa URL (default: start one on free ports)")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    if args.url:
        evaluate(args.url, args.show_misses)
        return 0
    from bench.servers import start_haiyuan, wait_haiyuan
    from bot import training

    with tempfile.TemporaryDirectory(prefix="aspects-") as work:
        assistant = start_haiyuan(training.model_path(), Path(work), Path(work) / "logs")
        try:
            wait_haiyuan(assistant)
            evaluate(assistant.settings.rasa_url, args.show_misses)
        finally:
            assistant.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
