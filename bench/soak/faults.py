"""Fault injection: each process killed (SIGKILL) in the middle of a complaint and during its submit.

The launcher's supervisor (bot/launcher.py) restarts the killed process; the simulated citizen behaves as
the web page and the app do: a message that could not be sent is sent again once the service answers, a
「系统正忙」 reply with 「重新提交」 is followed by pressing it. Every complaint must end as exactly one ticket.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid

import requests

from bench.soak.traffic import COMPLAINT, TICKET, Rest, Tally, reply_text
from bot.launcher import Assistant

PROCESSES = {"backend": "工单后台", "actions": "动作服务", "rasa": "Rasa"}


def wait_all_healthy(assistant: Assistant, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(s.process is not None and s.process.poll() is None and s.healthy() for s in assistant.services):
            return
        time.sleep(1)
    raise TimeoutError("services did not come back after a fault")


def kill(assistant: Assistant, process: str) -> None:
    service = assistant.service(PROCESSES[process])
    os.killpg(service.started.pid, signal.SIGKILL)


def say_until_answered(rest: Rest, sender: str, text: str, assistant: Assistant) -> list[dict]:
    """Send like a client does: on a refused connection or a 5xx, wait for the service and send again."""
    for _ in range(3):
        try:
            response = rest.post(rest_body(sender, text))
            if response.status_code == 200:
                return response.json()
        except requests.RequestException:
            rest.tally.add(inputs=0)
        wait_all_healthy(assistant)
    return []


def rest_body(sender: str, text: str) -> bytes:
    from bench.soak.fuzz import json_body

    return json_body(sender, text)


def finish(rest: Rest, sender: str, replies: list[dict], assistant: Assistant) -> str:
    """After the fault: keep going until the citizen holds a ticket number or a Q reference."""
    for _ in range(4):
        found = TICKET.search(reply_text(replies))
        if found:
            return found.group(0)
        wait_all_healthy(assistant)
        retry = [b["payload"] for r in replies for b in r.get("buttons") or [] if "重新提交" in b.get("title", "")]
        if not retry and "请核对" not in reply_text(replies) and "系统正忙" not in reply_text(replies):
            for answer in COMPLAINT:  # the turn was lost with the process: answer the questions again
                say_until_answered(rest, sender, answer, assistant)
        replies = say_until_answered(rest, sender, retry[0] if retry else "确认提交", assistant)
    return ""


def scenario(assistant: Assistant, tally: Tally, process: str, moment: str) -> str:
    rest = Rest(assistant.settings.rasa_url, tally)
    sender = f"soak-fault-{process}-{moment}-{uuid.uuid4().hex[:6]}"
    tally.add(complaints_started=1)
    say_until_answered(rest, sender, f"我要投诉：{process} 故障测试，窗口办事拖拉", assistant)
    answers = list(COMPLAINT)
    if moment == "mid-form":
        for answer in answers[:3]:
            say_until_answered(rest, sender, answer, assistant)
        kill(assistant, process)
        time.sleep(0.5)
        for answer in answers[3:]:
            say_until_answered(rest, sender, answer, assistant)
        replies: list[dict] = say_until_answered(rest, sender, "确认提交", assistant)
    else:
        for answer in answers:
            say_until_answered(rest, sender, answer, assistant)
        replies = []
        submit = threading.Thread(
            target=lambda: replies.extend(say_until_answered(rest, sender, "确认提交", assistant))
        )
        submit.start()
        time.sleep(0.3)  # inside the submit: the action server is calling the backend
        kill(assistant, process)
        submit.join(900)
    reference = finish(rest, sender, replies, assistant)
    if reference:
        with tally._lock:
            tally.receipts[sender] = reference
    else:
        tally.problem(f"fault {process}/{moment}: no receipt for {sender}")
    return sender


def all_scenarios(assistant: Assistant, tally: Tally, processes: list[str]) -> list[str]:
    senders = []
    for process in processes:
        for moment in ("mid-form", "submit"):
            senders.append(scenario(assistant, tally, process, moment))
            wait_all_healthy(assistant)
    return senders
