"""The benchmark's results as JSON and as a Markdown report with the targets beside the figures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

GB = 1024.0


def _fmt(value: Any, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}{unit}"
    return f"{value}{unit}"


def _levels(results: dict, bot: str) -> dict:
    return {run["concurrency"]: run for run in results.get("latency", {}).get(bot, [])}


def p95_ratios(results: dict) -> dict:
    ours, plain = _levels(results, "haiyuan"), _levels(results, "vanilla")
    ratios = {}
    for level in sorted(set(ours) & set(plain)):
        a, b = ours[level].get("p95_ms"), plain[level].get("p95_ms")
        ratios[level] = round(a / b, 2) if a and b else None
    return ratios


def targets(results: dict) -> list[dict]:
    """Each target of issue 9 with what was measured; met is None when not measured in this run."""
    rows = []
    ratios = [r for r in p95_ratios(results).values() if r is not None]
    rows.append(
        {
            "target": "对话 p95 ≤ 1.2 × 原版 Rasa 的 p95（各并发档）",
            "measured": " / ".join(f"{c} 并发 {r}×" for c, r in p95_ratios(results).items()) or None,
            "met": (max(ratios) <= 1.2) if ratios else None,
        }
    )
    rates = [run["messages_per_second"] for run in results.get("latency", {}).get("haiyuan", [])]
    rows.append(
        {
            "target": "每个 Rasa 实例 ≥ 40 条消息/秒",
            "measured": f"{max(rates):.1f} 条/秒" if rates else None,
            "met": (max(rates) >= 40) if rates else None,
        }
    )
    full = results.get("training", {}).get("full_seconds")
    rows.append(
        {
            "target": "完整训练 < 5 分钟",
            "measured": f"{full:.0f} 秒" if full else None,
            "met": (full < 300) if full else None,
        }
    )
    rss = results.get("memory", {}).get("rasa_mb")
    rows.append(
        {
            "target": "Rasa 服务常驻内存 < 1.5 GB",
            "measured": f"{rss / GB:.2f} GB" if rss else None,
            "met": (rss < 1.5 * GB) if rss else None,
        }
    )
    sqlite_runs = results.get("backend", {}).get("sqlite", {}).get("runs", [])
    best = max((r["creates_per_second"] for r in sqlite_runs), default=None)
    rows.append(
        {
            "target": "工单后台 SQLite ≥ 500 次创建/秒",
            "measured": f"{best:.0f} 次/秒" if best else None,
            "met": (best >= 500) if best else None,
        }
    )
    return rows


def markdown(results: dict) -> str:
    meta = results["meta"]
    out = [
        f"# 基准测试结果 {meta['started']}",
        "",
        f"模式 `{meta['mode']}` · Rasa {meta['rasa_version']} · {meta['cpus']} 核 · 开始时负载 "
        f"{meta['load_average']} · 提交 `{meta['commit']}` · 模型 `{meta['model']}` · 存储 "
        f"`{meta.get('stores', 'embedded')}`",
        "",
        "## 目标",
        "",
        "| 目标 | 实测 | 达成 |",
        "|---|---|---|",
    ]
    for row in results["targets"]:
        met = {True: "✅", False: "❌", None: "未测"}[row["met"]]
        out.append(f"| {row['target']} | {_fmt(row['measured'])} | {met} |")

    out += [
        "",
        "## 对话延迟（REST，每条消息）",
        "",
        "| 机器人 | 并发 | 消息数 | 条/秒 | p50 ms | p95 ms | p99 ms | 错误 | 空回复 | 对话 完成/未达目标 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    names = {"haiyuan": "海原政务小助手", "vanilla": "原版 Rasa (rasa init)"}
    for bot in ("haiyuan", "vanilla"):
        for run in results.get("latency", {}).get(bot, []):
            out.append(
                f"| {names[bot]} | {run['concurrency']} | {run['messages']} | {run['messages_per_second']:.1f} "
                f"| {_fmt(run['p50_ms'])} | {_fmt(run['p95_ms'])} | {_fmt(run['p99_ms'])} | {run['errors']} "
                f"| {run['empty_replies']} | {run['conversations']}/{run['conversations_failed']} |"
            )
    ratios = p95_ratios(results)
    if ratios:
        out += ["", "p95 与原版 Rasa 之比: " + "，".join(f"{c} 并发 **{r}×**" for c, r in ratios.items())]

    nlu = results.get("nlu")
    if nlu and "intent_macro_f1" in nlu:
        out += [
            "",
            "## NLU（留出集 tests/nlu/，`rasa test nlu`）",
            "",
            f"意图 macro-F1 **{nlu['intent_macro_f1']:.3f}**，准确率 {nlu['intent_accuracy']:.3f}，"
            f"实体 F1 **{_fmt(nlu['entity_f1'], digits=3)}**，{nlu['test_examples']} 条测试样例。",
            "",
            "| 最常混淆：真实意图 | 被判为 | 次数 |",
            "|---|---|---|",
        ]
        out += [f"| {p['intent']} | {p['predicted']} | {p['count']} |" for p in nlu["confused_pairs"]]
    elif nlu:
        out += ["", "## NLU", "", f"未完成: {nlu.get('error') or nlu.get('skipped')}"]

    training = results.get("training", {})
    out += ["", "## 训练", ""]
    if "full_seconds" in training:
        out.append(
            f"完整训练 **{training['full_seconds']:.0f} 秒**，增量训练（`--finetune`，加一条样例，"
            f"epoch 比例 {training['finetune_epoch_fraction']}）**{training['finetune_seconds']:.0f} 秒**，"
            f"模型 {training['model_mb']} MB。"
        )
    else:
        out.append(f"未测: {training.get('skipped') or training.get('error')}")
    vanilla = results.get("vanilla_bot", {})
    if vanilla:
        out.append(
            f"原版 Rasa 机器人: `rasa init` + 训练 {vanilla.get('init_and_train_seconds')} 秒"
            f"{'（来自缓存 bench/.cache/）' if vanilla.get('cached') else ''}。"
        )

    memory = results.get("memory", {})
    if memory:
        out += ["", "## 峰值常驻内存（VmHWM）", "", "| 进程 | MB |", "|---|---|"]
        labels = {
            "rasa_mb": "Rasa 服务",
            "actions_mb": "动作服务",
            "backend_mb": "工单后台",
            "vanilla_rasa_mb": "原版 Rasa 服务",
        }
        out += [f"| {labels[k]} | {_fmt(v)} |" for k, v in memory.items() if k in labels]

    backend = results.get("backend", {})
    if backend:
        out += [
            "",
            "## 工单后台：创建工单",
            "",
            "| 数据库 | 并发客户端 | 创建数 | 次/秒 | p50 ms | p99 ms | 错误 |",
            "|---|---|---|---|---|---|---|",
        ]
        for db in ("sqlite", "postgresql"):
            for run in backend.get(db, {}).get("runs", []):
                out.append(
                    f"| {db} | {run['clients']} | {run['creates']} | {run['creates_per_second']:.0f} "
                    f"| {run['p50_ms']} | {run['p99_ms']} | {run['errors']} |"
                )
            if backend.get(db, {}).get("error"):
                out.append(f"| {db} | — | 失败: {backend[db]['error']} | | | | |")
    profiles = dict(results.get("profiles") or {})
    for db in ("sqlite", "postgresql"):
        if backend.get(db, {}).get("profile"):
            profiles[f"backend-{db}-20"] = {"backend": backend[db]["profile"]}
    if profiles:
        out += ["", "## 采样剖析（py-spy，原始数据在 profiles/）", ""]
        for run, by_process in profiles.items():
            for process, data in by_process.items():
                if not data:
                    continue
                out += [f"**{run} · {process}**（{data['samples']} 个样本）", "", "| 含子调用占比 | 帧 |", "|---|---|"]
                out += [f"| {row['share']:.0%} | `{row['frame']}` |" for row in data["inclusive"]]
                out += ["", "| 自身占比 | 帧 |", "|---|---|"]
                out += [f"| {row['share']:.0%} | `{row['frame']}` |" for row in data["self"][:8]]
                out.append("")
    notes = results.get("notes") or []
    if notes:
        out += ["", "## 说明", ""] + [f"- {n}" for n in notes]
    return "\n".join(out) + "\n"


def write(results: dict, results_dir: Path) -> tuple[Path, Path]:
    results["targets"] = targets(results)
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = results["meta"]["started"].replace(":", "").replace("-", "").replace(" ", "-")
    json_path, md_path = results_dir / f"bench-{stamp}.json", results_dir / f"bench-{stamp}.md"
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    shutil.copy(json_path, results_dir / "latest.json")
    shutil.copy(md_path, results_dir / "latest.md")
    return json_path, md_path


def load(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
