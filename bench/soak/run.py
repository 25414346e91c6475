"""`python3 -m bench --soak [--messages N] [--socketio N] [--complaints N] [--faults backend,actions,rasa]`.

Starts the assistant as `python3 -m bot run` does (launcher with its supervisor, SQLite, free ports, a temp
var dir), then: fuzzed conversations over REST and socket.io, the malformed requests, N concurrent
complaints, each process killed mid-form and during submit, and finally every console page. Prints and
writes (bench/results/soak-latest.json, .md) the figures: inputs tried, HTTP 5xx, turns without a reply,
conversations left stuck, tickets expected vs created and duplicates, console pages failing afterwards.
Exit status 1 when any of them is not what it must be.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from bench.soak import faults, traffic
from bot import training
from bot.launcher import Assistant
from bot.settings import ROOT, Settings

RESULTS = ROOT / "bench" / "results"
CONSOLE_PAGES = ["/console/", "/console/inbox", "/console/dashboard", "/console/reports/monthly", "/console/tickets"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 -m bench --soak")
    parser.add_argument("--messages", type=int, default=10_000, help="fuzzed REST messages (default 10000)")
    parser.add_argument("--socketio", type=int, default=500, help="fuzzed socket.io messages (default 500)")
    parser.add_argument("--complaints", type=int, default=20, help="concurrent complaints (default 20)")
    parser.add_argument("--workers", type=int, default=8, help="conversations at a time (default 8)")
    parser.add_argument("--faults", default="backend,actions,rasa", help="processes to kill; '' for none")
    parser.add_argument("--seed", type=int, default=14)
    return parser.parse_args(argv)


def start(work: Path) -> Assistant:
    os.environ.update({"OUTBOX_POLL_SECONDS": "1", "OUTBOX_BASE_DELAY": "0.5"})
    from tests.support.sandbox import free_port

    var = work / "var"
    settings = Settings(
        rasa_port=free_port(),
        action_port=free_port(),
        backend_port=free_port(),
        var_dir=var,
        tracker_db_url=f"sqlite:///{var / 'tracker.db'}",
        database_url=f"sqlite:///{var / 'tickets.db'}",
        outbox_db_url=f"sqlite:///{var / 'outbox.db'}",
    )
    model = Path(os.environ["HAIYUAN_MODEL"]) if os.environ.get("HAIYUAN_MODEL") else training.model_path()
    assistant = Assistant(settings, model, log_dir=work / "logs")
    assistant.start(timeout=900)
    assistant.start_supervisor()
    return assistant


def tickets_by_conversation(assistant: Assistant, senders: list[str]) -> dict[str, list[str]]:
    token = (assistant.settings.var_dir / "secrets" / "api_token").read_text().strip()
    found = {}
    for sender in senders:
        response = requests.get(
            f"{assistant.settings.backend_url}/api/tickets",
            params={"conversation_id": sender},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        response.raise_for_status()
        found[sender] = [t["number"] for t in response.json()["items"]]
    return found


def wait_for_delivery(assistant: Assistant, senders: list[str], timeout: float = 120) -> dict[str, list[str]]:
    """Tickets queued in the outbox while the backend was down are delivered within seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = tickets_by_conversation(assistant, senders)
        if all(found.values()) or time.monotonic() > deadline:
            time.sleep(3)  # a few more delivery rounds: a duplicate would show now
            return tickets_by_conversation(assistant, senders)
        time.sleep(2)


def console_failures(assistant: Assistant) -> list[str]:
    """Every console page for an administrator after the soak (the inbox imports everything first)."""
    settings, password = assistant.settings, "Soak-console-2026!"
    env = {**settings.as_env(), "HAIYUAN_VAR_DIR": str(settings.var_dir)}
    command = [sys.executable, "-m", "bot.console.create_admin", "--username", "soak", "--password-stdin"]
    subprocess.run(command, input=password + "\n", text=True, env=env, cwd=ROOT, check=True, capture_output=True)
    http = requests.Session()
    login = http.get(f"{settings.backend_url}/console/login", timeout=30)
    found = CSRF.search(login.text)
    if found is None:
        return ["/console/login: no form"]
    token = found.group(1)
    http.post(
        f"{settings.backend_url}/console/login",
        data={"username": "soak", "password": password, "csrf_token": token},
        timeout=600,
    )
    failed = []
    for page in CONSOLE_PAGES:
        response = http.get(f"{settings.backend_url}{page}", timeout=600, allow_redirects=False)
        if response.status_code != 200:
            failed.append(f"{page}: {response.status_code}")
    return failed


def report(results: dict) -> str:
    t = results["tickets"]
    rows = [
        ("inputs tried (messages and requests)", results["inputs"]),
        ("HTTP 5xx", results["http_5xx"]),
        (
            "turns without a reply (REST) / unanswered (socket.io)",
            f"{results['empty_replies']} / {results['socketio_unanswered']}",
        ),
        ("conversations left stuck", results["stuck"]),
        ("malformed requests refused with 4xx", f"{results['malformed_refused']} of {results['malformed_total']}"),
        (
            "tickets expected / created / duplicates / lost",
            f"{t['expected']} / {t['created']} / {t['duplicates']} / {t['lost']}",
        ),
        ("receipts given (number or Q reference)", t["receipts"]),
        ("console pages failing afterwards", len(results["console_failures"])),
        ("duration", f"{results['seconds']:.0f} s"),
    ]
    lines = [f"# Soak {results['started']}", "", "| what | figure |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    if results["problems"]:
        lines += ["", "Problems (first ones):", *[f"- {p}" for p in results["problems"][:30]]]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    args = parse(argv)
    started, clock = datetime.now().strftime("%Y-%m-%d %H:%M:%S"), time.monotonic()
    tally = traffic.Tally()
    work = Path(tempfile.mkdtemp(prefix="haiyuan-soak-"))
    print(f"[soak] starting the assistant in {work} …", flush=True)
    assistant = start(work)
    url = assistant.settings.rasa_url
    try:
        print(f"[soak] {args.messages} fuzzed REST messages, {args.workers} at a time …", flush=True)
        traffic.fuzz_conversations(url, tally, args.messages, args.workers, args.seed)
        print(f"[soak] {args.socketio} fuzzed socket.io messages …", flush=True)
        traffic.socketio_conversations(url, tally, args.socketio, args.seed)
        malformed = traffic.fuzz.malformed_requests(__import__("random").Random(args.seed))
        print(f"[soak] {len(malformed)} malformed requests …", flush=True)
        traffic.malformed(url, tally, args.seed)
        print(f"[soak] {args.complaints} concurrent complaints …", flush=True)
        senders = traffic.concurrent_complaints(url, tally, args.complaints)
        for process in [p for p in args.faults.split(",") if p]:
            print(f"[soak] killing {process} mid-form and during submit …", flush=True)
            senders += faults.all_scenarios(assistant, tally, [process])
        print("[soak] checking tickets and the console …", flush=True)
        found = wait_for_delivery(assistant, senders)
        console = console_failures(assistant)
    finally:
        assistant.stop()
    counts = Counter({sender: len(numbers) for sender, numbers in found.items()})
    results: dict[str, Any] = {
        "started": started,
        "seconds": time.monotonic() - clock,
        "inputs": tally.inputs,
        "http_5xx": tally.http_5xx,
        "unexpected_status": tally.unexpected_status,
        "empty_replies": tally.empty_replies,
        "socketio_messages": tally.socketio_messages,
        "socketio_unanswered": tally.socketio_unanswered,
        "stuck": tally.stuck,
        "malformed_total": len(malformed),
        "malformed_refused": tally.malformed_refused,
        "malformed_accepted": tally.malformed_accepted,
        "tickets": {
            "expected": len(senders),
            "created": sum(counts.values()),
            "duplicates": sum(n - 1 for n in counts.values() if n > 1),
            "lost": sum(1 for n in counts.values() if n == 0),
            "receipts": sum(1 for s in senders if s in tally.receipts),
        },
        "console_failures": console,
        "problems": tally.problems,
        "logs": str(work / "logs"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak-latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    table = report(results)
    (RESULTS / "soak-latest.md").write_text(table, encoding="utf-8")
    print(table, flush=True)
    t = results["tickets"]
    ok = (
        results["http_5xx"] == 0
        and results["stuck"] == 0
        and results["empty_replies"] == 0
        and t["expected"] == t["created"]
        and t["duplicates"] == 0
        and not console
        and results["malformed_refused"] == results["malformed_total"]
    )
    return 0 if ok else 1
