"""The console's start page (what needs attention, by role) and its own static files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from bot.console.permissions import allowed
from bot.console.routes.deps import ConsoleRoute, console, not_found, page, render
from bot.console.services.auth import CurrentUser
from bot.knowledge.calendar import coverage_problem
from bot.knowledge.rule_flags import rule_flags
from bot.tickets.due_dates import china_today

router = APIRouter(route_class=ConsoleRoute)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_FILES = {"console.css": "text/css", "console.js": "text/javascript"}


@router.get("/", summary="控制台首页")
def home(request: Request, user: CurrentUser = Depends(page())):
    app = console(request)
    cards: dict[str, Any] = {}
    if allowed(user.role, "handoff") and app.reception:
        cards["handoff"] = len(app.reception.handoff.queue())
    if allowed(user.role, "inbox"):
        app.inbox.sync()
        cards["inbox"] = app.inbox.counts().get("open", 0)
    if allowed(user.role, "tickets"):
        summary = app.workbench.summary(user)
        cards["tickets"], cards["overdue"] = summary["open"], summary["overdue"]
    if allowed(user.role, "tickets.dispatch"):
        cards["followups"] = len(app.workbench.follow_up_queue())
    if allowed(user.role, "training"):
        cards["retrain"] = bool(app.trainer.stale_generated()) or app.trainer.labelled_since_last_model() > 0
    if allowed(user.role, "knowledge.verify") and app.verification:
        cards["verified_share"] = app.verification.share()
    warnings = []
    if allowed(user.role, "knowledge") or allowed(user.role, "tickets.dispatch"):
        problem = coverage_problem(app.tickets.rules.covered_until, china_today())
        if problem:
            warnings.append(f"工作日历：{problem}。在这之后的办理时限只按周末估算。")
    if allowed(user.role, "tickets.dispatch"):
        flags, _problems = rule_flags(app.settings.knowledge_dir)
        cards["rule_flags"] = flags
    context = {"title": "首页", "user": user, "cards": cards, "warnings": warnings}
    return render(request, "home.html", context)


@router.get("/static/{name}", include_in_schema=False)
def static(name: str):
    if name not in STATIC_FILES:
        raise not_found("文件")
    response = FileResponse(STATIC_DIR / name, media_type=STATIC_FILES[name])
    response.headers["Cache-Control"] = "max-age=3600"
    return response
