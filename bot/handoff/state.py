"""The handoff service, built once at backend startup and kept on `app.state.handoff` (bot/app.py runs its sweep:
queue timeouts and abandoned chats, also while nobody reads the queue)."""

from __future__ import annotations

from fastapi import FastAPI

from bot.core.database import Database
from bot.core.settings import BackendSettings
from bot.handoff import migrate
from bot.handoff.rasa import RasaConversations
from bot.handoff.service import HandoffConfig, HandoffService
from bot.knowledge.calendar import CalendarFile


def build(db: Database, settings: BackendSettings, calendar: CalendarFile) -> HandoffService:
    return HandoffService(
        db,
        calendar,
        RasaConversations(settings.rasa_url, settings.rasa_token),
        HandoffConfig(
            wait_seconds=settings.handoff_wait_seconds,
            presence_seconds=settings.handoff_presence_seconds,
            abandon_seconds=settings.handoff_abandon_seconds,
        ),
    )


def startup(app: FastAPI, settings: BackendSettings, db: Database) -> None:
    """Migrate the handoff tables (called from bot/app.py at startup); the service exists since create_app."""
    migrate.upgrade(settings.database_url, engine=db.engine)
