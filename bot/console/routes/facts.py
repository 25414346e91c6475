"""待核实: the unverified facts of the knowledge base, confirming or correcting one, and the yearly re-check list."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request

from bot.console.crud import audit
from bot.console.routes.deps import ConsoleRoute, action, console, page, render, see_other
from bot.console.services.auth import CurrentUser
from bot.console.services.knowledge_editor import SOURCE_KIND_CHOICES
from bot.console.services.verification import VerificationError
from bot.tickets.due_dates import china_today

router = APIRouter(route_class=ConsoleRoute)
OFFICIAL_KIND_CHOICES = [(k, label) for k, label in SOURCE_KIND_CHOICES if k != "lead"]
FLASHES = {
    "confirmed": "已确认来源。对话助手几秒内就不再对这条事实加“待核实”说明，无需重新训练。",
    "corrected": "已改正并记录来源。",
}


def _page(request: Request, user: CurrentUser, file: str = "", flash: str = "", error: str = "", status: int = 200):
    verification = console(request).verification
    rows = verification.unverified()
    files = sorted({r.rel for r in rows})
    shown = [r for r in rows if not file or r.rel == file]
    context = {
        "title": "待核实事实",
        "user": user,
        "rows": shown,
        "files": files,
        "file": file,
        "share": verification.share(),
        "kinds": OFFICIAL_KIND_CHOICES,
        "today": china_today().isoformat(),
        "flash": flash,
        "error": error,
    }
    return render(request, "facts.html", context, status=status)


@router.get("/facts", summary="待核实事实")
def unverified_facts(
    request: Request, file: str = "", done: str = "", user: CurrentUser = Depends(page("knowledge.verify"))
):
    return _page(request, user, file, flash=FLASHES.get(done, ""))


@router.post("/facts", summary="确认或改正一条事实")
async def confirm_or_correct(request: Request, user: CurrentUser = Depends(action("knowledge.verify"))):
    app = console(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    rel, path, mode = form.get("rel", ""), form.get("path", ""), form.get("mode", "confirm")
    source = {k: form.get(k, "") for k in ("title", "url", "doc", "kind")}
    try:
        on = date.fromisoformat(form.get("checked_on") or china_today().isoformat())
        if mode == "correct":
            result = app.verification.correct(rel, path, user.username, form.get("value", ""), source, on)
        else:
            result = app.verification.confirm(rel, path, user.username, source, on)
    except ValueError as error:  # VerificationError, or a bad date
        message = str(error) if isinstance(error, VerificationError) else "核对日期格式应为 YYYY-MM-DD"
        return _page(request, user, form.get("file", ""), error=f"没有保存：{message}", status=400)
    with app.db.session(write=True) as session:
        audit.record(
            session,
            user.username,
            user.role,
            "knowledge.correct" if mode == "correct" else "knowledge.confirm",
            f"knowledge:{rel}",
            before={path: result["before"]},
            after={path: result["after"]},
        )
    suffix = f"&file={form['file']}" if form.get("file") else ""
    return see_other(f"/console/facts?done={'corrected' if mode == 'correct' else 'confirmed'}{suffix}")


@router.get("/facts/recheck", summary="来源超过一年的事实（每月复核）")
def recheck(request: Request, user: CurrentUser = Depends(page("knowledge.verify"))):
    today = china_today()
    due = console(request).verification.due_for_recheck(today)
    context = {"title": "每月复核：来源超过一年的事实", "user": user, "due": due, "today": today}
    return render(request, "facts_recheck.html", context)
