"""The audit log: one row per change (who, what, when, before/after as JSON)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from bot.console.models import AuditEntry
from bot.tickets.models import utcnow


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def record(
    db: DbSession,
    actor: str,
    role: str | None,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
    note: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=utcnow(),
        actor=actor,
        role=role,
        action=action,
        target=target,
        before=_json(before),
        after=_json(after),
        note=note,
    )
    db.add(entry)
    db.flush()
    return entry


def entries(
    db: DbSession,
    *,
    actor: str | None = None,
    action: str | None = None,
    target_prefix: str | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if target_prefix:
        query = query.where(AuditEntry.target.startswith(target_prefix))
    return list(db.execute(query.order_by(AuditEntry.id.desc()).limit(limit)).scalars())


def last_for_targets(db: DbSession, targets: list[str]) -> dict:
    """target → its newest entry (e.g. who last edited each knowledge file)."""
    if not targets:
        return {}
    newest = (
        select(func.max(AuditEntry.id))
        .where(AuditEntry.target.in_(targets))
        .group_by(AuditEntry.target)
        .scalar_subquery()
    )
    rows = db.execute(select(AuditEntry).where(AuditEntry.id.in_(newest))).scalars()
    return {row.target: row for row in rows}
