"""The handoff service, built once at backend startup and kept on `app.state.handoff`, and its sweep loop."""
from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from bot.core.database import Database
from bot.core.settings import BackendSettings
from bot.handoff import migrate
from bot.handoff.rasa import RasaConversations
from bot.handoff.service import HandoffConfig, HandoffService
from bot.knowledge.calendar import CalendarFile

log = logging.getLogger(__name__)


def build(db: Database, settings: BackendSettings, calendar: CalendarFile) -> HandoffService:
    return HandoffService(db, calendar, RasaConversations(settings.rasa_url, settings.rasa_token), HandoffConfig(
        wait_seconds=settings.handoff_wait_seconds, presence_seconds=settings.handoff_presence_seconds,
        abandon_seconds=settings.handoff_abandon_seconds))


def startup(app: FastAPI, settings: BackendSettings, db: Database) -> None:
    """Migrate the handoff tables (called from bot/app.py at startup); the service exists since create_app."""
    migrate.upgrade(settings.database_url, engine=db.engine)


async def sweep_periodically(service: HandoffService, interval: int) -> None:
    """Queue timeouts and abandoned chats, also while nobody reads the queue."""
    while True:
        try:
            await run_in_threadpool(service.sweep)
        except Exception:  # keep the loop alive; the next round retries
            log.exception("转人工超时检查失败")
        await asyncio.sleep(interval)
