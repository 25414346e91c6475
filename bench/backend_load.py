"""Ticket backend: creates per second and latency at 1 and 20 concurrent clients, SQLite and PostgreSQL.

The real backend process (`python -m bot.tickets`, as tests/backend starts it) on a fresh database;
each client posts tickets back to back, each with its own Idempotency-Key, and every answer must be
201. PostgreSQL is a private cluster with the server's defaults (fsync on), from tests.support.sandbox.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from bench.loadgen import percentile
from bench.profile import Profiler, summary
from bench.servers import peak_rss_mb
from tests.support.backend_process import BackendProcess, ticket_payload


async def _load(url: str, token: str, clients: int, seconds: float, tick: Callable[[int], None]) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    body = ticket_payload()

    async def client(session: aiohttp.ClientSession, deadline: float) -> None:
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                async with session.post(
                    f"{url}/api/tickets",
                    json=body,
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": secrets.token_hex(12)},
                ) as response:
                    await response.read()
                    ok = response.status == 201
                    if not ok and len(errors) < 5:
                        errors.append(f"HTTP {response.status}")
            except (TimeoutError, aiohttp.ClientError) as error:
                ok = False
                if len(errors) < 5:
                    errors.append(type(error).__name__)
            latencies.append(time.monotonic() - started)
            if not ok:
                latencies.pop()
                errors.append("")  # counted below
            tick(len(latencies))

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        started = time.monotonic()
        await asyncio.gather(*(client(session, started + seconds) for _ in range(clients)))
        elapsed = time.monotonic() - started
    failures = sum(1 for e in errors if e == "")
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "creates": len(latencies),
        "errors": failures,
        "creates_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round((percentile(latencies, 0.5) or 0) * 1000, 1),
        "p99_ms": round((percentile(latencies, 0.99) or 0) * 1000, 1),
        "first_errors": [e for e in errors if e][:5],
    }


def _first_create(url: str, token: str, timeout: float = 300) -> None:
    """Wait until one create succeeds (the first one waits for the triage model)."""

    async def post() -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": secrets.token_hex(12)}
            async with session.post(f"{url}/api/tickets", json=ticket_payload(), headers=headers) as response:
                if response.status != 201:
                    raise RuntimeError(f"首张工单创建失败: HTTP {response.status}")

    asyncio.run(post())


def measure(
    database: str,
    database_url: str | None,
    seconds: float,
    progress: Callable[[str], None] = lambda _: None,
    profile_dir: Path | None = None,
) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-backend-") as var:
        backend = BackendProcess(Path(var), database_url=database_url, env={"SUPERVISE_INTERVAL_SECONDS": "0"}).start(
            timeout=60
        )
        assert backend.process is not None  # start() started it
        try:
            runs = []
            for clients in (1, 20):

                def tick(done: int, clients: int = clients) -> None:
                    progress(f"{database} · {clients} 个并发客户端 · 已创建 {done} 张工单")

                # A short unmeasured warm-up (connections, first queries, the triage model the backend
                # loads in the background at start), then the run.
                _first_create(backend.url, backend.token)
                asyncio.run(_load(backend.url, backend.token, clients, min(2.0, seconds / 4), lambda _: None))
                if profile_dir and clients == 20:
                    with Profiler({"backend": backend.process.pid}, profile_dir, f"backend-{database}-20"):
                        runs.append(asyncio.run(_load(backend.url, backend.token, clients, seconds, tick)))
                else:
                    runs.append(asyncio.run(_load(backend.url, backend.token, clients, seconds, tick)))
            result: dict[str, Any] = {
                "database": database,
                "runs": runs,
                "backend_peak_rss_mb": peak_rss_mb(backend.process.pid),
            }
            if profile_dir:
                result["profile"] = summary(profile_dir / f"backend-{database}-20-backend.txt")
            return result
        finally:
            backend.stop()
