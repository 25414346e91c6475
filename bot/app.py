"""The backend web app, one process on BACKEND_PORT:

    /api/tickets …, /open311/v2 …   tickets API and Open311 GeoReport v2 (API token)    bot/tickets/
    /api/handoff …                  live handoff (转人工): the bot asks with the API token,
                                    the citizen's page or app polls with its poll token   bot/handoff/
    /console …                      staff console, incl. 人工接待 (login)                   bot/console/
    /api/notices/active             notices (公告) in force (public)                       bot/console/
    /api/notify …                   notices to citizens and staff: the web chat's waiting notices
                                    (public), counts and a ticket's notices (API token)   bot/notify/
    /, /chat, /static …             the citizens' web chat page (public)                  bot/web/
    /healthz, /docs                 health check, API description page (public; /openapi.json: API token)

create_app(settings) builds an app without touching disk or database; at startup it resolves the API
token, checks knowledge/ticket_rules.yml and knowledge/calendar.yml, migrates the three table histories
(tickets, console, handoff, notify) to head and starts the periodic jobs: 督办 scan, handoff queue sweep, conversation
retention, notice delivery, deadline warnings and expired photo drafts.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from functools import partial

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from bot import apidocs, triage
from bot.common.privacy import install_log_masking
from bot.console import routes as console_routes
from bot.console import state as console_state
from bot.console.routes import contact_api
from bot.core.auth import require_token
from bot.core.backoff import Backoff
from bot.core.body_limit import BodySizeLimit
from bot.core.database import Database
from bot.core.headers import install_security_headers
from bot.core.http_errors import install_error_handlers
from bot.core.periodic import run_periodically
from bot.core.security import RateLimiter, resolve_api_token
from bot.core.settings import BackendSettings, ensure_var_dir, get_settings
from bot.handoff import routes as handoff_routes
from bot.handoff import state as handoff_state
from bot.handoff.schemas import FIELD_LABELS as HANDOFF_LABELS
from bot.knowledge.calendar import CalendarFile
from bot.notify import routes as notify_routes
from bot.notify import state as notify_state
from bot.tickets import media, migrate, mine, open311, photo_drafts
from bot.tickets import routes as ticket_routes
from bot.tickets.rules import RulesFile
from bot.tickets.schemas import FIELD_LABELS
from bot.tickets.service import TicketService
from bot.tickets.status_guard import StatusQueryGuard
from bot.triage.corpus import staff_examples_path
from bot.web import routes as web_routes

log = logging.getLogger(__name__)

DESCRIPTION = """海原政务小助手的工单后台：12345 诉求受理、转办、反馈、回访评价，兼容 Open311 GeoReport v2。

除 `/healthz` 外，所有接口都需要 API 令牌：`Authorization: Bearer <token>`
（Open311 按其约定也可用 `api_key=<token>` 参数）。令牌来自环境变量 `BACKEND_API_TOKEN`，
未设置时首次启动生成在 `var/secrets/api_token`。
"""


@dataclass
class StatusQueryLimits:
    status_query: RateLimiter  # requests per client and conversation
    guard: StatusQueryGuard  # wrong number/phone combinations: backoff per ticket and per citizen address


def _startup(app: FastAPI, settings: BackendSettings, db: Database) -> None:
    ensure_var_dir(settings.var_dir)
    install_log_masking()
    app.state.api_token = resolve_api_token(settings.api_token, settings.token_file)
    # 查看完整号码 over the API: a token of its own scope (bot/console/routes/contact_api.py)
    app.state.contact_token = resolve_api_token(settings.contact_token, settings.var_dir / "secrets" / "contact_token")
    app.state.tickets.rules_file.get()  # refuse to start with a broken rules file
    migrate.upgrade(settings.database_url, engine=db.engine)
    console_state.startup(app, settings, db)  # console tables (own migrations) and services
    handoff_state.startup(app, settings, db)  # handoff tables (own migrations)
    notify_state.startup(settings, db)  # notice tables (own migrations)
    triage.warm_up()  # load (or train) the triage model now, not on the first ticket


def create_app(settings: BackendSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(_startup, app, settings, db)
        tasks = []
        if settings.supervise_interval_seconds > 0:
            tasks.append(
                asyncio.create_task(
                    run_periodically(
                        app.state.tickets.flag_overdue, settings.supervise_interval_seconds, "督办扫描失败"
                    )
                )
            )
        if settings.handoff_sweep_seconds > 0:
            tasks.append(
                asyncio.create_task(
                    run_periodically(app.state.handoff.sweep, settings.handoff_sweep_seconds, "转人工超时检查失败")
                )
            )
        notify = app.state.notify_bundle.settings
        if notify.interval_seconds > 0:
            tasks.append(
                asyncio.create_task(
                    run_periodically(app.state.notify.deliver_due, notify.interval_seconds, "通知发送失败")
                )
            )
        if notify.deadline_interval_seconds > 0:
            tasks.append(
                asyncio.create_task(
                    run_periodically(app.state.deadlines.scan, notify.deadline_interval_seconds, "时限预警检查失败")
                )
            )
        expire = partial(photo_drafts.expire_drafts, db, settings.var_dir)  # photos never submitted with a ticket
        tasks.append(asyncio.create_task(run_periodically(expire, photo_drafts.SWEEP_SECONDS, "过期照片清理失败")))
        console = app.state.console
        if console.retention and console.settings.retention_interval_seconds > 0:
            interval = console.settings.retention_interval_seconds
            tasks.append(asyncio.create_task(run_periodically(console.retention.run, interval, "过期对话清理失败")))
        log.info("工单后台已启动")
        yield
        for task in tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        db.dispose()

    app = FastAPI(
        title="海原政务小助手 · 工单后台",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.api_token = app.state.contact_token = ""  # set at startup; an empty token never matches
    calendar = CalendarFile(settings.calendar_path)  # holidays for the time limits, hours for the handoff
    app.state.tickets = TicketService(
        db, RulesFile(settings.ticket_rules_path, calendar), staff_examples_path(settings.var_dir)
    )
    app.state.tickets.created_listeners.append(photo_drafts.attach_drafts)  # photos added in the form
    app.state.handoff = handoff_state.build(db, settings, calendar)
    notify = app.state.notify_bundle = notify_state.build(db, app.state.tickets)
    app.state.notify, app.state.deadlines = notify.service, notify.deadlines
    app.state.limits = StatusQueryLimits(
        status_query=RateLimiter(settings.status_query_limit, settings.status_query_window_seconds),
        guard=StatusQueryGuard(
            per_ticket=Backoff(settings.status_query_failures_per_number, *settings.status_query_backoff),
            per_address=Backoff(settings.status_query_failures_per_address, *settings.status_query_backoff),
        ),
    )
    install_error_handlers(app, {**FIELD_LABELS, **HANDOFF_LABELS})
    install_security_headers(app)
    open311.install_open311_errors(app)

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    @app.get("/healthz", tags=["运行状态"], summary="健康检查（无需令牌）")
    def healthz():
        try:
            with db.session() as session:
                session.execute(text("SELECT 1"))
        except Exception:
            log.exception("数据库不可用")
            return JSONResponse(status_code=503, content={"status": "unavailable", "database": "down"})
        return {"status": "ok", "database": "ok"}

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(require_token)])
    def openapi_json():
        return app.openapi()

    app.include_router(apidocs.router)  # /docs: public page, the token is typed in, never in the URL
    app.include_router(mine.router)  # 我的工单: POST /api/tickets/of-conversations
    app.include_router(ticket_routes.router)
    app.include_router(contact_api.router)  # GET /api/tickets/{n}/contact: contact token only, audited
    app.include_router(media.media_router)  # /open311/v2/media/{token}.jpg: citizens' photos (API token)
    app.include_router(open311.router)
    app.include_router(photo_drafts.router)  # POST /api/citizen-photos/draft: in the form (before {n})
    app.include_router(media.public_router)  # POST /api/citizen-photos/{n}: from the citizen's own chat
    app.include_router(handoff_routes.router)  # /api/handoff (API token)
    app.include_router(handoff_routes.public_router)  # the citizen's side (poll token)
    app.include_router(notify_routes.router)  # /api/notify/stats, /api/tickets/{n}/notices (API token)
    app.include_router(notify_routes.public_router)  # the web chat's waiting notices (public)
    app.include_router(console_routes.router)  # staff console /console, public /api/notices/active
    app.include_router(web_routes.router)  # citizens' web chat page: public, no token
    return app


app = create_app()
