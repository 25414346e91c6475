"""The console's services, built once at backend startup and kept on `app.state.console`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from bot.console import migrate
from bot.console.config import ConsoleSettings
from bot.console.services.analytics import Analytics
from bot.console.services.auth import Accounts
from bot.console.services.deadline_board import DeadlineBoard
from bot.console.services.inbox import Inbox
from bot.console.services.knowledge_editor import KnowledgeEditor
from bot.console.services.nlu_data import NluData
from bot.console.services.notices_store import NoticeStore
from bot.console.services.phone_reveal import PhoneReveals
from bot.console.services.reception import Reception
from bot.console.services.retention import ConversationRetention
from bot.console.services.service_ratings import ServiceRatings
from bot.console.services.tokens import ProjectTokenizer
from bot.console.services.tracker import TrackerReader
from bot.console.services.training import Trainer
from bot.console.services.verification import Verification
from bot.console.services.workbench import Workbench
from bot.core.database import Database
from bot.core.settings import BackendSettings
from bot.handoff.service import HandoffService
from bot.knowledge.loader import get_knowledge_base
from bot.tickets.service import TicketService


@dataclass
class Console:
    settings: ConsoleSettings
    db: Database
    accounts: Accounts
    inbox: Inbox
    nlu: NluData
    tracker: TrackerReader
    trainer: Trainer
    workbench: Workbench
    editor: KnowledgeEditor
    notices: NoticeStore
    tickets: TicketService
    ratings: ServiceRatings
    reception: Reception | None = None  # 人工接待 (needs the backend's handoff service)
    reveals: PhoneReveals | None = None  # 查看完整号码, audited and rate-limited
    retention: ConversationRetention | None = None  # deletes old tracker events (periodic job, bot/app.py)
    verification: Verification | None = None  # 核实: unverified facts, confirm / correct
    deadlines: DeadlineBoard | None = None  # 时限预警: deadline warnings and digests (bot/notify/)

    def service_names(self) -> dict[str, str]:
        kb = get_knowledge_base(self.settings.knowledge_dir)
        return {sid: data.get("short_name") or data.get("name") or sid for sid, data in kb.services.items()}

    def analytics(self) -> Analytics:
        return Analytics(self.db, self.tickets, self.service_names())


def build(
    db: Database, tickets: TicketService, settings: ConsoleSettings | None = None, handoff: HandoffService | None = None
) -> Console:
    settings = settings or ConsoleSettings.from_env()
    tracker = TrackerReader(settings.tracker_db_url)
    nlu = NluData(settings.project_dir)
    return Console(
        settings=settings,
        db=db,
        accounts=Accounts(db, settings),
        nlu=nlu,
        tracker=tracker,
        inbox=Inbox(db, settings, ProjectTokenizer(settings.project_dir), tracker, nlu),
        trainer=Trainer(db, settings),
        workbench=Workbench(db, tickets),
        editor=KnowledgeEditor(settings.knowledge_dir),
        notices=NoticeStore(settings.knowledge_dir),
        tickets=tickets,
        ratings=ServiceRatings(db),
        reception=Reception(db, handoff, tracker, tickets) if handoff else None,
        reveals=PhoneReveals(db, settings.phone_reveals_per_hour),
        retention=ConversationRetention(settings.tracker_db_url, settings.retention_days),
        verification=Verification(settings.knowledge_dir),
        deadlines=DeadlineBoard(db),
    )


def startup(app: FastAPI, backend: BackendSettings, db: Database) -> None:
    """Migrate the console tables and put the services on app.state (called from bot/app.py at startup)."""
    migrate.upgrade(backend.database_url, engine=db.engine)
    console = build(db, app.state.tickets, handoff=getattr(app.state, "handoff", None))
    console.trainer.mark_interrupted()
    app.state.console = console
