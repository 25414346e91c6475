"""未解决问题: groups of unresolved messages, labelling (intent + entity spans), gaps, dismissals, conversations."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Form, Query, Request

from bot.common.privacy import mask_text
from bot.console.routes.deps import ConsoleRoute, action, console, not_found, page, render, safe_next, see_other
from bot.console.services.auth import CurrentUser
from bot.console.services.inbox import DISMISSED, GAP, GAP_FIXED, OPEN, STATUS_LABELS, Span
from bot.console.services.nlu_data import LabelError
from bot.console.services.tracker import to_utc

router = APIRouter(route_class=ConsoleRoute)
GROUPS_PER_PAGE = 25
SPAN = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*[:：]\s*([a-z_]+)\s*$")
DONE = {
    "labelled": "已写入训练数据（data/nlu/staff/labelled.yml），重新训练后生效。",
    "gap": "已标记为知识缺口。",
    "dismissed": "已忽略。",
    "gap_fixed": "已标记为缺口已补。",
    "open": "已重新打开。",
    "unlabelled": "已撤销标注：例句已从训练数据中删除，消息重新待处理。",
    "nothing": "没有需要处理的消息。",
}


def parse_spans(text: str, tokens: list, spans_field: str) -> list[Span]:
    """`起-止:实体` per line or comma (token indices, inclusive) → character spans on token boundaries."""
    spans = []
    for part in re.split(r"[,，;；\n]+", spans_field or ""):
        if not part.strip():
            continue
        match = SPAN.match(part)
        if not match:
            raise LabelError(f"实体格式不对：{part.strip()}（应为 词序号-词序号:实体，如 0-1:service）")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first > last or last >= len(tokens):
            raise LabelError(f"词序号超出范围：{part.strip()}（共 {len(tokens)} 个词，从 0 开始）")
        spans.append(Span(tokens[first].start, tokens[last].end, match.group(3)))
    return spans


@router.get("/inbox", summary="未解决问题")
def inbox(
    request: Request,
    status: str = OPEN,
    done: str = "",
    q: str = "",
    page_number: int = Query(1, alias="page", ge=1, le=10_000),
    user: CurrentUser = Depends(page("inbox")),
):
    app = console(request)
    imported = app.inbox.sync()
    status = status if status in STATUS_LABELS else OPEN
    search = q.strip()[:50]
    total = app.inbox.count_groups(status, search)
    pages = max(1, -(-total // GROUPS_PER_PAGE))
    page_number = min(page_number, pages)
    groups = app.inbox.groups(status, GROUPS_PER_PAGE, (page_number - 1) * GROUPS_PER_PAGE, search)
    return render(
        request,
        "inbox.html",
        {
            "title": "未解决问题",
            "user": user,
            "groups": groups,
            "status": status,
            "q": search,
            "page": page_number,
            "pages": pages,
            "total_groups": total,
            "statuses": STATUS_LABELS,
            "counts": app.inbox.counts(),
            "imported": imported,
            "intents": app.nlu.intents(),
            "flash": DONE.get(done, ""),
        },
    )


@router.get("/inbox/groups/{group_id}", summary="一组相似问题")
def group(request: Request, group_id: int, done: str = "", user: CurrentUser = Depends(page("inbox"))):
    app = console(request)
    found, members = app.inbox.group(group_id)
    if found is None:
        raise not_found("问题分组")
    members = [m for m in members if m.reason]
    return render(
        request,
        "inbox_group.html",
        {
            "title": "相似问题",
            "user": user,
            "group": found,
            "members": members,
            "intents": app.nlu.intents(),
            "open_ids": [m.id for m in members if m.status == OPEN],
            "flash": DONE.get(done, ""),
        },
    )


def _message_page(
    request: Request,
    user: CurrentUser,
    message_id: int,
    error: str = "",
    status: int = 200,
    form: dict | None = None,
    done: str = "",
):
    app = console(request)
    message = app.inbox.message(message_id)
    if message is None or not message.reason:
        raise not_found("消息")
    return render(
        request,
        "inbox_message.html",
        {
            "title": "标注消息",
            "user": user,
            "message": message,
            "tokens": app.inbox.tokenizer.tokens(message.text),
            "intents": app.nlu.intents(),
            "entities": app.nlu.entities(),
            "error": error,
            "form": form or {},
            "flash": DONE.get(done, ""),
        },
        status=status,
    )


@router.get("/inbox/messages/{message_id}", summary="标注一条消息")
def message(request: Request, message_id: int, done: str = "", user: CurrentUser = Depends(page("inbox"))):
    return _message_page(request, user, message_id, done=done)


@router.post("/inbox/label", summary="标注意图（写入训练数据）")
def label(
    request: Request,
    message_ids: list[int] = Form([]),
    intent: str = Form(""),
    new_intent: str = Form(""),
    spans: str = Form(""),
    back: str = Form("/console/inbox"),
    user: CurrentUser = Depends(action("inbox")),
):
    app = console(request)
    chosen, is_new = (new_intent.strip(), True) if new_intent.strip() else (intent.strip(), False)
    try:
        parsed = []
        if spans.strip():
            if len(message_ids) != 1:
                raise LabelError("实体只能在单条消息上标注")
            target = app.inbox.message(message_ids[0])
            if target is None:
                raise LabelError("消息不存在")
            parsed = parse_spans(target.text, app.inbox.tokenizer.tokens(target.text), spans)
        if not chosen:
            raise LabelError("请选择一个意图，或填写新意图的名称")
        app.inbox.label(user, message_ids, chosen, new_intent=is_new, spans=parsed)
    except LabelError as error:
        if len(message_ids) == 1:
            return _message_page(
                request,
                user,
                message_ids[0],
                str(error),
                status=400,
                form={"intent": intent, "new_intent": new_intent, "spans": spans},
            )
        return render(
            request,
            "error.html",
            {"title": "无法标注", "message": str(error), "user": user, "back": safe_next(back)},
            status=400,
        )
    return see_other(_with_done(safe_next(back), "labelled"))


@router.post("/inbox/unlabel", summary="撤销标注（从训练数据中删除例句）")
def unlabel(
    request: Request,
    message_id: int = Form(...),
    back: str = Form("/console/inbox"),
    user: CurrentUser = Depends(action("inbox")),
):
    done = "unlabelled" if console(request).inbox.unlabel(user, message_id) else "nothing"
    return see_other(_with_done(safe_next(back), done))


@router.post("/inbox/decide", summary="知识缺口 / 忽略 / 重新打开")
def decide(
    request: Request,
    message_ids: list[int] = Form([]),
    status: str = Form(""),
    note: str = Form(""),
    back: str = Form("/console/inbox"),
    user: CurrentUser = Depends(action("inbox")),
):
    if status not in (GAP, DISMISSED, GAP_FIXED, OPEN):
        raise not_found("操作")
    try:
        changed = console(request).inbox.decide(user, message_ids, status, note)
    except LabelError as error:
        return render(
            request,
            "error.html",
            {"title": "无法处理", "message": str(error), "user": user, "back": safe_next(back)},
            status=400,
        )
    return see_other(_with_done(safe_next(back), status if changed else "nothing"))


def _with_done(url: str, key: str) -> str:
    base = url.split("?", 1)[0]
    query = url.split("?", 1)[1] if "?" in url else ""
    kept = "&".join(p for p in query.split("&") if p and not p.startswith("done="))
    return f"{base}?{kept + '&' if kept else ''}done={key}"


@router.get("/inbox/messages/{message_id}/conversation", summary="完整对话")
def conversation(request: Request, message_id: int, user: CurrentUser = Depends(page("inbox"))):
    app = console(request)
    message = app.inbox.message(message_id)
    if message is None:
        raise not_found("消息")
    lines = []
    for event in app.tracker.conversation(message.sender_id):
        data = event.data
        if event.type_name == "user":
            parse = data.get("parse_data") or {}
            intent = parse.get("intent") or {}
            lines.append(
                {
                    "kind": "user",
                    "at": to_utc(event.timestamp),
                    "text": mask_text(data.get("text") or ""),
                    "intent": intent.get("name"),
                    "confidence": intent.get("confidence"),
                    "current": event.id == message.event_id,
                }
            )
        elif event.type_name == "bot":
            buttons = [b.get("title", "") for b in (data.get("data") or {}).get("buttons") or [] if isinstance(b, dict)]
            lines.append(
                {
                    "kind": "bot",
                    "at": to_utc(event.timestamp),
                    "text": mask_text(data.get("text") or ""),
                    "buttons": [mask_text(b) for b in buttons],
                }
            )
        elif event.type_name == "action" and data.get("name") not in ("action_listen", None):
            lines.append({"kind": "action", "at": to_utc(event.timestamp), "text": data.get("name")})
    return render(request, "conversation.html", {"title": "完整对话", "user": user, "message": message, "lines": lines})
