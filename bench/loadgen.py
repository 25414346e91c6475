"""Closed-loop load through Rasa's REST channel: N simulated citizens, each running conversations
back to back (no think time) until the time is up; every message's latency is recorded.

A conversation is a generator: it yields the next message, receives the bot's reply (all bubbles'
text and button titles joined) and finally returns True when the conversation reached its goal
(the checklist, the ticket number …). Errors are HTTP failures and timeouts; a conversation whose
replies went wrong counts as failed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, field

import aiohttp

Script = Callable[[], Generator[str, str, bool]]
REQUEST_TIMEOUT = 60


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


@dataclass
class LoadResult:
    bot: str
    concurrency: int
    seconds: float
    messages: int
    errors: int
    empty_replies: int
    conversations: int
    conversations_failed: int
    latencies: list[float] = field(default_factory=list, repr=False)
    first_errors: list[str] = field(default_factory=list)

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def summary(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k != "latencies"}
        data.update(
            messages_per_second=round(self.messages_per_second, 2),
            **{f"p{int(q * 100)}_ms": _ms(percentile(self.latencies, q)) for q in (0.5, 0.95, 0.99)},
            mean_ms=_ms(sum(self.latencies) / len(self.latencies)) if self.latencies else None,
        )
        return data


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def render(replies: list) -> str:
    parts = []
    for reply in replies:
        parts.append(reply.get("text") or "")
        parts += [f"[{b.get('title')}]" for b in reply.get("buttons") or []]
    return "\n".join(parts)


async def _conversation(
    session: aiohttp.ClientSession,
    url: str,
    script: Script,
    deadline: float,
    result: LoadResult,
    tick: Callable[[], None],
) -> bool | None:
    """One conversation; True/False: reached its goal or not; None: the time ran out first."""
    conversation = script()
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    try:
        message = next(conversation)
        while True:
            if time.monotonic() >= deadline:
                return None
            started = time.monotonic()
            status, body, detail = None, None, ""
            try:
                async with session.post(url, json={"sender": sender, "message": message}) as response:
                    status = response.status
                    body = await response.json(content_type=None) if status == 200 else None
            except (TimeoutError, aiohttp.ClientError, ValueError) as error:
                detail = f"{type(error).__name__}: {error}"
            result.latencies.append(time.monotonic() - started)
            result.messages += 1
            tick()
            if status != 200 or not isinstance(body, list):
                result.errors += 1
                if len(result.first_errors) < 5:
                    result.first_errors.append(detail or f"HTTP {status}")
                return False
            if not body:
                result.empty_replies += 1
            message = conversation.send(render(body))
    except StopIteration as finished:
        return bool(finished.value)
    except AssertionError:
        return False


async def _citizen(
    number: int,
    session: aiohttp.ClientSession,
    url: str,
    scripts: list[Script],
    deadline: float,
    result: LoadResult,
    tick: Callable[[], None],
) -> None:
    turn = number  # citizens start at different conversations of the mix
    while time.monotonic() < deadline:
        ok = await _conversation(session, url, scripts[turn % len(scripts)], deadline, result, tick)
        turn += 1
        if ok is None:
            return
        result.conversations += 1
        result.conversations_failed += 0 if ok else 1


async def _run(
    bot: str,
    url: str,
    scripts: list[Script],
    concurrency: int,
    seconds: float,
    on_progress: Callable[[LoadResult], None],
) -> LoadResult:
    result = LoadResult(bot, concurrency, 0.0, 0, 0, 0, 0, 0)
    last = [0.0]

    def tick() -> None:
        if time.monotonic() - last[0] > 0.5:
            last[0] = time.monotonic()
            on_progress(result)

    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_citizen(n, session, url, scripts, deadline, result, tick) for n in range(concurrency)))
        result.seconds = time.monotonic() - started
    return result


def run_load(
    bot: str,
    rasa_url: str,
    scripts: list[Script],
    concurrency: int,
    seconds: float,
    on_progress: Callable[[LoadResult], None] = lambda _: None,
) -> LoadResult:
    url = f"{rasa_url}/webhooks/rest/webhook"
    return asyncio.run(_run(bot, url, scripts, concurrency, seconds, on_progress))


def warm_up(rasa_url: str, scripts: list[Script]) -> LoadResult:
    """Each conversation of the mix once, one after the other, unmeasured: a fresh server's first
    calls (TensorFlow graphs, database connections) are slow."""

    async def once() -> LoadResult:
        result = LoadResult("warm-up", 1, 0.0, 0, 0, 0, 0, 0)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)) as session:
            for script in scripts:
                ok = await _conversation(
                    session, f"{rasa_url}/webhooks/rest/webhook", script, float("inf"), result, lambda: None
                )
                result.conversations += 1
                result.conversations_failed += 0 if ok else 1
        return result

    return asyncio.run(once())
