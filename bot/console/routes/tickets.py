"""工单: list with filters and search, detail with the whole history and the allowed actions, 差评回访 queue."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response

from bot.console.routes.deps import ConsoleRoute, action, console, forbidden, not_found, page, render, see_other
from bot.console.services.auth import CurrentUser
from bot.console.services.phone_reveal import PERMISSION as REVEAL
from bot.console.services.phone_reveal import RevealRefused
from bot.console.services.timefmt import parse_day
from bot.console.services.workbench import FOLLOWUP_KINDS, PAGE_SIZE, ActionError, Filters, Forbidden
from bot.tickets import examples
from bot.tickets.choices import Category, Grade, Status, Urgency
from bot.tickets.routing import read_candidates
from bot.tickets.service import TicketNotFound

router = APIRouter(route_class=ConsoleRoute)
DONE = {
    "transition": "状态已更新。",
    "return": "已退回派单员。",
    "assign": "已改派承办部门。",
    "reply": "答复已保存，市民查询进度时可以看到。",
    "supervise": "已督办。",
    "follow_up": "回访记录已保存。",
    "notice_retry": "通知已重新排队，稍后自动发送。",
    "notice_not_failed": "这条通知不是发送失败状态，无需重新发送。",
}


@router.get("/tickets", summary="工单列表")
def tickets(
    request: Request,
    status: str = "",
    category: str = "",
    department: str = "",
    overdue: str = "",
    bad: str = "",
    date_from: str = "",
    date_to: str = "",
    q: str = "",
    page_no: int = 1,
    user: CurrentUser = Depends(page("tickets")),
):
    app = console(request)
    filters = Filters(
        status=status if status in {s.value for s in Status} else "",
        category=category if category in {c.value for c in Category} else "",
        department=department.strip(),
        overdue=overdue == "1",
        bad_rating=bad == "1",
        date_from=parse_day(date_from),
        date_to=parse_day(date_to),
        q=q.strip()[:100],
        page=max(page_no, 1),
    )
    total, rows = app.workbench.list(user, filters)
    query = {
        "status": filters.status,
        "category": filters.category,
        "department": filters.department,
        "overdue": overdue,
        "bad": bad,
        "date_from": date_from,
        "date_to": date_to,
        "q": filters.q,
    }
    return render(
        request,
        "tickets.html",
        {
            "title": "工单",
            "user": user,
            "rows": rows,
            "total": total,
            "f": query,
            "page_no": filters.page,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "statuses": [s.value for s in Status],
            "categories": [c.value for c in Category],
            "departments": app.workbench.departments(),
        },
    )


@router.get("/tickets/triage-examples.jsonl", summary="派单标注样例（JSONL，供分流模型训练）")
def triage_examples(request: Request, user: CurrentUser = Depends(page("tickets.dispatch"))):
    with console(request).db.session() as session:
        body = examples.to_jsonl(session)
    return Response(
        body,
        media_type="application/x-ndjson; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="triage-examples.jsonl"'},
    )


def _detail(
    request: Request,
    user: CurrentUser,
    number: str,
    error: str = "",
    status: int = 200,
    done: str = "",
    revealed_phone: str = "",
):
    app = console(request)
    try:
        ticket = app.workbench.get(user, number)
    except TicketNotFound:
        raise not_found("工单") from None
    except Forbidden:
        raise forbidden() from None
    followups = app.workbench.followups([ticket.number]).get(ticket.number, [])
    return render(
        request,
        "ticket.html",
        {
            "title": f"工单 {ticket.number}",
            "user": user,
            "t": ticket,
            "overdue": app.tickets.overdue(ticket),
            "actions": app.workbench.actions(user, ticket),
            "departments": app.workbench.departments(),
            "default_department": app.tickets.rules.default_department,
            "candidates": read_candidates(ticket.department_candidates),
            "followups": followups,
            "followup_kinds": FOLLOWUP_KINDS,
            "error": error,
            "flash": DONE.get(done, ""),
            "bad": bool(ticket.rating) and Grade(ticket.rating).is_bad,
            "urgent": ticket.urgency == Urgency.URGENT.value,
            "revealed_phone": revealed_phone,
            "notices": request.app.state.notify.for_ticket(ticket.id),
        },
        status=status,
    )


@router.get("/tickets/{number}", summary="工单详情")
def ticket(request: Request, number: str, done: str = "", user: CurrentUser = Depends(page("tickets"))):
    return _detail(request, user, number, done=done)


@router.post("/tickets/{number}/phone", summary="查看完整号码（留痕）")
def reveal_phone(request: Request, number: str, user: CurrentUser = Depends(action(REVEAL))):
    app = console(request)
    try:
        ticket = app.workbench.get(user, number)  # department staff: their own department's tickets only
    except TicketNotFound:
        raise not_found("工单") from None
    except Forbidden:
        raise forbidden() from None
    try:
        phone = app.reveals.for_staff(user, f"ticket:{ticket.number}", ticket.phone, "工单详情页")
    except RevealRefused as refused:
        return _detail(request, user, ticket.number, str(refused), status=429)
    return _detail(request, user, ticket.number, revealed_phone=phone)


def _act(request: Request, user: CurrentUser, number: str, done: str, operation):
    try:
        operation(console(request).workbench)
    except TicketNotFound:
        raise not_found("工单") from None
    except Forbidden:
        raise forbidden() from None
    except ActionError as error:
        return _detail(request, user, number, str(error), status=409)
    return see_other(f"/console/tickets/{number.strip().upper()}?done={done}")


@router.post("/tickets/{number}/transition", summary="状态流转")
def transition(
    request: Request,
    number: str,
    to: str = Form(""),
    note: str = Form(""),
    department: str = Form(""),
    reply: str = Form(""),
    user: CurrentUser = Depends(action("tickets")),
):
    return _act(
        request,
        user,
        number,
        "transition",
        lambda wb: wb.transition(user, number, to, note, department=department, reply=reply),
    )


@router.post("/tickets/{number}/return", summary="退回派单员")
def return_ticket(request: Request, number: str, note: str = Form(""), user: CurrentUser = Depends(action("tickets"))):
    return _act(request, user, number, "return", lambda wb: wb.return_to_dispatcher(user, number, note))


@router.post("/tickets/{number}/assign", summary="改派承办部门")
def assign(
    request: Request,
    number: str,
    department: str = Form(""),
    note: str = Form(""),
    user: CurrentUser = Depends(action("tickets.dispatch")),
):
    return _act(request, user, number, "assign", lambda wb: wb.assign(user, number, department, note))


@router.post("/tickets/{number}/reply", summary="填写给市民的答复")
def reply(request: Request, number: str, text: str = Form(""), user: CurrentUser = Depends(action("tickets"))):
    return _act(request, user, number, "reply", lambda wb: wb.reply(user, number, text))


@router.post("/tickets/{number}/supervise", summary="督办")
def supervise(
    request: Request, number: str, note: str = Form(""), user: CurrentUser = Depends(action("tickets.dispatch"))
):
    return _act(request, user, number, "supervise", lambda wb: wb.supervise(user, number, note))


@router.post("/tickets/{number}/follow-up", summary="登记回访")
def follow_up(
    request: Request,
    number: str,
    kind: str = Form(""),
    note: str = Form(""),
    user: CurrentUser = Depends(action("tickets.dispatch")),
):
    return _act(request, user, number, "follow_up", lambda wb: wb.follow_up(user, number, kind, note))


@router.get("/followups", summary="差评回访")
def followups(request: Request, all: str = "", user: CurrentUser = Depends(page("tickets.dispatch"))):
    app = console(request)
    return render(
        request,
        "followups.html",
        {
            "title": "差评回访",
            "user": user,
            "queue": app.workbench.follow_up_queue(include_done=all == "1"),
            "show_all": all == "1",
            "days": app.tickets.rules.bad_rating_follow_up_days,
        },
    )
