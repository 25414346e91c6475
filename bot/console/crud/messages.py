"""Queries on imported messages and inbox groups."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from bot.console.models import InboxGroup, Message


def known_event_ids(db: DbSession, event_ids: list[int]) -> set:
    if not event_ids:
        return set()
    return set(db.execute(select(Message.event_id).where(Message.event_id.in_(event_ids))).scalars())


def group_features(db: DbSession) -> list:
    return [(gid, set(tokens.split())) for gid, tokens in db.execute(select(InboxGroup.id, InboxGroup.tokens))]


def previous_typed_message(db: DbSession, sender_id: str, before_event_id: int) -> Message | None:
    """The citizen's last typed message before this one (the one the unhelpful answer replied to)."""
    query = (
        select(Message)
        .where(
            Message.sender_id == sender_id,
            Message.event_id < before_event_id,
            Message.is_payload.is_(False),
            Message.intent != "answer_unhelpful",
        )
        .order_by(Message.event_id.desc())
        .limit(1)
    )
    return db.execute(query).scalar_one_or_none()


def messages_by_ids(db: DbSession, ids: list[int]) -> list[Message]:
    if not ids:
        return []
    return list(db.execute(select(Message).where(Message.id.in_(ids)).order_by(Message.event_id)).scalars())


def group_members(db: DbSession, group_id: int) -> list[Message]:
    query = select(Message).where(Message.group_id == group_id).order_by(Message.event_id.desc())
    return list(db.execute(query).scalars())


def _group_filter(status: str, search: str = ""):
    conditions = [Message.reason.isnot(None), Message.status == status, Message.group_id.isnot(None)]
    if search:  # groups with at least one message in `status` whose (masked) text contains the words
        matching = select(Message.group_id).where(*conditions, Message.text.contains(search))
        conditions.append(Message.group_id.in_(matching.scalar_subquery()))
    return conditions


def count_groups(db: DbSession, status: str, search: str = "") -> int:
    query = select(func.count(func.distinct(Message.group_id))).where(*_group_filter(status, search))
    return int(db.execute(query).scalar() or 0)


def group_summaries(db: DbSession, status: str, limit: int = 100, offset: int = 0, search: str = "") -> list[dict]:
    """Groups with members in `status` (optionally only those with a message containing `search`), one page:
    counts, first/last seen, reasons, a few examples."""
    query = (
        select(Message.group_id, func.count(), func.min(Message.at), func.max(Message.at))
        .where(*_group_filter(status, search))
        .group_by(Message.group_id)
        .order_by(func.count().desc(), func.max(Message.at).desc(), Message.group_id)
        .limit(limit)
        .offset(offset)
    )
    rows = db.execute(query).all()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    groups = {g.id: g for g in db.execute(select(InboxGroup).where(InboxGroup.id.in_(ids))).scalars()}
    members: dict = {}
    for message in db.execute(
        select(Message).where(Message.group_id.in_(ids), Message.reason.isnot(None)).order_by(Message.event_id.desc())
    ).scalars():
        members.setdefault(message.group_id, []).append(message)
    out = []
    for group_id, count, first, last in rows:
        all_members = members.get(group_id, [])
        in_status = [m for m in all_members if m.status == status]
        out.append(
            {
                "group": groups[group_id],
                "count": count,
                "total": len(all_members),
                "first_seen": first,
                "last_seen": last,
                "reasons": sorted({m.reason for m in in_status}),
                "samples": in_status[:3],
                "message_ids": [m.id for m in in_status],
            }
        )
    return out
