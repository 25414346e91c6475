"""Durable outbox for tickets the backend could not take right now.

    result = outbox.submit(payload)          # tries the backend once
    result.reference                         # "HY202611250001", or "待分配 Q7K3M9A" when queued
    outbox.start_delivery_worker()           # once per action server (calling again is harmless)
    outbox.lookup("Q7K3M9A")                  # ticket number once delivered, else None

Queued tickets live in SQLite (OUTBOX_DB_URL, default var/outbox.db), so they survive a restart.
Each keeps its idempotency key: however often delivery is retried (also by several threads or
processes), the backend creates exactly one ticket. Delivered payloads are erased (only the key,
local reference and ticket number remain).
"""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, Integer, String, Text, create_engine, event, func, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import declarative_base

from actions.api.tickets import BackendUnavailable, TicketClient, TicketClientError
from bot.common.paths import var_dir
from bot.common.sqlite import set_pragmas

log = logging.getLogger(__name__)

REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read out over the phone
QUEUED_LABEL = "待分配"

PENDING, DELIVERED, REJECTED = "pending", "delivered", "rejected"

Base: Any = declarative_base()  # SQLAlchemy 1.4 ships no types


class OutboxItem(Base):
    __tablename__ = "outbox_items"

    id = Column(Integer, primary_key=True)
    local_ref = Column(String(16), nullable=False, unique=True)
    idempotency_key = Column(String(200), nullable=False, unique=True)
    payload = Column(Text, nullable=False)
    status = Column(String(12), nullable=False, default=PENDING, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False)
    lease_until = Column(DateTime)
    last_error = Column(Text)
    ticket_number = Column(String(20))
    created_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime)


@dataclass(frozen=True)
class SubmitResult:
    status: str  # "created" (backend took it now) or "queued"
    idempotency_key: str
    ticket_number: str | None = None
    local_ref: str | None = None
    ticket: dict[str, Any] | None = None

    @property
    def queued(self) -> bool:
        return self.status == "queued"

    @property
    def reference(self) -> str:
        """What to tell the citizen: the ticket number, or 待分配 + local reference."""
        return self.ticket_number or f"{QUEUED_LABEL} {self.local_ref}"


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _new_ref() -> str:
    return "Q" + "".join(secrets.choice(REF_ALPHABET) for _ in range(6))


def normalize_ref(local_ref: str) -> str:
    return local_ref.replace(QUEUED_LABEL, "").strip().upper()


def default_db_url() -> str:
    return os.environ.get("OUTBOX_DB_URL") or f"sqlite:///{var_dir() / 'outbox.db'}"


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, future=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 15})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        # FULL: a ticket the backend could not take yet survives even a power loss.
        set_pragmas(dbapi_connection, busy_timeout_ms=15000, synchronous="FULL")

    return engine


class Outbox:
    def __init__(
        self,
        db_url: str | None = None,
        client: TicketClient | None = None,
        *,
        base_delay: float | None = None,
        max_delay: float = 300.0,
        poll_interval: float | None = None,
        lease_seconds: float = 120.0,
    ):
        self.engine = _make_engine(db_url or default_db_url())
        Base.metadata.create_all(self.engine)
        self.client = client or TicketClient()
        self.base_delay = float(base_delay if base_delay is not None else os.environ.get("OUTBOX_BASE_DELAY", 2.0))
        self.max_delay = max_delay
        self.poll_interval = float(
            poll_interval if poll_interval is not None else os.environ.get("OUTBOX_POLL_SECONDS", 5.0)
        )
        self.lease = timedelta(seconds=lease_seconds)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()

    # --- submit and lookup ----------------------------------------------------------------------

    def submit(self, payload: dict[str, Any], idempotency_key: str | None = None) -> SubmitResult:
        """Send now; when the backend is unavailable, queue and return a local reference.

        A TicketClientError that retrying cannot fix (e.g. 422) is raised to the caller.
        """
        key = idempotency_key or uuid.uuid4().hex
        try:
            ticket = self.client.create_ticket(payload, key)
        except BackendUnavailable as error:
            return self._enqueue(payload, key, str(error))
        except TicketClientError as error:
            if not error.retryable:
                raise
            return self._enqueue(payload, key, str(error))
        return SubmitResult("created", key, ticket_number=ticket.get("number"), ticket=ticket)

    def _enqueue(self, payload: dict[str, Any], key: str, reason: str) -> SubmitResult:
        now = _utcnow()
        for _ in range(5):  # a reference collision is rare; draw again
            ref = _new_ref()
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        OutboxItem.__table__.insert().values(
                            local_ref=ref,
                            idempotency_key=key,
                            payload=json.dumps(payload, ensure_ascii=False),
                            status=PENDING,
                            attempts=0,
                            next_attempt_at=now + timedelta(seconds=self.base_delay),
                            last_error=reason,
                            created_at=now,
                        )
                    )
            except IntegrityError:
                existing = self._by_key(key)
                if existing is not None:  # the same submission was queued before
                    return self._result_for(existing)
                continue
            log.warning("工单后台暂不可用，已暂存待分配 %s（%s）", ref, reason)
            self._wake.set()
            return SubmitResult("queued", key, local_ref=ref)
        raise RuntimeError("无法生成暂存编号")

    def _by_key(self, key: str) -> Any | None:
        with self.engine.connect() as connection:
            return (
                connection.execute(select(OutboxItem.__table__).where(OutboxItem.idempotency_key == key))
                .mappings()
                .first()
            )

    @staticmethod
    def _result_for(row) -> SubmitResult:
        if row["status"] == DELIVERED:
            return SubmitResult(
                "created", row["idempotency_key"], ticket_number=row["ticket_number"], local_ref=row["local_ref"]
            )
        return SubmitResult("queued", row["idempotency_key"], local_ref=row["local_ref"])

    def lookup(self, local_ref: str) -> str | None:
        """The ticket number for a local reference once delivered; None while queued or unknown."""
        with self.engine.connect() as connection:
            return connection.execute(
                select(OutboxItem.ticket_number).where(OutboxItem.local_ref == normalize_ref(local_ref))
            ).scalar_one_or_none()

    def pending_count(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(
                select(func.count()).select_from(OutboxItem).where(OutboxItem.status == PENDING)
            ).scalar_one()

    # --- delivery -------------------------------------------------------------------------------

    def _claim(self, item_id: int, now: datetime) -> bool:
        """Lease one pending item so that only one worker sends it at a time."""
        table = OutboxItem.__table__
        with self.engine.begin() as connection:
            claimed = connection.execute(
                update(table)
                .where(
                    table.c.id == item_id,
                    table.c.status == PENDING,
                    (table.c.lease_until.is_(None)) | (table.c.lease_until < now),
                )
                .values(lease_until=now + self.lease)
            )
        return claimed.rowcount == 1

    def _finish(self, item_id: int, **values: Any) -> None:
        table = OutboxItem.__table__
        with self.engine.begin() as connection:
            connection.execute(update(table).where(table.c.id == item_id).values(lease_until=None, **values))

    def _backoff(self, attempts: int) -> timedelta:
        delay = min(self.max_delay, self.base_delay * (2 ** max(attempts - 1, 0)))
        return timedelta(seconds=delay * random.uniform(1.0, 1.2))

    def deliver_due(self) -> int:
        """One delivery pass over due items; stops at the first unavailable backend. Returns delivered count."""
        now = _utcnow()
        table = OutboxItem.__table__
        with self.engine.connect() as connection:
            due = (
                connection.execute(
                    select(table.c.id)
                    .where(table.c.status == PENDING, table.c.next_attempt_at <= now)
                    .order_by(table.c.id)
                    .limit(50)
                )
                .scalars()
                .all()
            )
        delivered = 0
        for item_id in due:
            if not self._claim(item_id, _utcnow()):
                continue
            with self.engine.connect() as connection:
                row = connection.execute(select(table).where(table.c.id == item_id)).mappings().one()
            attempts = row["attempts"] + 1
            try:
                ticket = self.client.create_ticket(json.loads(row["payload"]), row["idempotency_key"])
            except (BackendUnavailable, TicketClientError) as error:
                if isinstance(error, TicketClientError) and not error.retryable:
                    self._finish(item_id, status=REJECTED, attempts=attempts, last_error=str(error))
                    log.error("暂存工单 %s 被后台拒绝，需人工处理：%s", row["local_ref"], error)
                    continue
                self._finish(
                    item_id,
                    attempts=attempts,
                    last_error=str(error),
                    next_attempt_at=_utcnow() + self._backoff(attempts),
                )
                break  # backend still down: leave the rest for the next round
            self._finish(
                item_id,
                status=DELIVERED,
                attempts=attempts,
                ticket_number=ticket.get("number"),
                delivered_at=_utcnow(),
                payload="{}",
                last_error=None,
            )
            log.info("暂存工单 %s 已送达，工单编号 %s", row["local_ref"], ticket.get("number"))
            delivered += 1
        return delivered

    def _seconds_until_next(self) -> float:
        with self.engine.connect() as connection:
            earliest = connection.execute(
                select(func.min(OutboxItem.next_attempt_at)).where(OutboxItem.status == PENDING)
            ).scalar_one_or_none()
        if earliest is None:
            return self.poll_interval
        return max(0.05, min(self.poll_interval, (earliest - _utcnow()).total_seconds()))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver_due()
                wait = self._seconds_until_next()
            except Exception:  # e.g. the outbox file is locked for too long; try again later
                log.exception("暂存工单投递出错")
                wait = self.poll_interval
            self._wake.wait(wait)
            self._wake.clear()

    def start_delivery_worker(self) -> threading.Thread:
        """Start the background delivery thread (daemon) unless it already runs."""
        with self._worker_lock:
            if self._worker is None or not self._worker.is_alive():
                self._stop.clear()
                self._worker = threading.Thread(target=self._run, name="ticket-outbox", daemon=True)
                self._worker.start()
            return self._worker

    def stop_delivery_worker(self, timeout: float = 5.0) -> None:
        with self._worker_lock:
            self._stop.set()
            self._wake.set()
            if self._worker is not None:
                self._worker.join(timeout)
            self._worker = None

    def close(self) -> None:
        self.stop_delivery_worker()
        self.engine.dispose()


# --- the action server's shared outbox ----------------------------------------------------------

_default: Outbox | None = None
_default_lock = threading.Lock()


def get_outbox() -> Outbox:
    global _default
    with _default_lock:
        if _default is None:
            _default = Outbox()
        return _default


def submit(payload: dict[str, Any], idempotency_key: str | None = None) -> SubmitResult:
    return get_outbox().submit(payload, idempotency_key)


def lookup(local_ref: str) -> str | None:
    return get_outbox().lookup(local_ref)


def start_delivery_worker() -> threading.Thread:
    return get_outbox().start_delivery_worker()
