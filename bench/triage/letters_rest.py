"""Letters through the REST channel of the running assistant, the way issue 16 measured them.

    python3 -m bench.triage.letters_rest                  # starts the assistant (as `bot run`) on free ports
    python3 -m bench.triage.letters_rest --url http://127.0.0.1:5005 --token …   # or a running one

Each labelled letter of a development file (default bench/triage/dev/dev.jsonl; never the held-out split) is
sent alone as a new conversation; the first turn's replies are read:
- complaint / help letters (投诉, 求助) that reach the complaint flow (the form's reading says 投诉/求助/举报,
  or its questions start);
- consultation letters (咨询) put into the complaint form with its location question 「事情发生在哪里」;
- the type the form would file (its reading's category) against the label;
- letters that get the emergency numbers first (请立刻打电话) although their hazard is only mentioned.
Results: bench/results/letters_rest.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

from bot.settings import ROOT

DEV = ROOT / "bench" / "triage" / "dev" / "dev.jsonl"
HELDOUT = ROOT / "bench" / "triage" / "heldout"
HELDOUT2 = ROOT / "bench" / "triage" / "heldout2"
RESULTS = ROOT / "bench" / "results"
COMPLAINT_FLOW = {"投诉", "求助", "举报"}
LOCATION_QUESTION = "事情发生在哪里"
EMERGENCY_FIRST = "请立刻打电话"


def letters(path: Path) -> list[dict]:
    if HELDOUT in path.resolve().parents or HELDOUT2 in path.resolve().parents:
        raise SystemExit("the held-out split is measured only by `python3 -m bench --triage`")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row.get("style") == "letter"]


def read_replies(replies: list[dict]) -> dict:
    """What the first turn did: the form's reading (category), its location question, emergency first."""
    text = "\n".join(r.get("text") or "" for r in replies)
    reading = next(((r.get("custom") or {}) for r in replies if (r.get("custom") or {}).get("type") == "letter"), {})
    first = (replies[0].get("text") or "") if replies else ""
    return {
        "category": reading.get("category"),
        "department": reading.get("department"),
        "location_question": LOCATION_QUESTION in text,
        "emergency_first": EMERGENCY_FIRST in first,
        "form": bool(reading) or LOCATION_QUESTION in text,
    }


def measure(rows: list[dict], send) -> dict:
    counts: Counter = Counter()
    misses = []
    for row in rows:
        seen = read_replies(send(row["text"]))
        kind = row["type"]
        counts["letters"] += 1
        counts["typed_right"] += seen["category"] == kind
        if kind in {"投诉", "求助"}:
            counts["complaint_help"] += 1
            counts["complaint_help_in_flow"] += seen["category"] in COMPLAINT_FLOW or (
                seen["form"] and seen["category"] is None
            )
        if kind == "咨询":
            counts["consult"] += 1
            counts["consult_location_question"] += seen["location_question"]
        if row.get("urgency") != "now":
            counts["not_now"] += 1
            counts["emergency_first_not_now"] += seen["emergency_first"]
        else:
            counts["now"] += 1
            counts["now_emergency_first"] += seen["emergency_first"]
        if seen["category"] != kind:
            misses.append({"want": kind, "got": seen["category"], "text": row["text"][:60]})

    def ratio(a: str, b: str) -> float | None:
        return counts[a] / counts[b] if counts[b] else None

    return {
        "counts": dict(counts),
        "type_right": ratio("typed_right", "letters"),
        "complaint_help_in_flow": ratio("complaint_help_in_flow", "complaint_help"),
        "consult_location_question": ratio("consult_location_question", "consult"),
        "emergency_first_not_now": ratio("emergency_first_not_now", "not_now"),
        "now_emergency_first": ratio("now_emergency_first", "now"),
        "misses": misses,
    }


def rest_sender(url: str):
    def send(text: str) -> list[dict]:
        sender = f"letters-{uuid.uuid4().hex[:10]}"
        response = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120)
        response.raise_for_status()
        return response.json()

    return send


def markdown(result: dict, source: str) -> str:
    c = result["counts"]

    def pct(value):
        return "—" if value is None else f"{value:.1%}"

    return "\n".join(
        [
            f"# 长信经 REST 渠道（{source}，{c.get('letters', 0)} 封）",
            "",
            "| 指标 | 目标 | 结果 |",
            "|---|---|---|",
            f"| 投诉/求助信进入工单流程 | ≥ 90% | {pct(result['complaint_help_in_flow'])}"
            f"（{c.get('complaint_help_in_flow', 0)}/{c.get('complaint_help', 0)}） |",
            f"| 咨询信被问「事情发生在哪里」 | ≤ 15% | {pct(result['consult_location_question'])}"
            f"（{c.get('consult_location_question', 0)}/{c.get('consult', 0)}） |",
            f"| 工单类别与来信类型一致 | ≥ 80% | {pct(result['type_right'])}"
            f"（{c.get('typed_right', 0)}/{c.get('letters', 0)}） |",
            f"| 只提到险情的信先给紧急电话 | ≤ 0.5% | {pct(result['emergency_first_not_now'])}"
            f"（{c.get('emergency_first_not_now', 0)}/{c.get('not_now', 0)}） |",
            f"| 正在发生的险情先给紧急电话 | 全部 | {c.get('now_emergency_first', 0)}/{c.get('now', 0)} |",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEV)
    parser.add_argument("--url", help="a running assistant's Rasa URL (default: start one on free ports)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = letters(args.file)
    assistant = None
    url = args.url
    if url is None:
        from bench import servers
        from bench.run import model_under_test

        work = Path(tempfile.mkdtemp(prefix="letters-rest-"))
        assistant = servers.start_haiyuan(model_under_test(), work, work / "logs")
        servers.wait_haiyuan(assistant)
        url = assistant.settings.rasa_url
    try:
        started = time.monotonic()
        result = measure(rows, rest_sender(url))
        result["seconds"] = round(time.monotonic() - started, 1)
    finally:
        if assistant is not None:
            assistant.stop()
    text = markdown(result, args.file.name)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "letters_rest.md").write_text(text, encoding="utf-8")
    (args.out / "letters_rest.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
