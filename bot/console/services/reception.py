"""人工接待: the staff side of the live handoff, on top of bot/handoff/service.py.

Who may act (the roles holding `handoff`; only the staff member who accepted replies or ends a chat,
admins and dispatchers may read any), the audit log entry of every accept / hand back / close / ticket, and
what the staff member sees: the conversation read from Rasa's tracker store with phone and ID numbers
masked, the staff messages in between, and the citizen's earlier tickets only when the citizen gave a
phone number in this conversation (slot `contact_phone`, or a number in one of their messages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.common.privacy import mask_phone, mask_text
from bot.console.crud import audit
from bot.console.crud import handoff as queries
from bot.console.permissions import allowed
from bot.console.services.auth import CurrentUser
from bot.console.services.timefmt import china_time
from bot.console.services.tracker import Event, TrackerReader, to_utc
from bot.core.database import Database
from bot.core.tracker_privacy import reveal_event, sealed_numbers
from bot.core.vault import get_vault
from bot.handoff.models import AWAY, CONNECTED, RETURNED, HandoffEvent, HandoffRequest
from bot.handoff.service import CHANNEL_LABELS, Agent, HandoffError, HandoffService
from bot.tickets.choices import Category
from bot.tickets.schemas import normalize_phone
from bot.tickets.service import NewTicket, TicketService

PHONE_SLOT = "contact_phone"
# Mobile (optionally +86, spaces or dashes) or landline with area code, not inside a longer number.
PHONE_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?86[-\s]?)?(1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}|0\d{2,3}-?\d{7,8})(?![0-9A-Za-z])"
)
LINES_SHOWN = 300
SUMMARY_MAX = 40


class Forbidden(Exception):
    pass


@dataclass
class Line:
    kind: str  # user | bot | staff | status
    text: str  # masked
    at: datetime  # naive UTC
    who: str = ""
    cursor: str = ""  # t<tracker event id> | h<handoff event id>

    def out(self) -> dict:
        return {
            "kind": self.kind,
            "text": self.text,
            "who": self.who,
            "at": china_time(self.at, True),
            "cursor": self.cursor,
        }


@dataclass
class Chat:
    request: HandoffRequest
    lines: list[Line]
    can_act: bool
    phone: str | None  # normalized, never shown
    tickets: list = field(default_factory=list)
    tracker_cursor: int = 0
    event_cursor: int = 0

    @property
    def phone_masked(self) -> str | None:
        return mask_phone(self.phone) if self.phone else None


def agent_of(user: CurrentUser) -> Agent:
    return Agent(user_id=user.id, username=user.username, display_name=user.display_name)


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def phone_in(events: Iterable[Event]) -> str | None:
    """The latest phone number the citizen gave in these events (normalized), or None. The tracker store
    keeps it sealed (bot/core/tracker_privacy.py): opened here, with the key this backend shares with Rasa."""
    found, vault = None, get_vault()
    for event in events:
        candidates = []
        if event.type_name == "slot" and event.data.get("name") == PHONE_SLOT:
            value = reveal_event(event.data, vault).get("value")
            candidates = [value] if isinstance(value, str) else []
        elif event.type_name == "user":
            text = " ".join([str(event.data.get("text") or ""), *sealed_numbers(event.data, vault)])
            candidates = [m.group(1) for m in PHONE_IN_TEXT.finditer(text)]
        for candidate in candidates:
            try:
                found = normalize_phone(candidate)
            except ValueError:
                continue
    return found


def tracker_lines(events: Iterable[Event]) -> list[Line]:
    lines = []
    for event in events:
        text = str(event.data.get("text") or "")
        if event.type_name == "user" and text:
            lines.append(Line("user", mask_text(text), to_utc(event.timestamp), "市民", f"t{event.id}"))
        elif event.type_name == "bot" and text:
            lines.append(Line("bot", mask_text(text), to_utc(event.timestamp), "小助手", f"t{event.id}"))
    return lines


def handoff_lines(events: Iterable[HandoffEvent]) -> list[Line]:
    lines = []
    for event in events:
        if event.kind == "message":
            lines.append(Line("staff", event.text, event.at, f"人工客服 · {event.staff_display_name}", f"h{event.id}"))
        elif event.kind == "status":
            lines.append(Line("status", event.text, event.at, "", f"h{event.id}"))
    return lines


class Reception:
    def __init__(self, db: Database, handoff: HandoffService, tracker: TrackerReader, tickets: TicketService):
        self.db = db
        self.handoff = handoff
        self.tracker = tracker
        self.tickets = tickets

    # ------------------------------------------------------------ overview
    def overview(self, user: CurrentUser) -> dict:
        agent = agent_of(user)
        self.handoff.heartbeat(agent)
        me = self.handoff.presence_of(agent)
        connected = self.handoff.connected()
        rows = self.handoff.presence()
        serving = {r.staff_user_id for r in connected}
        return {
            "online": self.handoff.is_available(me),
            "queue": self.handoff.queue(),
            "mine": [r for r in connected if r.staff_user_id == user.id],
            "others": [r for r in connected if r.staff_user_id != user.id] if allowed(user.role, "tickets.all") else [],
            "staff": [
                {"name": r.display_name, "online": self.handoff.is_available(r), "serving": r.user_id in serving}
                for r in rows
            ],
            "opening": self.handoff.opening(),
        }

    def set_presence(self, user: CurrentUser, status: str) -> None:
        self.handoff.set_presence(agent_of(user), status)

    def leave(self, user: CurrentUser) -> None:
        """Logging out ends being 在线 (chats already accepted stay until handed back or abandoned)."""
        if self.handoff.presence_of(agent_of(user)) is not None:
            self.handoff.set_presence(agent_of(user), AWAY)

    # ------------------------------------------------------------ one chat
    def _request(self, user: CurrentUser, request_id: int) -> HandoffRequest:
        request = self.handoff.get(request_id)
        if request.staff_user_id != user.id and not allowed(user.role, "tickets.all"):
            raise Forbidden()
        return request

    def chat(self, user: CurrentUser, request_id: int) -> Chat:
        request = self._request(user, request_id)
        self.handoff.heartbeat(agent_of(user))
        events = self.tracker.conversation(request.conversation_id, limit=5000)
        staff_events = self.handoff.staff_events(request.id)
        lines = sorted(tracker_lines(events) + handoff_lines(staff_events), key=lambda line: line.at)[-LINES_SHOWN:]
        phone = phone_in(events)
        tickets = []
        if phone:
            with self.db.session() as session:
                tickets = queries.tickets_with_phone(session, phone)
        return Chat(
            request=request,
            lines=lines,
            phone=phone,
            tickets=tickets,
            can_act=request.status == CONNECTED and request.staff_user_id == user.id,
            tracker_cursor=max((e.id for e in events), default=0),
            event_cursor=max((e.id for e in staff_events), default=0),
        )

    def feed(self, user: CurrentUser, request_id: int, after_tracker: int, after_event: int) -> dict:
        """What is new since the page's cursors: citizen and bot messages, staff messages, status."""
        request = self._request(user, request_id)
        self.handoff.heartbeat(agent_of(user))
        events = self.tracker.events_of([request.conversation_id], after_tracker + 1)
        staff_events = self.handoff.staff_events(request.id, after_event)
        lines = sorted(tracker_lines(events) + handoff_lines(staff_events), key=lambda line: line.at)
        return {
            "status": request.status,
            "can_act": request.status == CONNECTED and request.staff_user_id == user.id,
            "lines": [line.out() for line in lines],
            "tracker_cursor": max([after_tracker] + [e.id for e in events]),
            "event_cursor": max([after_event] + [e.id for e in staff_events]),
            "phone": bool(phone_in(events)),
        }

    # ------------------------------------------------------------ actions (audited)
    def _audit(self, user: CurrentUser, action: str, request: HandoffRequest, **after) -> None:
        with self.db.session(write=True) as session:
            audit.record(
                session,
                user.username,
                user.role,
                action,
                f"handoff:{request.id}",
                after={"conversation": request.conversation_id, "channel": request.channel, **after},
            )

    def accept(self, user: CurrentUser, request_id: int) -> HandoffRequest:
        request = self.handoff.accept(request_id, agent_of(user))
        self._audit(user, "handoff.accept", request, reason=request.reason, elderly=request.elderly)
        return request

    def reply(self, user: CurrentUser, request_id: int, text: str) -> HandoffEvent:
        return self.handoff.send(request_id, agent_of(user), text)

    def finish(self, user: CurrentUser, request_id: int, outcome: str) -> HandoffRequest:
        request = self.handoff.finish(request_id, agent_of(user), outcome)
        self._audit(user, "handoff.return" if outcome == RETURNED else "handoff.close", request)
        return request

    def ticket_draft(self, chat: Chat) -> dict:
        """Prefilled from what the citizen said (masked): the summary from their longest message since the
        handoff began (else of the whole conversation), the description all of it."""
        said = [line for line in chat.lines if line.kind == "user" and not line.text.startswith("/")]
        recent = [line for line in said if line.at >= chat.request.created_at] or said
        summary = max((line.text for line in recent), key=len, default="市民通过人工客服反映的问题")
        return {
            "category": Category.HELP.value,
            "summary": summary[:SUMMARY_MAX],
            "description": "\n".join(line.text for line in said) or summary,
        }

    def make_ticket(
        self, user: CurrentUser, request_id: int, category: str, summary: str, description: str, consent: bool
    ) -> str:
        """A ticket from this chat through the ticket service (idempotent per chat); tells the citizen its number."""
        request = self._request(user, request_id)
        if request.status != CONNECTED or request.staff_user_id != user.id:
            raise HandoffError("只有正在接待这位市民的工作人员可以转成工单。")
        if category not in {c.value for c in Category}:
            raise HandoffError("请选择工单类别。")
        summary, description = summary.strip(), description.strip()
        if not summary or len(summary) > 200:
            raise HandoffError("请填写摘要（200 字以内）。")
        if not description:
            raise HandoffError("请填写详细描述。")
        phone = phone_in(self.tracker.conversation(request.conversation_id, limit=5000))
        if not phone:
            raise HandoffError("市民还没有留联系电话：请先请市民在对话里留下手机号，工单要靠它答复和查询进度。")
        ticket, created = self.tickets.create(
            NewTicket(
                category=category,
                summary=summary,
                description=description,
                phone=phone,
                consent=consent,
                channel=f"人工客服-{channel_label(request.channel)}"[:50],
                conversation_id=request.conversation_id,
            ),
            idempotency_key=f"handoff-{request.id}",
        )
        if created:  # a second click finds the same ticket; the citizen has its number already
            self.handoff.attach_ticket(request.id, agent_of(user), ticket.number)
            self._audit(user, "handoff.ticket", request, ticket=ticket.number, category=category)
        return ticket.number
