"""Part of `--growth`: one turn's tracker-store cost at the 5th and at the 100th message of a conversation.

Ours (bot/tracker_store.py, the `python3 -m bot run` default: Rasa's SQL store with protected events and
the latest sessions in memory) and Rasa's own SQLTrackerStore for comparison, each on a temp SQLite file
with the project's domain. A turn is what the Rasa server does with the store per message: retrieve the
tracker, add the user message, one bot reply and action_listen, save. Timed: retrieve + save (wall clock
and CPU). The whole server's cost per turn is bench/turn_cost.py (`--turns`).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from bot.common.paths import ROOT

CONVERSATIONS = 5
TURNS = (5, 100)


async def _turn(store, sender: str, n: int) -> tuple[float, float]:
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    wall, cpu = time.perf_counter(), time.process_time()
    tracker = await store.retrieve(sender)
    tracker.update(UserUttered(f"身份证丢了怎么办 {n}", {"name": "ask_service", "confidence": 0.9}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered("您好，这里是海原政务小助手。"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    return time.perf_counter() - wall, time.process_time() - cpu


async def _run(path: Path, ours: bool) -> dict:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.tracker_store import PrivateSQLTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    store = (PrivateSQLTrackerStore if ours else SQLTrackerStore)(domain, dialect="sqlite", db=str(path))
    timings: dict[int, list[tuple[float, float]]] = {n: [] for n in TURNS}
    for c in range(CONVERSATIONS):
        sender = f"growth-{c}"
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
        for n in range(1, max(TURNS) + 1):
            timing = await _turn(store, sender, n)
            if n in timings:
                timings[n].append(timing)
    out = {}
    for n, values in timings.items():
        out[n] = {
            "p95_ms": round(statistics.quantiles([w for w, _ in values], n=20)[-1] * 1000, 2),
            "cpu_p95_ms": round(statistics.quantiles([c for _, c in values], n=20)[-1] * 1000, 2),
        }
    return out


def _measure(ours: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-tracker-") as work:
        turns = asyncio.run(_run(Path(work) / "tracker.db", ours))
    first, last = turns[TURNS[0]], turns[TURNS[-1]]
    growth = last["p95_ms"] / max(first["p95_ms"], 1e-6)
    cpu_growth = last["cpu_p95_ms"] / max(first["cpu_p95_ms"], 1e-6)
    return {
        "turns": turns,
        "growth": round(growth, 2),
        "cpu_growth": round(cpu_growth, 2),
        "ok": cpu_growth <= 1.2,
    }


def run() -> dict:
    from cryptography.fernet import Fernet

    os.environ.setdefault("TRACKER_ENCRYPTION_KEY", Fernet.generate_key().decode())  # never var/secrets/
    return {**_measure(ours=True), "rasa": _measure(ours=False)}


def markdown(result: dict) -> str:
    lines = [
        f"## 对话轮次：第 {TURNS[0]} 轮与第 {TURNS[-1]} 轮（tracker store，SQLite，{CONVERSATIONS} 个对话）",
        "",
        "目标：第 100 轮 ≤ 1.2× 第 5 轮（只计 tracker store 的读取 + 保存，按 CPU）。",
        "",
        f"| 存储 | 第 {TURNS[0]} 轮 p95 ms | 第 {TURNS[-1]} 轮 p95 ms | 倍数 | CPU p95 ms | CPU 倍数 | 达成 |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, row in (("本项目（bot/tracker_store.py）", result), ("Rasa SQLTrackerStore", result["rasa"])):
        first, last = row["turns"][TURNS[0]], row["turns"][TURNS[-1]]
        lines.append(
            f"| {label} | {first['p95_ms']} | {last['p95_ms']} | {row['growth']}× | "
            f"{first['cpu_p95_ms']} → {last['cpu_p95_ms']} | {row['cpu_growth']}× | {'✅' if row['ok'] else '❌'} |"
        )
    return "\n".join(lines)
