"""A blocking job run every few seconds beside the backend's event loop (督办 scan, 转人工 timeouts)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)


async def run_periodically(job: Callable[[], Any], interval: float, failure: str) -> None:
    """Run `job` in the thread pool every `interval` seconds; a failure is logged as `failure` and the next
    round retries (the loop stays alive)."""
    while True:
        try:
            await run_in_threadpool(job)
        except Exception:
            log.exception(failure)
        await asyncio.sleep(interval)
