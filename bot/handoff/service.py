"""The handoff queue and live chats: office hours, staff availability, accept, messages, hand back, expiry.

A request is answered `queued` only within the online service hours of knowledge/calendar.yml and while at
least one staff member is 在线 on the console's 人工接待 page (their page polls; `presence_seconds` without a
poll and they no longer count); otherwise `closed` with the reason and the next opening. Accepting pauses
the Rasa conversation (bot/handoff/rasa.py), handing back or closing resumes it; Rasa is changed first and
the request only if that worked, so the bot is never left silent for a chat that has ended.
A queued request nobody accepts within `wait_seconds` expires; a connected chat whose staff page stopped
polling for `abandon_seconds` goes back to the bot (`sweep`, run periodically and before reads).
Every status change and staff message is an event the citizen's side polls (`events`).
"""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bot.common.clock import CHINA_TZ
from bot.core.database import Database
from bot.handoff import crud
from bot.handoff.models import (
    AWAY,
    CANCELLED,
    CLOSED,
    CONNECTED,
    EXPIRED,
    ONLINE,
    QUEUED,
    RETURNED,
    HandoffEvent,
    HandoffRequest,
    StaffPresence,
)
from bot.handoff.rasa import RasaConversations, RasaUnavailable
from bot.knowledge.calendar import CalendarFile, describe
from bot.tickets.models import utcnow

log = logging.getLogger(__name__)

REASONS = ("asked", "fallback", "elderly")
REASON_LABELS = {"asked": "市民要求", "fallback": "机器人没答上", "elderly": "长辈模式求助"}
CHANNEL_LABELS = {"web": "网页对话", "socketio": "网页对话", "rest": "App 接口", "wechat": "微信公众号"}
HOTLINE = "12345"
MESSAGE_MAX = 1000
DEFAULT_MINUTES_PER_CITIZEN = 5.0
POLL_AFTER_MS = 2000
PRESENCE_WRITE_EVERY = timedelta(seconds=10)

# What the citizen's side shows for each status (REST apps can show `text` as it is).
STATUS_TEXT = {
    QUEUED: "已为您转人工客服，正在排队，请稍候。",
    CONNECTED: "人工客服 · {name} 已接入，请直接说您的问题。",
    RETURNED: "人工客服已结束，您可以继续问我。",
    CLOSED: "人工客服已结束本次服务，您可以继续问我。",
    EXPIRED: (
        f"暂时没有工作人员接入。您可以拨打 {HOTLINE} 政务服务便民热线（7×24 小时人工服务），"
        "或者预约回电，工作人员会在工作时间给您回电话。"
    ),
    CANCELLED: "已取消排队。",
}
CITIZEN_ENDED_TEXT = "您已结束人工服务，可以继续问我。"
ABANDONED_TEXT = "人工客服暂时离开了，对话已交还给小助手，您可以继续问我。"
TICKET_TEXT = "已为您登记工单，工单号 {number}。凭工单号和手机号后四位可以随时查询办理进度。"


class RequestNotFound(Exception):
    pass


class HandoffError(ValueError):
    """A refused staff or citizen action; the message (Chinese) is shown as it is."""


@dataclass(frozen=True)
class Agent:
    """A staff member as the handoff knows them (the console's user, by id)."""

    user_id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class HandoffConfig:
    wait_seconds: int = 180
    presence_seconds: int = 60
    abandon_seconds: int = 300


@dataclass(frozen=True)
class Opening:
    open: bool
    reason: str | None = None  # outside_hours | no_staff
    next_open: datetime | None = None
    staff: int = 0


def china_iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA_TZ).isoformat(timespec="seconds")


def event_out(event: HandoffEvent) -> dict:
    return {
        "id": event.id,
        "kind": event.kind,
        "status": event.status,
        "text": event.text,
        "staff_display_name": event.staff_display_name,
        "ticket_number": event.ticket_number,
        "at": china_iso(event.at),
    }


class HandoffService:
    def __init__(
        self, db: Database, calendar: CalendarFile, rasa: RasaConversations, config: HandoffConfig = HandoffConfig()
    ):
        self.db = db
        self.calendar = calendar
        self.rasa = rasa
        self.config = config

    # ------------------------------------------------------------ availability
    def opening(self, now: datetime | None = None) -> Opening:
        now = now or utcnow()
        calendar = self.calendar.get()
        if not calendar.is_open(now):
            return Opening(False, "outside_hours", calendar.next_open(now))
        with self.db.session() as session:
            staff = crud.available_staff(session, now - timedelta(seconds=self.config.presence_seconds))
        if staff == 0:
            return Opening(False, "no_staff", None)
        return Opening(True, staff=staff)

    def _minutes_per_citizen(self) -> float:
        with self.db.session() as session:
            durations = crud.recent_durations(session)
        if not durations:
            return DEFAULT_MINUTES_PER_CITIZEN
        return min(max(sum(durations) / len(durations) / 60, 1.0), 30.0)

    def expected_wait_minutes(self, position: int, staff: int) -> int:
        """Estimated from recent chat lengths; never more than the queue timeout (then the request expires)."""
        minutes = math.ceil(position * self._minutes_per_citizen() / max(staff, 1))
        return max(1, min(minutes, math.ceil(self.config.wait_seconds / 60)))

    # ------------------------------------------------------------ the bot's side
    def request(self, conversation_id: str, channel: str, reason: str, elderly: bool) -> dict:
        """Join the queue (or get the open request of this conversation again), or `closed` with why."""
        now = utcnow()
        self.sweep(now, abandon=False)
        with self.db.session() as session:
            existing = crud.open_for(session, conversation_id)
        if existing is not None:
            return self._answer(existing)
        opening = self.opening(now)
        if not opening.open:
            log.info("转人工未排队：%s", opening.reason)
            return {
                "status": "closed",
                "reason": opening.reason,
                "next_open": china_iso(opening.next_open),
                "next_open_text": describe(opening.next_open, now) if opening.next_open else None,
                "hotline": HOTLINE,
            }
        try:
            with self.db.session(write=True) as session:
                existing = crud.open_for(session, conversation_id)  # re-check under the write lock
                if existing is not None:
                    return self._answer(existing)
                request = HandoffRequest(
                    conversation_id=conversation_id,
                    open_conversation=conversation_id,
                    channel=channel,
                    reason=reason,
                    elderly=elderly,
                    status=QUEUED,
                    poll_token=secrets.token_urlsafe(24),
                    created_at=now,
                    updated_at=now,
                    expires_at=now + timedelta(seconds=self.config.wait_seconds),
                )
                session.add(request)
                session.flush()
                crud.add_event(session, request, "status", STATUS_TEXT[QUEUED], now)
        except IntegrityError:  # a concurrent request of the same conversation won (PostgreSQL)
            with self.db.session() as session:
                existing = crud.open_for(session, conversation_id)
            if existing is None:
                raise
            return self._answer(existing)
        log.info("转人工排队 #%s（%s）", request.id, reason)
        return self._answer(request, staff=opening.staff)

    def _answer(self, request: HandoffRequest, staff: int | None = None) -> dict:
        answer = {
            "status": request.status,
            "request_id": request.id,
            "poll_token": request.poll_token,
            "events_url": f"/api/handoff/{request.id}/events?token={request.poll_token}",
        }
        if request.status == QUEUED:
            position = self.position(request)
            if staff is None:
                staff = max(self.opening().staff, 1)
            answer.update(
                position=position,
                ahead=position - 1,
                wait_seconds=self.config.wait_seconds,
                expected_wait_minutes=self.expected_wait_minutes(position, staff),
            )
        else:
            answer["staff_display_name"] = request.staff_display_name
        return answer

    def position(self, request: HandoffRequest) -> int:
        with self.db.session() as session:
            return crud.queued_before(session, request.id) + 1

    # ------------------------------------------------------------ the citizen's side
    def _checked(self, session, request_id: int, token: str, for_update: bool = False) -> HandoffRequest:
        request = crud.get(session, request_id, for_update=for_update)
        if request is None or not token or not secrets.compare_digest(request.poll_token.encode(), token.encode()):
            raise RequestNotFound(request_id)
        return request

    def events(self, request_id: int, token: str, after: int = 0) -> dict:
        with self.db.session() as session:
            request = self._checked(session, request_id, token)
        if request.status == QUEUED and request.expires_at <= utcnow():
            self.sweep(abandon=False)
        with self.db.session() as session:
            request = self._checked(session, request_id, token)
            events = crud.events_after(session, request_id, after)
        body = {
            "request_id": request.id,
            "status": request.status,
            "staff_display_name": request.staff_display_name,
            "events": [event_out(e) for e in events],
            "poll_after_ms": POLL_AFTER_MS if request.status in (QUEUED, CONNECTED) else None,
        }
        if request.status == QUEUED:
            body["position"] = self.position(request)
            body["ahead"] = body["position"] - 1
        return body

    def cancel(self, request_id: int, token: str | None = None) -> dict:
        """The citizen leaves the queue, or ends a live chat (Rasa resumes). `token=None`: the bot asks."""
        with self.db.session() as session:
            request = crud.get(session, request_id) if token is None else self._checked(session, request_id, token)
            if request is None:
                raise RequestNotFound(request_id)
        if request.status == CONNECTED:
            self._resume(request)
            self._end(request_id, (CONNECTED,), CLOSED, "citizen", CITIZEN_ENDED_TEXT)
        elif request.status == QUEUED:
            self._end(request_id, (QUEUED,), CANCELLED, "citizen", STATUS_TEXT[CANCELLED])
        with self.db.session() as session:
            request = crud.get(session, request_id)
        assert request is not None  # requests are never deleted
        return {"request_id": request.id, "status": request.status}

    def cancel_open(self, conversation_id: str) -> dict | None:
        """The bot cancels whatever is open for this conversation (/cancel_handoff); None when nothing is."""
        with self.db.session() as session:
            request = crud.open_for(session, conversation_id)
        return self.cancel(request.id) if request is not None else None

    # ------------------------------------------------------------ the staff side
    def get(self, request_id: int) -> HandoffRequest:
        with self.db.session() as session:
            request = crud.get(session, request_id)
        if request is None:
            raise RequestNotFound(request_id)
        return request

    def queue(self) -> list[dict]:
        self.sweep(abandon=False)
        now = utcnow()
        with self.db.session() as session:
            rows = crud.with_status(session, QUEUED)
        return [
            {
                "request": r,
                "position": i + 1,
                "waiting_seconds": int((now - r.created_at).total_seconds()),
                "left_seconds": max(int((r.expires_at - now).total_seconds()), 0),
            }
            for i, r in enumerate(rows)
        ]

    def connected(self, staff_user_id: int | None = None) -> list[HandoffRequest]:
        with self.db.session() as session:
            return crud.with_status(session, CONNECTED, staff_user_id)

    def staff_events(self, request_id: int, after: int = 0) -> list[HandoffEvent]:
        with self.db.session() as session:
            return crud.events_after(session, request_id, after, limit=1000)

    def accept(self, request_id: int, agent: Agent) -> HandoffRequest:
        now = utcnow()
        with self.db.session(write=True) as session:
            request = crud.get(session, request_id, for_update=True)
            if request is None:
                raise RequestNotFound(request_id)
            if request.status == QUEUED and request.expires_at <= now:
                raise HandoffError("这位市民等待超时，已改为请其拨打 12345 或预约回电。")
            if request.status != QUEUED:
                if request.status == CONNECTED:
                    raise HandoffError(f"这位市民已由{request.staff_display_name}接待。")
                raise HandoffError("这次转人工已经结束（市民取消或等待超时）。")
            request.status, request.accepted_at, request.updated_at = CONNECTED, now, now
            request.staff_user_id, request.staff_username = agent.user_id, agent.username
            request.staff_display_name = agent.display_name
        try:
            self.rasa.pause(request.conversation_id)
        except RasaUnavailable:
            with self.db.session(write=True) as session:
                session.execute(
                    update(HandoffRequest)
                    .where(
                        HandoffRequest.id == request_id,
                        HandoffRequest.status == CONNECTED,
                        HandoffRequest.staff_user_id == agent.user_id,
                    )
                    .values(
                        status=QUEUED,
                        accepted_at=None,
                        staff_user_id=None,
                        staff_username=None,
                        staff_display_name=None,
                        updated_at=utcnow(),
                    )
                )
            raise HandoffError("对话服务暂时连不上，没能接入，请稍后再试。") from None
        with self.db.session(write=True) as session:
            request = crud.get(session, request_id)
            assert request is not None  # requests are never deleted
            crud.add_event(
                session,
                request,
                "status",
                STATUS_TEXT[CONNECTED].format(name=agent.display_name),
                utcnow(),
                staff_display_name=agent.display_name,
            )
        log.info("转人工 #%s 已由 %s 接入", request_id, agent.username)
        return request

    def _own_connected(self, session, request_id: int, agent: Agent) -> HandoffRequest:
        request = crud.get(session, request_id, for_update=True)
        if request is None:
            raise RequestNotFound(request_id)
        if request.status != CONNECTED:
            raise HandoffError("这次人工接待已经结束。")
        if request.staff_user_id != agent.user_id:
            raise HandoffError(f"这位市民由{request.staff_display_name}接待，只有接待人可以回复或结束。")
        return request

    def send(self, request_id: int, agent: Agent, text: str, ticket_number: str | None = None) -> HandoffEvent:
        text = (text or "").strip()
        if not text:
            raise HandoffError("请输入要发给市民的话。")
        if len(text) > MESSAGE_MAX:
            raise HandoffError(f"一条消息不能超过 {MESSAGE_MAX} 字，请分几条发送。")
        with self.db.session(write=True) as session:
            request = self._own_connected(session, request_id, agent)
            return crud.add_event(
                session,
                request,
                "message",
                text,
                utcnow(),
                staff_display_name=agent.display_name,
                ticket_number=ticket_number,
            )

    def finish(self, request_id: int, agent: Agent, outcome: str) -> HandoffRequest:
        """交还机器人 (returned) or 结束 (closed): Rasa resumes first; on failure nothing changes."""
        if outcome not in (RETURNED, CLOSED):
            raise ValueError(outcome)
        with self.db.session() as session:
            request = self._own_connected(session, request_id, agent)
        self._resume(request)
        self._end(request_id, (CONNECTED,), outcome, "staff", STATUS_TEXT[outcome])
        log.info("转人工 #%s 已%s", request_id, "交还机器人" if outcome == RETURNED else "结束")
        return self.get(request_id)

    def attach_ticket(self, request_id: int, agent: Agent, number: str) -> HandoffEvent:
        with self.db.session(write=True) as session:
            request = self._own_connected(session, request_id, agent)
            request.ticket_number = number
        return self.send(request_id, agent, TICKET_TEXT.format(number=number), ticket_number=number)

    # ------------------------------------------------------------ presence
    def presence(self) -> list[StaffPresence]:
        with self.db.session() as session:
            return crud.all_presence(session)

    def presence_of(self, agent: Agent) -> StaffPresence | None:
        with self.db.session() as session:
            return crud.presence(session, agent.user_id)

    def is_available(self, row: StaffPresence | None, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (
            row is not None
            and row.status == ONLINE
            and row.last_seen_at >= now - timedelta(seconds=self.config.presence_seconds)
        )

    def set_presence(self, agent: Agent, status: str) -> None:
        if status not in (ONLINE, AWAY):
            raise HandoffError("请选择在线或离开。")
        now = utcnow()
        with self.db.session(write=True) as session:
            row = crud.presence(session, agent.user_id)
            if row is None:
                row = StaffPresence(user_id=agent.user_id)
                session.add(row)
            row.username, row.display_name, row.status = agent.username, agent.display_name, status
            row.last_seen_at = row.changed_at = now

    def heartbeat(self, agent: Agent) -> None:
        """The staff member's page is open: refresh last_seen (at most every few seconds)."""
        now = utcnow()
        with self.db.session() as session:
            row = crud.presence(session, agent.user_id)
        every = min(PRESENCE_WRITE_EVERY, timedelta(seconds=self.config.presence_seconds / 4))
        if row is not None and now - row.last_seen_at < every:
            return
        with self.db.session(write=True) as session:
            row = crud.presence(session, agent.user_id)
            if row is None:  # first visit: 离开 until they say 在线
                session.add(
                    StaffPresence(
                        user_id=agent.user_id,
                        username=agent.username,
                        display_name=agent.display_name,
                        status=AWAY,
                        last_seen_at=now,
                        changed_at=now,
                    )
                )
            else:
                row.last_seen_at = now

    # ------------------------------------------------------------ housekeeping
    def sweep(self, now: datetime | None = None, abandon: bool = True) -> dict:
        """Expire queued requests past their wait; hand chats whose staff page went quiet back to the bot."""
        now = now or utcnow()
        expired = 0
        with self.db.session() as session:
            due = [r.id for r in crud.due_to_expire(session, now)]
        for request_id in due:
            expired += self._end(request_id, (QUEUED,), EXPIRED, "system", STATUS_TEXT[EXPIRED], now=now)
        returned = 0
        if abandon:
            with self.db.session() as session:
                quiet = crud.connected_with_staff_unseen_since(
                    session, now - timedelta(seconds=self.config.abandon_seconds)
                )
            for request in quiet:
                try:
                    self._resume(request)
                except HandoffError:
                    continue  # Rasa is down: try again next round
                returned += self._end(request.id, (CONNECTED,), RETURNED, "system", ABANDONED_TEXT)
        if expired or returned:
            log.info("转人工：%d 个排队超时，%d 个对话交还机器人（工作人员离开）", expired, returned)
        return {"expired": expired, "returned": returned}

    def _resume(self, request: HandoffRequest) -> None:
        try:
            self.rasa.resume(request.conversation_id)
        except RasaUnavailable:
            raise HandoffError("对话服务暂时连不上，机器人还不能接回对话，请稍后再试。") from None

    def _end(
        self, request_id: int, from_statuses: tuple, status: str, by: str, text: str, now: datetime | None = None
    ) -> int:
        """Move an open request to an end status (once: 0 if it had already moved on)."""
        now = now or utcnow()
        with self.db.session(write=True) as session:
            request = crud.get(session, request_id, for_update=True)
            if request is None or request.status not in from_statuses:
                return 0
            request.status, request.open_conversation = status, None
            request.ended_at, request.ended_by, request.updated_at = now, by, now
            crud.add_event(session, request, "status", text, now, staff_display_name=request.staff_display_name)
        return 1
