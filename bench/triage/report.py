"""`python3 -m bench --triage`: the triage on the held-out split bench/triage/heldout/*.jsonl.

The split was written by someone who never saw the training corpus; it is never trained on and never used
for tuning (development uses `python3 -m bot.triage dev`, a split of the training corpus). The report
gives type accuracy with the confusion matrix, department top-1 / top-3, emergency (urgency = now) false
alarms and misses, complaint / help recall, consultations that would reach the complaint form, and the
latency of one triage call, each against the targets of issue 16, plus the time a full training takes.
Results: bench/results/triage.md and triage.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from functools import lru_cache
from pathlib import Path

from bot.knowledge.safety import EMERGENCY, SELF_HARM
from bot.settings import ROOT
from bot.triage import model as triage_model
from bot.triage.corpus import load_examples, read_jsonl, staff_examples_path, training_files
from bot.triage.evaluate import confusion_table, measure

HELDOUT = ROOT / "bench" / "triage" / "heldout"
HELDOUT2 = ROOT / "bench" / "triage" / "heldout2"  # the second held-out split (2026-12-03): --triage-split heldout2
RESULTS = ROOT / "bench" / "results"

# (key, label, target, comparison) — the targets of issue 16
TARGETS = [
    ("type_accuracy", "诉求类型准确率", 0.80, ">="),
    ("complaint_help_recall", "投诉/求助召回（进入工单流程）", 0.90, ">="),
    ("consult_to_complaint_form", "咨询被当成投诉/求助/举报", 0.15, "<="),
    ("department_top1", "承办部门 top-1", 0.80, ">="),
    ("department_top3", "承办部门 top-3", 0.92, ">="),
    ("emergency_false_alarms", "紧急误报率（非 now 判为 now）", 0.005, "<="),
    ("emergency_missed", "漏报的正在发生的险情（条）", 0, "<="),
    ("dialogue_false_alarms", "对话中先给急救电话：误报率（NLU 的安全判断）", 0.005, "<="),
    ("dialogue_missed", "对话中漏报的正在发生的险情（条）", 0, "<="),
    ("triage_cpu_p95_ms", "一次分流 p95（CPU 时间，毫秒；长信，无长信时全部）", 5.0, "<="),
    ("training_seconds", "完整训练用时（秒）", 300.0, "<="),
]


def heldout_examples(directory: Path | None = None) -> list:
    directory = directory or HELDOUT
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise SystemExit(f"没有留出集：{directory}/*.jsonl")
    return [e for path in files for e in read_jsonl(path, f"heldout:{path.name}")]


def _met(value, target, comparison) -> bool | None:
    if value is None:
        return None
    return value >= target if comparison == ">=" else value <= target


def _fmt(key: str, value) -> str:
    if value is None:
        return "—"
    if key.endswith("_ms") or key.endswith("_seconds"):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    return f"{value:.1%}"


@lru_cache(maxsize=1)
def _agent(model_path: Path):
    """The trained Rasa model, loaded once for both held-out splits (about half a minute each time)."""
    from rasa.core.agent import Agent

    return Agent.load(str(model_path))


def dialogue_safety(examples: list, model_path: Path) -> dict:
    """What the dialogue does first with each message: the trained Rasa model's NLU (DIET, then the SafetyNet
    over safety words, tense cues and the triage) parses it; intent emergency or self_harm means the emergency
    numbers come before anything else. Counted against the urgency labels, like the triage's own figures."""
    agent = _agent(model_path)
    labelled = [e for e in examples if e.urgency]

    async def alarms() -> list[bool]:
        return [(await agent.parse_message(e.text))["intent"]["name"] in {EMERGENCY, SELF_HARM} for e in labelled]

    flags = asyncio.run(alarms())
    now = [flag for e, flag in zip(labelled, flags, strict=True) if e.urgency == "now"]
    other = [flag for e, flag in zip(labelled, flags, strict=True) if e.urgency != "now"]
    return {
        "dialogue_false_alarms": sum(other) / len(other) if other else None,
        "dialogue_false_alarm_count": sum(other),
        "dialogue_missed": sum(not flag for flag in now),
        "dialogue_model": model_path.name,
    }


def run(directory: Path | None = None, model_path: Path | None = None) -> dict:
    examples = heldout_examples(directory)
    files = training_files(None, staff_examples_path())
    assert not any(split in path.parents for split in (HELDOUT, HELDOUT2) for path in files), "held-out trained on"
    started = time.monotonic()
    fresh = triage_model.TriageModel().fit(load_examples(files, staff_examples_path()))
    training_seconds = time.monotonic() - started
    result = measure(examples, fresh.predict)
    result["training_seconds"] = training_seconds
    result["triage_cpu_p95_ms"] = result["letter_cpu_p95_ms"] or result["cpu_p95_ms"]
    result["trained_on"] = fresh.trained_on
    if model_path is not None:
        result.update(dialogue_safety(examples, model_path))
    result["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    result["targets"] = [
        {
            "key": key,
            "label": label,
            "target": target,
            "value": result.get(key),
            "met": _met(result.get(key), target, op),
        }
        for key, label, target, op in TARGETS
    ]
    return result


def markdown(result: dict) -> str:
    lines = [
        f"# 智能分流：留出集 {result['messages']} 条（训练 {result['trained_on']} 条；负载 {result['load_average']}）",
        "",
        "| 指标 | 目标 | 结果 | |",
        "|---|---|---|---|",
    ]
    for row in result["targets"]:
        op = (
            "≥"
            if row["key"] in {"type_accuracy", "complaint_help_recall", "department_top1", "department_top3"}
            else "≤"
        )
        mark = {True: "✅", False: "❌", None: "未测"}[row["met"]]
        lines.append(
            f"| {row['label']} | {op} {_fmt(row['key'], row['target'])} | {_fmt(row['key'], row['value'])} | {mark} |"
        )
    lines += [
        "",
        f"紧急：留出集中正在发生的险情 {result['emergency_present']} 条，漏报 {result['emergency_missed']}；"
        f"误报 {result['emergency_false_alarm_count']} 条（只看分流模型）"
        + (
            f"；对话中（Rasa 模型 {result['dialogue_model']} 的 NLU 安全判断）漏报 {result['dialogue_missed']}、"
            f"误报 {result['dialogue_false_alarm_count']} 条"
            if "dialogue_model" in result
            else ""
        )
        + f"。待分派比例 {_fmt('x', result['unassigned'])}，"
        f"直接派对（待分派算错）{_fmt('x', result['department_routed_right'])}；"
        f"kb_question 精确率 {_fmt('x', result['kb_precision'])}、召回 {_fmt('x', result['kb_recall'])}；"
        f"分流墙钟时间 p50 {result['latency_p50_ms']:.2f} ms、p95 {result['latency_p95_ms']:.2f} ms"
        f"（共享机器上含等待 CPU 的时间），CPU 时间 p95 {result['cpu_p95_ms']:.2f} ms；长信 {result['letters']} 封。",
        "",
        "诉求类型混淆矩阵（行：标注，列：预测）：",
        "",
        confusion_table(result),
        "",
    ]
    return "\n".join(lines)


def main(out: Path = RESULTS, directory: Path | None = None, model_path: Path | None = None) -> int:
    """One split (`directory`), or both held-out splits: triage.md/json for bench/triage/heldout,
    triage-heldout2.md/json for the second one."""
    splits = [(directory, "triage")] if directory else [(HELDOUT, "triage"), (HELDOUT2, "triage-heldout2")]
    out.mkdir(parents=True, exist_ok=True)
    for split, name in splits:
        if split is None or not split.is_dir():
            continue
        result = run(split, model_path)
        text = f"<!-- {split.relative_to(ROOT) if ROOT in split.parents else split.name} -->\n" + markdown(result)
        (out / f"{name}.md").write_text(text, encoding="utf-8")
        data = {k: v for k, v in result.items() if k != "type_misses"}
        (out / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        print(text, flush=True)
    return 0
