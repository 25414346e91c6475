"""`python3 -m bench --turns`: what one message costs the servers as a conversation grows (issue 19).

The assistant as `python3 -m bot run` starts it (SQLite stores, temp var dir, free ports). One citizen at
a time plays TURNS messages in one conversation, a cycle of five (a service question, two follow-ups,
thanks, another service question), so turns 5, 50 and 100 are the same message. Per turn: the wall clock
of the REST request and the CPU time the Rasa server and the action server spent on it (the sum of
/proc/<pid>/task/*/schedstat over their threads, nanoseconds, read before and after the reply: one
request at a time, so the difference is that turn's work). CPU time is what to judge on the shared
machine: the wall clock there is mostly the wait for a core.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import requests

CYCLE = ("身份证丢了怎么办", "要带什么材料", "多久能拿到", "谢谢你", "社保卡丢了要带啥")
TURNS = 100
CONVERSATIONS = 3
SHOWN = (1, 5, 50, 100)
WINDOWS = ((1, 5), (46, 50), (96, 100))
MAX_GROWTH = 1.2  # issue 19: the 100th turn within 1.2× of the 5th


def cpu_seconds(pid: int) -> float:
    """CPU time of all threads of `pid` and its children (schedstat: ns on a CPU)."""
    import psutil

    total = 0
    try:
        pids = [pid] + [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    for p in pids:
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                total += int(Path(f"/proc/{p}/task/{task}/schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
    return total / 1e9


def play(url: str, sender: str, rasa_pid: int, action_pid: int, count: int = TURNS) -> list[dict]:
    turns = []
    with requests.Session() as http:
        for n in range(1, count + 1):
            message = CYCLE[(n - 1) % len(CYCLE)]
            rasa, action, wall = cpu_seconds(rasa_pid), cpu_seconds(action_pid), time.perf_counter()
            reply = http.post(url, json={"sender": sender, "message": message}, timeout=120)
            wall = time.perf_counter() - wall
            texts = [m.get("text") or "" for m in reply.json()] if reply.status_code == 200 else []
            turns.append(
                {
                    "turn": n,
                    "wall_ms": wall * 1000,
                    "rasa_cpu_ms": (cpu_seconds(rasa_pid) - rasa) * 1000,
                    "actions_cpu_ms": (cpu_seconds(action_pid) - action) * 1000,
                    "ok": reply.status_code == 200 and any(texts),
                }
            )
    return turns


def summarise(conversations: list[list[dict]]) -> dict:
    def median(turns: list[int], key: str) -> float:
        return round(statistics.median(c[t - 1][key] for c in conversations for t in turns), 1)

    keys = ("wall_ms", "rasa_cpu_ms", "actions_cpu_ms")
    shown = {t: {k: median([t], k) for k in keys} for t in SHOWN}
    windows = {f"{a}-{b}": {k: median(list(range(a, b + 1)), k) for k in keys} for a, b in WINDOWS}
    growth = shown[100]["rasa_cpu_ms"] / max(shown[5]["rasa_cpu_ms"], 1e-6)
    return {
        "turns": shown,
        "windows": windows,
        "rasa_cpu_growth": round(growth, 2),
        "failed_turns": sum(not t["ok"] for c in conversations for t in c),
        "ok": growth <= MAX_GROWTH,
    }


def run(model: Path, log_dir: Path) -> dict:
    from bench import servers

    with tempfile.TemporaryDirectory(prefix="bench-turns-") as work:
        assistant = servers.start_haiyuan(model, Path(work), log_dir)
        try:
            servers.wait_haiyuan(assistant)
            rasa, actions = assistant.service("Rasa"), assistant.service("动作服务")
            url = f"{assistant.settings.rasa_url}/webhooks/rest/webhook"
            play(url, "turns-warm-up", rasa.started.pid, actions.started.pid, count=10)  # first calls load things
            conversations = [
                play(url, f"turns-{c}", rasa.started.pid, actions.started.pid) for c in range(CONVERSATIONS)
            ]
        finally:
            assistant.stop()
    result = summarise(conversations)
    result["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return result


def markdown(result: dict) -> str:
    lines = [
        f"## 每轮成本：同一对话的第 1–{TURNS} 轮（{CONVERSATIONS} 个对话逐一进行，REST，SQLite，中位数）",
        "",
        f"目标：第 100 轮的 Rasa CPU ≤ {MAX_GROWTH}× 第 5 轮。负载均值 {result['load_average']}。",
        "",
        "| 轮次 | 耗时 ms | Rasa CPU ms | 动作服务 CPU ms |",
        "|---|---|---|---|",
    ]
    rows = [(f"第 {t} 轮", v) for t, v in result["turns"].items()]
    rows += [(f"第 {w} 轮（每轮）", v) for w, v in result["windows"].items()]
    for label, v in rows:
        lines.append(f"| {label} | {v['wall_ms']} | {v['rasa_cpu_ms']} | {v['actions_cpu_ms']} |")
    lines += [
        "",
        f"Rasa CPU 第 100 轮 / 第 5 轮：{result['rasa_cpu_growth']}×，"
        f"{'✅' if result['ok'] else '❌'}；没有回复的轮次：{result['failed_turns']}。",
    ]
    return "\n".join(lines)


def main(out: Path) -> int:
    import json

    from bench.run import model_under_test

    result = run(model_under_test(), out / "logs")
    text = markdown(result)
    out.mkdir(parents=True, exist_ok=True)
    (out / "turns.md").write_text(text + "\n", encoding="utf-8")
    (out / "turns.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(text)
    print(f"[bench] 结果: {out / 'turns.md'}")
    return 0
