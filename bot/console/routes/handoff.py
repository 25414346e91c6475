"""人工接待: the live handoff queue, accepting a citizen, the chat (reply, 交还机器人, 结束, 转成工单).

The pages work without JavaScript (forms and a 刷新 link); console.js polls `queue.json` and `feed` to keep
them live, and both polls count as the staff member being on the page (presence, bot/handoff/service.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse

from bot.console.routes.deps import ConsoleRoute, action, console, forbidden, not_found, page, render, see_other
from bot.console.services.auth import CurrentUser
from bot.console.services.phone_reveal import PERMISSION as REVEAL
from bot.console.services.phone_reveal import RevealRefused
from bot.console.services.reception import Forbidden, Reception, channel_label
from bot.handoff.models import CLOSED, ONLINE, RETURNED
from bot.handoff.service import REASON_LABELS, HandoffError, RequestNotFound
from bot.tickets.choices import Category

router = APIRouter(route_class=ConsoleRoute)
DONE = {
    "returned": "已交还机器人：市民可以继续问小助手。",
    "closed": "已结束本次人工接待。",
    "ticket": "已转成工单，工单号已发给市民。",
    "online": "您已在线，市民转人工时会排进队列。",
    "away": "您已设为离开，不再接新的市民。",
}
STATUS_LABELS = {
    "queued": "排队中",
    "connected": "接待中",
    "returned": "已交还机器人",
    "closed": "已结束",
    "expired": "等待超时",
    "cancelled": "市民已取消",
}


def reception(request: Request) -> Reception:
    found = console(request).reception
    if found is None:
        raise not_found("页面")
    return found


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _queue_out(app: Reception, user: CurrentUser) -> dict:
    overview = app.overview(user)
    return {
        "online": overview["online"],
        "open_hours": overview["opening"].reason != "outside_hours",
        "queue": [
            {
                "id": item["request"].id,
                "position": item["position"],
                "waiting_seconds": item["waiting_seconds"],
                "left_seconds": item["left_seconds"],
                "channel": channel_label(item["request"].channel),
                "reason": REASON_LABELS.get(item["request"].reason, item["request"].reason),
                "elderly": item["request"].elderly,
            }
            for item in overview["queue"]
        ],
        "mine": [{"id": r.id, "channel": channel_label(r.channel)} for r in overview["mine"]],
    }


def _queue_page(request: Request, user: CurrentUser, done: str = "", error: str = "", status: int = 200):
    app = reception(request)
    return render(
        request,
        "handoff.html",
        {
            "title": "人工接待",
            "user": user,
            **app.overview(user),
            "flash": DONE.get(done, ""),
            "error": error,
            "calendar": app.handoff.calendar.get(),
            "channel_label": channel_label,
            "reasons": REASON_LABELS,
        },
        status=status,
    )


@router.get("/handoff", summary="人工接待")
def queue_page(request: Request, done: str = "", user: CurrentUser = Depends(page("handoff"))):
    return _queue_page(request, user, done=done)


@router.get("/handoff/queue.json", summary="排队情况（页面轮询）")
def queue_json(request: Request, user: CurrentUser = Depends(page("handoff"))):
    return JSONResponse(_queue_out(reception(request), user))


@router.post("/handoff/presence", summary="在线 / 离开")
def presence(request: Request, status: str = Form(""), user: CurrentUser = Depends(action("handoff"))):
    try:
        reception(request).set_presence(user, status)
    except HandoffError as error:
        return _queue_page(request, user, error=str(error), status=400)
    return see_other(f"/console/handoff?done={'online' if status == ONLINE else 'away'}")


@router.post("/handoff/{request_id}/accept", summary="接入")
def accept(request: Request, request_id: int, user: CurrentUser = Depends(action("handoff"))):
    app = reception(request)
    try:
        app.accept(user, request_id)
    except RequestNotFound:
        raise not_found("转人工请求") from None
    except HandoffError as error:
        return _queue_page(request, user, error=str(error), status=409)
    return see_other(f"/console/handoff/{request_id}")


def _chat_page(
    request: Request,
    user: CurrentUser,
    request_id: int,
    error: str = "",
    done: str = "",
    status: int = 200,
    form: dict | None = None,
    revealed_phone: str = "",
):
    app = reception(request)
    try:
        chat = app.chat(user, request_id)
    except RequestNotFound:
        raise not_found("转人工请求") from None
    except Forbidden:
        raise forbidden() from None
    return render(
        request,
        "handoff_chat.html",
        {
            "title": "人工接待 · 对话",
            "user": user,
            "chat": chat,
            "r": chat.request,
            "error": error,
            "flash": DONE.get(done, ""),
            "draft": form or app.ticket_draft(chat),
            "categories": [c.value for c in Category],
            "status_label": STATUS_LABELS.get(chat.request.status, chat.request.status),
            "channel": channel_label(chat.request.channel),
            "reason": REASON_LABELS.get(chat.request.reason, ""),
            "revealed_phone": revealed_phone,
        },
        status=status,
    )


@router.post("/handoff/{request_id}/phone", summary="查看完整号码（留痕）")
def reveal_phone(request: Request, request_id: int, user: CurrentUser = Depends(action(REVEAL))):
    try:
        chat = reception(request).chat(user, request_id)
    except RequestNotFound:
        raise not_found("转人工请求") from None
    except Forbidden:
        raise forbidden() from None
    target = f"handoff:{request_id}" + (f" ticket:{chat.request.ticket_number}" if chat.request.ticket_number else "")
    try:
        phone = console(request).reveals.for_staff(user, target, chat.phone, "人工接待")
    except RevealRefused as refused:
        return _chat_page(request, user, request_id, error=str(refused), status=429)
    return _chat_page(request, user, request_id, revealed_phone=phone)


@router.get("/handoff/{request_id}", summary="对话")
def chat_page(request: Request, request_id: int, done: str = "", user: CurrentUser = Depends(page("handoff"))):
    return _chat_page(request, user, request_id, done=done)


@router.get("/handoff/{request_id}/feed", summary="新消息（页面轮询）")
def feed(request: Request, request_id: int, t: int = 0, h: int = 0, user: CurrentUser = Depends(page("handoff"))):
    try:
        body = reception(request).feed(user, request_id, max(t, 0), max(h, 0))
    except RequestNotFound:
        return JSONResponse({"error": "没有找到这次转人工"}, status_code=404)
    except Forbidden:
        return JSONResponse({"error": "没有权限"}, status_code=403)
    body["status_label"] = STATUS_LABELS.get(body["status"], body["status"])
    return JSONResponse(body)


def _act(request: Request, user: CurrentUser, request_id: int, done: str, operation):
    try:
        operation(reception(request))
    except RequestNotFound:
        raise not_found("转人工请求") from None
    except Forbidden:
        raise forbidden() from None
    except HandoffError as error:
        if _wants_json(request):
            return JSONResponse({"error": str(error)}, status_code=409)
        return _chat_page(request, user, request_id, error=str(error), status=409)
    if _wants_json(request):
        return JSONResponse({"ok": True})
    return see_other(f"/console/handoff/{request_id}" + (f"?done={done}" if done else ""))


@router.post("/handoff/{request_id}/reply", summary="回复市民")
def reply(request: Request, request_id: int, text: str = Form(""), user: CurrentUser = Depends(action("handoff"))):
    return _act(request, user, request_id, "", lambda app: app.reply(user, request_id, text))


@router.post("/handoff/{request_id}/return", summary="交还机器人")
def hand_back(request: Request, request_id: int, user: CurrentUser = Depends(action("handoff"))):
    return _act(request, user, request_id, "returned", lambda app: app.finish(user, request_id, RETURNED))


@router.post("/handoff/{request_id}/close", summary="结束")
def close(request: Request, request_id: int, user: CurrentUser = Depends(action("handoff"))):
    return _act(request, user, request_id, "closed", lambda app: app.finish(user, request_id, CLOSED))


@router.post("/handoff/{request_id}/ticket", summary="转成工单")
def make_ticket(
    request: Request,
    request_id: int,
    category: str = Form(""),
    summary: str = Form(""),
    description: str = Form(""),
    consent: str = Form(""),
    user: CurrentUser = Depends(action("handoff")),
):
    form = {"category": category, "summary": summary, "description": description, "consent": consent == "1"}
    app = reception(request)
    try:
        app.make_ticket(user, request_id, category, summary, description, consent == "1")
    except RequestNotFound:
        raise not_found("转人工请求") from None
    except Forbidden:
        raise forbidden() from None
    except HandoffError as error:
        return _chat_page(request, user, request_id, error=str(error), status=409, form=form)
    return see_other(f"/console/handoff/{request_id}?done=ticket")
