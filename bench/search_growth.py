"""Part of `--growth`: knowledge-base search with 50 services (the real ones) and with 500.

The 500-service base is the real knowledge/ copied to a temp dir plus generated variants of each real
service (9 per service: the same facts under a township's name, e.g. 「三河镇·居民身份证申领…」, with
aliases and keywords carrying that name), so the index, BM25 and the one-typo table hold ten times the
labels and documents. Timed in process: `bot.knowledge.search.search` on everyday questions (the
benchmark mix's and dictated or misspelt ones), p95 and CPU p95 per call after one warm-up call (the
index is built once per knowledge-base version).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from bot.common.paths import ROOT

TOWNS = ("三河镇", "七营镇", "李旺镇", "西安镇", "海城镇", "关桥乡", "贾塘乡", "郑旗乡", "树台乡")
QUERIES = (
    "身份证丢了怎么办",
    "社保卡丢了要带啥",
    "孩子刚出生要办啥",
    "医宝报销需要什么材料",
    "户口前移怎么弄",
    "营业执照在哪里办",
    "老年人高龄补贴怎么申请",
    "驾驶证到期了换证",
    "公积金提取要多久",
    "低保申请条件",
)
REPEAT = 20
MAX_GROWTH = 1.5


def scaled_copy(target: Path, variants: int) -> int:
    """knowledge/ into `target`, with `variants` township copies of each service; returns the service count."""
    shutil.copytree(ROOT / "knowledge", target)
    services = sorted((target / "services").glob("*.yml"))
    for path in services:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for town in TOWNS[:variants]:
            copy = dict(data)
            copy["id"] = f"{data['id']}_{TOWNS.index(town)}"
            copy["name"] = f"{town}·{data['name']}"
            if data.get("short_name"):
                copy["short_name"] = f"{town}{data['short_name']}"
            copy["aliases"] = [f"{town}{a}" for a in data.get("aliases") or []]
            copy["keywords"] = [town, *(data.get("keywords") or [])]
            (path.parent / f"{copy['id']}.yml").write_text(yaml.safe_dump(copy, allow_unicode=True), encoding="utf-8")
    return len(list((target / "services").glob("*.yml")))


def measure(root: Path) -> dict:
    from bot.knowledge.loader import KnowledgeBase
    from bot.knowledge.search import search

    kb = KnowledgeBase(root)
    started = time.process_time()
    search(kb, QUERIES[0])  # builds the index
    build_cpu_ms = (time.process_time() - started) * 1000
    walls, cpus = [], []
    for _ in range(REPEAT):
        for query in QUERIES:
            wall, cpu = time.perf_counter(), time.process_time()
            search(kb, query)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return {
        "services": len(kb.services),
        "errors": len(kb.errors),
        "index_build_cpu_ms": round(build_cpu_ms, 1),
        "p95_ms": round(statistics.quantiles(walls, n=20)[-1] * 1000, 2),
        "cpu_p95_ms": round(statistics.quantiles(cpus, n=20)[-1] * 1000, 2),
    }


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as work:
        small = measure(ROOT / "knowledge")
        scaled_copy(Path(work) / "knowledge", variants=9)
        large = measure(Path(work) / "knowledge")
    cpu_growth = large["cpu_p95_ms"] / max(small["cpu_p95_ms"], 1e-6)
    return {"small": small, "large": large, "cpu_growth": round(cpu_growth, 2), "ok": cpu_growth <= MAX_GROWTH}


def markdown(result: dict) -> str:
    small, large = result["small"], result["large"]
    return "\n".join(
        [
            f"## 知识库检索：{small['services']} 个事项与 {large['services']} 个事项（进程内，p95 / {REPEAT * len(QUERIES)} 次）",
            "",
            f"目标（本基准自定）：CPU p95 ≤ {MAX_GROWTH}×。",
            "",
            "| 事项数 | p95 ms | CPU p95 ms | 建索引 CPU ms | 知识库错误 |",
            "|---|---|---|---|---|",
            *(
                f"| {r['services']} | {r['p95_ms']} | {r['cpu_p95_ms']} | {r['index_build_cpu_ms']} | {r['errors']} |"
                for r in (small, large)
            ),
            "",
            f"CPU 倍数：{result['cpu_growth']}×，{'✅' if result['ok'] else '❌'}",
        ]
    )
