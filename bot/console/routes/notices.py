"""公告: publish and withdraw notices (console), and the public list of notices in force (web chat)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request

from bot.console.crud import audit
from bot.console.routes.deps import ConsoleRoute, action, console, page, render, see_other
from bot.console.services.auth import CurrentUser
from bot.console.services.notices_store import NoticeError
from bot.console.services.timefmt import parse_day
from bot.knowledge.notices import active_notices, is_active
from bot.tickets.due_dates import china_today

router = APIRouter(route_class=ConsoleRoute)
# Public like the web chat page, so kept out of the token-protected OpenAPI description (every operation
# listed there needs the API token; tests/backend/test_auth.py checks exactly that).
public_router = APIRouter(prefix="/api/notices", tags=["公告"], include_in_schema=False)
DONE = {"published": "公告已发布，网页对话会在有效期内显示。", "withdrawn": "公告已撤下。"}


def _page(
    request: Request, user: CurrentUser, error: str = "", form: dict | None = None, status: int = 200, done: str = ""
):
    app = console(request)
    notices, problems = app.notices.all()
    today = china_today()
    for notice in notices:
        notice["active"] = is_active(notice, today)
        notice["expired"] = notice["end"] < today
    return render(
        request,
        "notices.html",
        {
            "title": "公告",
            "user": user,
            "notices": sorted(notices, key=lambda n: n["start"], reverse=True),
            "problems": problems,
            "services": app.service_names(),
            "error": error,
            "form": form or {},
            "today": today,
            "flash": DONE.get(done, ""),
        },
        status=status,
    )


@router.get("/notices", summary="公告")
def notices(request: Request, done: str = "", user: CurrentUser = Depends(page("notices"))):
    return _page(request, user, done=done)


@router.post("/notices", summary="发布公告")
def publish(
    request: Request,
    title: str = Form(""),
    text: str = Form(""),
    start: str = Form(""),
    end: str = Form(""),
    services: list[str] = Form([]),
    user: CurrentUser = Depends(action("notices")),
):
    app = console(request)
    chosen = [s for s in services if s]
    try:
        notice = app.notices.publish(title, text, parse_day(start), parse_day(end), chosen, china_today())
    except NoticeError as error:
        form = {"title": title, "text": text, "start": start, "end": end, "services": chosen}
        return _page(request, user, str(error), form, status=400)
    with app.db.session(write=True) as session:
        audit.record(session, user.username, user.role, "notice.publish", f"notice:{notice['id']}", after=notice)
    return see_other("/console/notices?done=published")


@router.post("/notices/{notice_id}/withdraw", summary="撤下公告")
def withdraw(request: Request, notice_id: str, user: CurrentUser = Depends(action("notices"))):
    app = console(request)
    try:
        removed = app.notices.withdraw(notice_id)
    except NoticeError as error:
        return _page(request, user, str(error), status=404)
    with app.db.session(write=True) as session:
        audit.record(session, user.username, user.role, "notice.withdraw", f"notice:{notice_id}", before=removed)
    return see_other("/console/notices?done=withdrawn")


@public_router.get("/active", summary="当前有效的公告（公开，无需令牌）")
def active(request: Request, service: str | None = Query(None, max_length=100, description="只看提到该事项的公告")):
    """Notices in force today (China time). Without `service`: all of them (for the greeting)."""
    today = china_today()
    found = active_notices(console(request).settings.knowledge_dir, today, service_id=service or None)
    return {
        "today": today.isoformat(),
        "notices": [
            {
                "id": n["id"],
                "title": n["title"],
                "text": n["text"],
                "start": n["start"].isoformat(),
                "end": n["end"].isoformat(),
                "services": n["services"],
            }
            for n in found
        ],
    }
