"""我的工单: the citizen's own tickets, listed with their progress (受理 → 转办 → 办理 → 反馈 → 办结).

Own means filed in this conversation, or in an earlier web-chat session of the same browser (the page
sends those ids as `earlier_sessions` in the message metadata; only the page's random `web-…` ids are
taken, so a guessable sender id of another channel can never be asked for). Any other ticket is seen
only through the status query (number + phone digits), which this hands over to when there is nothing
to list or a ticket number was typed.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import outbox
from actions.api.tickets import BackendUnavailable, TicketClient, TicketClientError
from actions.common import is_elderly
from actions.contact import read_ticket_reference

WEB_SESSION = re.compile(r"^web-[0-9a-f]{32}$")  # bot/web/static/chat.js newSessionId()
MAX_EARLIER = 10
SHOWN = 5  # tickets written out in the text; the page shows them all as cards
STAGE_WORDS = {  # what each status means to a citizen (长辈模式 says it this way)
    "已受理": "已收到，正在分派",
    "已转办": "已交给承办部门",
    "办理中": "部门正在办理",
    "已反馈": "部门已答复",
    "已办结": "已办完",
    "已退回": "正在重新分派",
}
OTHER_TICKET = {"title": "查询其他工单", "payload": "/check_ticket"}


def own_conversations(tracker: Tracker) -> list[str]:
    """This conversation first, then the browser's earlier web sessions (validated, at most MAX_EARLIER)."""
    ids = [tracker.sender_id]
    metadata = tracker.latest_message.get("metadata") or {}
    earlier = metadata.get("earlier_sessions") if isinstance(metadata, dict) else None
    if isinstance(earlier, list):
        for value in earlier[:MAX_EARLIER]:
            if isinstance(value, str) and WEB_SESSION.match(value) and value not in ids:
                ids.append(value)
    return ids


def queued_reference(tracker: Tracker) -> str | None:
    """A complaint of this conversation still waiting in the outbox (temporary reference Q…)."""
    last = tracker.get_slot("last_ticket") or ""
    found = re.search(r"\bQ[0-9A-Z]{6}\b", last)
    if found and not outbox.lookup(found.group(0)):
        return found.group(0)
    return None


def day(value: Any) -> str:
    text = str(value or "")
    return f"{int(text[5:7])}月{int(text[8:10])}日" if len(text) >= 10 and text[4] == "-" else text


def card_of(ticket: dict[str, Any]) -> dict[str, Any]:
    """What the web page needs for one card: no phone, no name."""
    closed = ticket.get("status") == "已办结"
    return {
        "number": ticket.get("number"),
        "category": ticket.get("category"),
        "summary": ticket.get("summary"),
        "status": ticket.get("status"),
        "department": ticket.get("department") or "待分派",
        "due_date": None if closed else ticket.get("due_date"),
        "reply": ticket.get("reply"),
        "history": [{"stage": h.get("stage"), "at": str(h.get("at") or "")} for h in ticket.get("history") or []],
    }


def plain_lines(tickets: list[dict[str, Any]]) -> list[str]:
    lines = [f"您登记的工单（共 {len(tickets)} 件，最新的在前）："]
    for i, ticket in enumerate(tickets[:SHOWN], 1):
        lines.append(f"{i}. {ticket['number']}｜{ticket['category']}｜{ticket['status']}")
        lines.append(f"   {ticket['summary']}")
        if ticket["history"]:
            lines.append("   经过：" + " → ".join(f"{h['stage']}（{day(h['at'])}）" for h in ticket["history"]))
        if ticket["due_date"]:
            lines.append(f"   承办：{ticket['department']}，预计 {ticket['due_date']} 前答复")
        if ticket["reply"]:
            lines.append(f"   答复：{ticket['reply']}")
    if len(tickets) > SHOWN:
        lines.append(f"更早的 {len(tickets) - SHOWN} 件请按工单号查询。")
    lines.append("要看别的工单，请点“查询其他工单”，用工单号和手机号后四位查询。")
    return lines


def elderly_lines(tickets: list[dict[str, Any]]) -> list[str]:
    lines = [f"您有 {len(tickets)} 件工单。"]
    for i, ticket in enumerate(tickets[:3], 1):
        lines.append(f"{i}. 尾号 {ticket['number'][-4:]}：{STAGE_WORDS.get(ticket['status'], ticket['status'])}")
    return lines


class ActionMyTickets(Action):
    def name(self) -> str:
        return "action_my_tickets"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        elderly = is_elderly(tracker)
        if read_ticket_reference(tracker.latest_message.get("text") or ""):
            return [FollowupAction("ticket_status_form")]  # a number was given: the status query takes it
        try:
            found = TicketClient().tickets_of_conversations(own_conversations(tracker))
        except (BackendUnavailable, TicketClientError):
            dispatcher.utter_message(
                text="工单系统暂时连不上，请稍后再试。"
                if elderly
                else "工单系统暂时连不上，请稍后再试，或拨打 12345 政务服务便民热线查询。"
            )
            return []
        tickets = [card_of(t) for t in found if isinstance(t, dict) and t.get("number")]
        queued = queued_reference(tracker)
        if queued:
            dispatcher.utter_message(
                text=f"临时编号 {queued} 的诉求还在提交中，系统恢复后会自动提交。"
                if not elderly
                else f"临时编号 {queued}\n还在提交，不会丢。"
            )
        if not tickets:
            dispatcher.utter_message(
                text="这里还没有您的工单。\n有工单号的话，我帮您查。"
                if elderly
                else "这个对话里还没有您登记的工单。有工单号的话，可以按工单号查询："
            )
            return [FollowupAction("ticket_status_form")]
        lines = elderly_lines(tickets) if elderly else plain_lines(tickets)
        button = {**OTHER_TICKET, "title": f"1 {OTHER_TICKET['title']}"} if elderly else OTHER_TICKET
        dispatcher.utter_message(
            text="\n".join(lines), buttons=[button], json_message={"type": "my_tickets", "tickets": tickets}
        )
        return []
