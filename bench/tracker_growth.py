"""Part of `--growth`: one turn's tracker-store cost at the 5th and at the 100th message of a conversation.

Rasa's own SQLTrackerStore (the `python3 -m bot run` default, SQLite) on a temp file with the project's
domain. A turn is what the Rasa server does with the store per message: retrieve the tracker, add the
user message, one bot reply and action_listen, save. Timed: retrieve + save (wall clock and CPU).
"""

from __future__ import annotations

import asyncio
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


async def _run(path: Path) -> dict:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
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


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-tracker-") as work:
        turns = asyncio.run(_run(Path(work) / "tracker.db"))
    first, last = turns[TURNS[0]], turns[TURNS[-1]]
    growth = last["p95_ms"] / max(first["p95_ms"], 1e-6)
    cpu_growth = last["cpu_p95_ms"] / max(first["cpu_p95_ms"], 1e-6)
    return {
        "turns": turns,
        "growth": round(growth, 2),
        "cpu_growth": round(cpu_growth, 2),
        "ok": growth <= 1.2,
    }


def markdown(result: dict) -> str:
    first, last = result["turns"][TURNS[0]], result["turns"][TURNS[-1]]
    return "\n".join(
        [
            f"## 对话轮次：第 {TURNS[0]} 轮与第 {TURNS[-1]} 轮（Rasa SQLTrackerStore，SQLite，{CONVERSATIONS} 个对话）",
            "",
            "目标：第 100 轮 ≤ 1.2× 第 5 轮（只计 tracker store 的读取 + 保存）。",
            "",
            "| 轮次 | p95 ms | CPU p95 ms |",
            "|---|---|---|",
            f"| 第 {TURNS[0]} 轮 | {first['p95_ms']} | {first['cpu_p95_ms']} |",
            f"| 第 {TURNS[-1]} 轮 | {last['p95_ms']} | {last['cpu_p95_ms']} |",
            f"| 倍数 | {result['growth']}× | {result['cpu_growth']}× |",
            "",
            f"达成：{'✅' if result['ok'] else '❌'}",
        ]
    )
