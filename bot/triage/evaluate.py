"""Measure a triage on labelled messages: the figures of issue 16 (bench/triage and the dev split use this).

Type accuracy with its confusion matrix; department top-1 / top-3 and routed right at once (待分派 counts as a miss); urgency `now` false alarms and
misses; complaint / help recall (reaching the complaint flow: 投诉, 求助 or 举报); consultations put
into the complaint flow; kb_question precision and recall; latency per message after warm-up.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Sequence

from bot.triage.corpus import CATEGORIES, Example
from bot.triage.model import Triage

COMPLAINT_FLOW = {"投诉", "求助", "举报"}


def dev_split(examples: Sequence[Example], percent: int = 20) -> tuple[list[Example], list[Example]]:
    """A fixed split by a hash of the text: (train, dev). For development only, never the held-out set."""
    train: list[Example] = []
    dev: list[Example] = []
    for example in examples:
        bucket = int(hashlib.sha1(example.text.encode()).hexdigest(), 16) % 100
        (dev if bucket < percent else train).append(example)
    return train, dev


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def measure(examples: Sequence[Example], predict: Callable[[str], Triage], warmup: int = 20) -> dict:
    for example in list(examples)[:warmup]:
        predict(example.text)
    confusion: Counter = Counter()
    counts: Counter = Counter()
    latencies: list[float] = []  # wall clock, ms
    cpu: list[float] = []  # this thread's CPU time, ms (what a call costs without waiting for a core)
    letter_cpu: list[float] = []
    misses: list[dict] = []
    for example in examples:
        started, started_cpu = time.perf_counter(), time.thread_time()
        result = predict(example.text)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        if len(example.text) >= 150:
            letter_cpu.append(cpu[-1])
        if example.category:
            confusion[(example.category, result.category)] += 1
            counts["typed"] += 1
            counts["type_ok"] += example.category == result.category
            if example.category in {"投诉", "求助"}:
                counts["complaint_help"] += 1
                counts["complaint_help_ok"] += result.category in COMPLAINT_FLOW
            if example.category == "咨询":
                counts["consult"] += 1
                counts["consult_to_form"] += result.category in COMPLAINT_FLOW
            if example.category != result.category:
                misses.append({"text": example.text[:80], "want": example.category, "got": result.category})
        if example.department:
            top = [name for name, _ in result.departments]
            counts["routed"] += 1
            counts["top1"] += bool(top) and top[0] == example.department
            counts["top3"] += example.department in top
            counts["unassigned"] += result.department == "待分派"
            counts["routed_right"] += result.department == example.department
        if example.urgency:
            if example.urgency == "now":
                counts["now"] += 1
                counts["now_missed"] += result.urgency != "now"
            else:
                counts["not_now"] += 1
                counts["false_alarm"] += result.urgency == "now"
        if example.kb_question is not None:
            counts["kb_gold"] += example.kb_question
            counts["kb_pred"] += result.kb_question
            counts["kb_both"] += example.kb_question and result.kb_question
    return {
        "messages": len(examples),
        "type_accuracy": _ratio(counts["type_ok"], counts["typed"]),
        "confusion": {f"{gold}→{got}": n for (gold, got), n in sorted(confusion.items())},
        "confusion_labels": list(CATEGORIES),
        "complaint_help_recall": _ratio(counts["complaint_help_ok"], counts["complaint_help"]),
        "consult_to_complaint_form": _ratio(counts["consult_to_form"], counts["consult"]),
        "department_top1": _ratio(counts["top1"], counts["routed"]),
        "department_top3": _ratio(counts["top3"], counts["routed"]),
        "unassigned": _ratio(counts["unassigned"], counts["routed"]),
        "department_routed_right": _ratio(counts["routed_right"], counts["routed"]),  # 待分派 counts as a miss
        "emergency_false_alarms": _ratio(counts["false_alarm"], counts["not_now"]),
        "emergency_false_alarm_count": counts["false_alarm"],
        "emergency_present": counts["now"],
        "emergency_missed": counts["now_missed"],
        "kb_precision": _ratio(counts["kb_both"], counts["kb_pred"]),
        "kb_recall": _ratio(counts["kb_both"], counts["kb_gold"]),
        "latency_p50_ms": _percentile(latencies, 0.5),
        "latency_p95_ms": _percentile(latencies, 0.95),
        "cpu_p95_ms": _percentile(cpu, 0.95),
        "letter_cpu_p95_ms": _percentile(letter_cpu, 0.95) if letter_cpu else None,
        "letters": len(letter_cpu),
        "type_misses": misses,
    }


def confusion_table(result: dict) -> str:
    """The type confusion matrix as Markdown (rows: label, columns: prediction)."""
    labels = result["confusion_labels"]
    cells = result["confusion"]
    lines = ["| 标注 \\ 预测 | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for gold in labels:
        lines.append(f"| {gold} | " + " | ".join(str(cells.get(f"{gold}→{got}", 0)) for got in labels) + " |")
    return "\n".join(lines)
