"""Delivery: claim due notices (a lease, so a second worker or a restarted backend does not take the same row
while it is being sent), send each through its provider outside any transaction, record the outcome.

A failure waits `NotifySettings.delay_after(attempts)` before the next try; after `max_attempts` the notice is
failed (shown in the console, where staff may send it again). A backend killed while a notice is claimed leaves
the lease to run out: the notice is then taken up by the next round, so nothing is lost; and since the cut-off
attempt may have reached the provider, a provider that keeps records (SMS: QuerySendDetails by our OutId) is
asked first, so it is not sent twice. (WeChat's template API keeps no such record: there a send cut off by a
crash in the moment between WeChat's answer and our record may be repeated.)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from bot.common.clock import CHINA_TZ
from bot.core.database import Database
from bot.notify.config import NotifySettings
from bot.notify.models import DELIVERED, FAILED, PENDING, SENDING, Notice
from bot.notify.providers.base import DeliveryError, Outgoing, Provider, Reconciling
from bot.notify.providers.web import PULLED_CHANNELS
from bot.tickets.models import utcnow

log = logging.getLogger(__name__)

# The template of an event (a digest's event is digest:<day>); any other event is a status notice.
KIND_OF_EVENT = {"due_soon": "warning", "overdue": "warning", "digest": "digest"}


@dataclass
class RoundResult:
    delivered: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


class Deliverer:
    def __init__(
        self,
        db: Database,
        settings: NotifySettings,
        providers: dict[str, Provider],
        resolve_address: Callable[[Notice], str | None],
    ):
        self.db, self.settings, self.providers, self.resolve_address = db, settings, providers, resolve_address

    def claim(self, now: datetime) -> list[tuple[Notice, bool]]:
        """Due notices, each with whether an earlier attempt was cut off (its lease ran out while sending)."""
        lease = now + timedelta(seconds=self.settings.lease_seconds)
        # A ticket's notices reach each recipient in order: 已办结 waits while 已反馈 is still being retried.
        earlier = aliased(Notice)
        waits_for_earlier = exists().where(
            earlier.ticket_id == Notice.ticket_id,
            earlier.recipient == Notice.recipient,
            earlier.channel == Notice.channel,
            earlier.id < Notice.id,
            earlier.state.in_((PENDING, SENDING)),
        )
        due_now = and_(
            Notice.channel.not_in(sorted(PULLED_CHANNELS)),
            or_(
                and_(Notice.state == PENDING, Notice.next_attempt_at <= now),
                and_(Notice.state == SENDING, Notice.lease_until < now),  # its worker died
            ),
            ~waits_for_earlier,
        )
        with self.db.session() as session:  # most rounds find nothing: no write lock for them
            if session.execute(select(Notice.id).where(due_now).limit(1)).first() is None:
                return []
        with self.db.session(write=True) as session:
            due = (
                session.execute(
                    select(Notice)
                    .where(due_now)
                    .order_by(Notice.id)
                    .limit(self.settings.batch)
                    .with_for_update(skip_locked=True)
                )
                .scalars()
                .all()
            )
            claimed = []
            for notice in due:
                claimed.append((notice, notice.state == SENDING))
                notice.state, notice.lease_until, notice.attempts = SENDING, lease, notice.attempts + 1
        return claimed

    def run_once(self, now: datetime | None = None) -> RoundResult:
        result = RoundResult()
        for notice, cut_off in self.claim(now or utcnow()):
            self._deliver(notice, cut_off, result)
        return result

    def _deliver(self, notice: Notice, cut_off: bool, result: RoundResult) -> None:
        provider = self.providers.get(notice.channel)
        ref, error = None, None
        if provider is None:
            error = DeliveryError(f"“{notice.channel}”通道未配置", permanent=True)
        else:
            address = self.resolve_address(notice)
            if not address:
                error = DeliveryError("没有可用的接收地址", permanent=True)
            else:
                message = Outgoing(
                    key=notice.idempotency_key,
                    address=address,
                    text=notice.text,
                    kind=KIND_OF_EVENT.get(notice.event.split(":")[0], "status"),
                    params=json.loads(notice.params or "{}"),
                )
                try:
                    ref = self._sent_before(provider, message, notice) if cut_off else None
                    ref = ref or provider.send(message)
                except DeliveryError as refused:
                    error = refused
                except Exception as unexpected:  # a provider bug must not stop the round
                    log.exception("通知发送出错（%s）", notice.idempotency_key)
                    error = DeliveryError(f"发送出错：{type(unexpected).__name__}")
        self._record(notice.id, ref, error, result)

    def _sent_before(self, provider: Provider, message: Outgoing, notice: Notice) -> str | None:
        """The provider's record of the cut-off attempt (made within one lease before now), if it reached it."""
        if not isinstance(provider, Reconciling):
            return None
        now = utcnow()
        days = {_china_day(now - timedelta(seconds=2 * self.settings.lease_seconds)), _china_day(now)}
        for day in sorted(days):
            found = provider.already_sent(message, day)
            if found:
                log.info("通知 %s 上次发送已到达平台，不再重发", notice.idempotency_key)
                return found
        return None

    def _record(self, notice_id: int, ref: str | None, error: DeliveryError | None, result: RoundResult) -> None:
        now = utcnow()
        with self.db.session(write=True) as session:
            notice = session.get(Notice, notice_id)
            if notice is None or notice.state != SENDING:
                return
            notice.lease_until = None
            if error is None:
                notice.state, notice.delivered_at, notice.provider_ref, notice.last_error = DELIVERED, now, ref, None
                result.delivered.append(notice_id)
                return
            notice.last_error = error.reason[:500]
            if error.permanent or notice.attempts >= self.settings.max_attempts:
                notice.state = FAILED
                result.failed.append(notice_id)
                log.warning("通知发送失败（%s）：%s", notice.idempotency_key, error.reason)
            else:
                notice.state = PENDING
                notice.next_attempt_at = now + timedelta(seconds=self.settings.delay_after(notice.attempts))
                result.retrying.append(notice_id)


def _china_day(value: datetime) -> date:
    return value.replace(tzinfo=UTC).astimezone(CHINA_TZ).date()
