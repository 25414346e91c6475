"""The soak's traffic: fuzzed conversations over REST and socket.io, malformed requests, complaints end to end.

Every figure the soak reports is counted here: requests, HTTP 5xx, other unexpected statuses, turns without
a reply, conversations left stuck (the next message unanswered or the action loop tripped), tickets.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
import uuid
from dataclasses import dataclass, field

import requests

from bench.soak import fuzz
from bot.dialogue_guard import STUCK

TICKET = re.compile(r"HY\d{12}|Q[2-9A-HJ-NP-Z]{6}")


@dataclass
class Tally:
    inputs: int = 0
    http_5xx: int = 0
    unexpected_status: int = 0
    empty_replies: int = 0
    stuck: int = 0
    malformed_refused: int = 0
    malformed_accepted: list[str] = field(default_factory=list)
    socketio_messages: int = 0
    socketio_unanswered: int = 0
    complaints_started: int = 0
    receipts: dict[str, str] = field(default_factory=dict)  # sender → ticket number or Q reference
    problems: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def problem(self, text: str) -> None:
        with self._lock:
            if len(self.problems) < 200:
                self.problems.append(text[:300])


def reply_text(replies: list[dict]) -> str:
    return "\n".join(
        (r.get("text") or "") + "".join(b.get("title", "") for b in r.get("buttons") or []) for r in replies
    )


class Rest:
    def __init__(self, rasa_url: str, tally: Tally):
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.tally = tally
        self.http = requests.Session()

    def post(self, body: bytes, content_type: str = "application/json", timeout: float = 180) -> requests.Response:
        self.tally.add(inputs=1)
        response = self.http.post(self.url, data=body, headers={"Content-Type": content_type}, timeout=timeout)
        if response.status_code >= 500:
            self.tally.add(http_5xx=1)
            self.tally.problem(f"5xx {response.status_code} for {body[:80]!r}")
        return response

    def say(self, sender: str, text: str) -> list[dict] | None:
        response = self.post(fuzz.json_body(sender, text))
        if response.status_code == 200:
            replies = response.json()
            if not reply_text(replies).strip():
                self.tally.add(empty_replies=1)
                self.tally.problem(f"no reply to {text[:60]!r} ({sender})")
            return replies
        if response.status_code not in (400, 413):
            self.tally.add(unexpected_status=1)
            self.tally.problem(f"status {response.status_code} for {text[:60]!r}")
        return None

    def check_not_stuck(self, sender: str) -> None:
        replies = self.say(sender, "你好") or []
        text = reply_text(replies)
        if not text.strip() or STUCK in text:
            self.tally.add(stuck=1)
            self.tally.problem(f"conversation {sender} stuck: {text[:80]!r}")


def fuzz_conversations(rasa_url: str, tally: Tally, messages: int, workers: int, seed: int) -> None:
    """`messages` fuzzed messages in conversations of 1–8 turns, `workers` conversations at a time."""
    per_worker = messages // workers

    def worker(index: int) -> None:
        rng, rest = random.Random(seed * 1000 + index), Rest(rasa_url, tally)
        sent = 0
        while sent < per_worker:
            sender = f"soak-{index}-{uuid.uuid4().hex[:8]}"
            for _ in range(min(rng.randint(1, 8), per_worker - sent)):
                text = fuzz.message(rng)
                try:
                    replies = rest.say(sender, text)
                except requests.RequestException as error:
                    tally.problem(f"request failed: {type(error).__name__}")
                    replies = None
                sent += 1
                if replies and STUCK in reply_text(replies):
                    tally.add(stuck=1)
                    tally.problem(f"action loop tripped on {text[:60]!r}")
            rest.check_not_stuck(sender)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def malformed(rasa_url: str, tally: Tally, seed: int) -> None:
    rest = Rest(rasa_url, tally)
    for request in fuzz.malformed_requests(random.Random(seed)):
        try:
            response = rest.post(request.body, request.content_type, timeout=60)
        except requests.RequestException:  # the server may close a connection it refuses to read
            tally.add(malformed_refused=1)
            continue
        if 400 <= response.status_code < 500:
            tally.add(malformed_refused=1)
        else:
            tally.malformed_accepted.append(f"{request.name}: {response.status_code}")


def socketio_conversations(rasa_url: str, tally: Tally, messages: int, seed: int, concurrent: int = 5) -> None:
    """Fuzzed messages over socket.io (the web chat's transport); each must get a bot_uttered back."""
    import socketio

    async def one(index: int, count: int) -> None:
        rng = random.Random(seed * 7919 + index)
        client, got = socketio.AsyncClient(reconnection=False), asyncio.Queue[dict]()
        client.on("bot_uttered", lambda data: got.put_nowait(data))
        await client.connect(rasa_url, transports=["polling"], socketio_path="/socket.io", wait_timeout=30)
        session = f"soak-sio-{index}-{uuid.uuid4().hex[:8]}"
        await client.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.3)
        for _ in range(count):
            text = fuzz.message(rng)
            tally.add(inputs=1, socketio_messages=1)
            await client.emit("user_uttered", {"message": text, "session_id": session})
            try:
                await asyncio.wait_for(got.get(), timeout=120)
                await asyncio.sleep(0.3)  # the rest of the turn's bubbles
                while not got.empty():
                    got.get_nowait()
            except TimeoutError:
                tally.add(socketio_unanswered=1)
                tally.problem(f"socket.io: no reply to {text[:60]!r}")
        await client.disconnect()

    async def main() -> None:
        per = max(1, messages // concurrent)
        await asyncio.gather(*(one(i, per) for i in range(concurrent)))

    asyncio.run(main())


COMPLAINT = ["政务服务中心", "昨天上午", "不知道", "不留", fuzz.PHONE, "同意"]


def complaint(rest: Rest, tally: Tally, opening: str, sender: str | None = None) -> str:
    """One complaint to its receipt; returns the sender. The receipt's number is recorded."""
    sender = sender or f"soak-complaint-{uuid.uuid4().hex[:10]}"
    tally.add(complaints_started=1)
    rest.say(sender, opening)
    for answer in COMPLAINT:
        rest.say(sender, answer)
    receipt = reply_text(rest.say(sender, "确认提交") or [])
    found = TICKET.search(receipt)
    if found:
        with tally._lock:
            tally.receipts[sender] = found.group(0)
    else:
        tally.problem(f"complaint {sender}: no receipt: {receipt[:100]!r}")
    return sender


def concurrent_complaints(rasa_url: str, tally: Tally, count: int) -> list[str]:
    senders: list[str] = []

    def one(index: int) -> None:
        senders.append(complaint(Rest(rasa_url, tally), tally, f"我要投诉第{index}号窗口的工作人员办事拖拉态度差"))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return senders
