"""The notification service and the deadline watch, built once with the app and kept on `app.state.notify` and
`app.state.deadlines`; bot/app.py migrates the tables at startup and runs both periodically."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.database import Database
from bot.core.settings import BackendSettings
from bot.notify import migrate
from bot.notify.config import NotifySettings
from bot.notify.contacts import ContactsFile
from bot.notify.deadlines import DeadlineWatch
from bot.notify.providers.base import Provider
from bot.notify.providers.sms_aliyun import AliyunSms
from bot.notify.providers.wechat_template import WeChatTemplates
from bot.notify.providers.wecom import WeComMessages
from bot.notify.service import NotifyService
from bot.tickets.service import TicketService


@dataclass
class Notify:
    service: NotifyService
    deadlines: DeadlineWatch
    settings: NotifySettings


def providers(settings: NotifySettings) -> dict[str, Provider]:
    found: dict[str, Provider] = {}
    if settings.sms:
        found["sms"] = AliyunSms(settings.sms)
    if settings.wechat:
        found["wechat"] = WeChatTemplates(settings.wechat)
    if settings.wecom:
        found["wecom"] = WeComMessages(settings.wecom)
    return found


def build(db: Database, tickets: TicketService, settings: NotifySettings | None = None) -> Notify:
    settings = settings or NotifySettings.from_env()
    contacts = ContactsFile(settings.contacts_path)
    service = NotifyService(db, settings, contacts, providers(settings))
    service.attach(tickets)
    return Notify(service, DeadlineWatch(db, tickets, contacts, settings), settings)


def startup(backend: BackendSettings, db: Database) -> None:
    migrate.upgrade(backend.database_url, engine=db.engine)
