"""好差评 of conversations, given on the chat page: the chat with the assistant ("chat") and the 人工客服
after it ("handoff"). One rating per conversation and kind (a second one replaces the first); counted on
the dashboard next to the tickets' ratings."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from bot.common.privacy import mask_text
from bot.console.models import ServiceRating
from bot.core.database import Database
from bot.tickets.choices import Grade
from bot.tickets.models import utcnow

KINDS = {"chat": "智能客服", "handoff": "人工客服"}
GRADES = [g.value for g in Grade]


class RatingError(ValueError):
    pass


class ServiceRatings:
    def __init__(self, db: Database):
        self.db = db

    def rate(self, conversation_id: str, kind: str, grade: str, comment: str = "") -> None:
        conversation_id = (conversation_id or "").strip()
        if not conversation_id or len(conversation_id) > 255:
            raise RatingError("缺少对话编号")
        if kind not in KINDS:
            raise RatingError("评价对象应为 chat 或 handoff")
        if grade not in GRADES:
            raise RatingError("评价等级应为 非常满意、满意、基本满意、不满意、非常不满意 之一")
        text = mask_text(comment.strip()[:500]) if comment and comment.strip() else None
        with self.db.session(write=True) as session:
            found = session.execute(
                select(ServiceRating).where(
                    ServiceRating.conversation_id == conversation_id, ServiceRating.kind == kind
                )
            ).scalar_one_or_none()
            if found is None:
                session.add(ServiceRating(conversation_id=conversation_id, kind=kind, grade=grade, comment=text))
            else:
                found.grade, found.comment, found.at = grade, text, utcnow()

    def counts(self, start: datetime, end: datetime) -> dict[str, list[tuple[str, int]]]:
        """kind → [(grade, count)] over the five grades, for ratings given in [start, end) (naive UTC)."""
        with self.db.session() as session:
            rows = session.execute(
                select(ServiceRating.kind, ServiceRating.grade).where(ServiceRating.at >= start, ServiceRating.at < end)
            ).all()
        by_kind: dict[str, Counter] = {kind: Counter() for kind in KINDS}
        for kind, grade in rows:
            if kind in by_kind:
                by_kind[kind][grade] += 1
        return {kind: [(g, counter.get(g, 0)) for g in GRADES] for kind, counter in by_kind.items()}
