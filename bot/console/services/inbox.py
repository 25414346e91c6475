"""The unresolved-intent inbox: incremental import from the tracker store, grouping, and staff decisions.

`sync()` reads new user events by id (cursor in console_sync_state), classifies each message
(services/tracker.py `unresolved_reason`), stores every message masked (analytics need them all) and
puts unresolved ones into a group of similar messages. When a citizen says an answer did not help
(intent answer_unhelpful: the web chat's 没用 button or words like 答非所问), the message answered just
before becomes the unresolved one. The cursor re-reads a few ids behind itself (CONSOLE_SYNC_LOOKBACK_IDS)
so that on PostgreSQL a turn committed late, with lower ids, is not skipped; already-read ids are skipped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from bot.common.privacy import mask_text
from bot.console.config import ConsoleSettings
from bot.console.crud import audit
from bot.console.crud import messages as crud
from bot.console.models import InboxGroup, Message, SyncState
from bot.console.services.auth import CurrentUser
from bot.console.services.nlu_data import LabelError, NluData, annotate, plain_text
from bot.console.services.tokens import GROUP_THRESHOLD, ProjectTokenizer, features, jaccard
from bot.console.services.tracker import (
    UNHELPFUL_INTENT,
    TrackerReader,
    answered_a_form,
    build_turns,
    fallback_threshold,
    to_utc,
    unresolved_reason,
)
from bot.core.database import Database
from bot.tickets.models import utcnow

log = logging.getLogger(__name__)

CURSOR = "rasa_events"
FORM_ANSWERS_CLEANED = "form_answers_cleaned"  # marker row: the one-time clean-up has run
BATCH = 2000
TEXT_LIMIT = 1000

OPEN, LABELLED, GAP, GAP_FIXED, DISMISSED = "open", "labelled", "gap", "gap_fixed", "dismissed"
STATUS_LABELS = {OPEN: "待处理", LABELLED: "已标注", GAP: "知识缺口", GAP_FIXED: "缺口已补", DISMISSED: "已忽略"}


@dataclass
class Span:
    start: int
    end: int
    entity: str


class Inbox:
    def __init__(
        self, db: Database, settings: ConsoleSettings, tokenizer: ProjectTokenizer, tracker: TrackerReader, nlu: NluData
    ):
        self.db = db
        self.settings = settings
        self.tokenizer = tokenizer
        self.tracker = tracker
        self.nlu = nlu
        self._lock = threading.Lock()

    # ------------------------------------------------------------ import
    def sync(self) -> int:
        """Import new messages; returns how many. Safe to call on every page view."""
        total = 0
        with self._lock:
            self._clean_form_answers()
            threshold = fallback_threshold(self.settings.project_dir / "config.yml")
            while True:
                added, full = self._sync_batch(threshold)
                total += added
                if not full:
                    return total

    def _clean_form_answers(self) -> None:
        """Once: messages imported before form answers were recognised (answered_a_form) leave the inbox,
        the dashboard and the report, unless staff already decided about them."""
        with self.db.session(write=True) as session:
            if session.get(SyncState, FORM_ANSWERS_CLEANED) is not None:
                return
            rows = session.execute(select(Message).where(Message.reason.isnot(None), Message.status == OPEN)).scalars()
            cleaned = 0
            for message in rows:
                if message.reason != "unhelpful" and answered_a_form((message.actions or "").split(",")):
                    message.reason, message.status, message.group_id = None, None, None
                    cleaned += 1
            session.add(SyncState(name=FORM_ANSWERS_CLEANED, last_event_id=cleaned, updated_at=utcnow()))
        if cleaned:
            log.info("收件箱：%d 条表单回答不再算作未解决", cleaned)

    def _cursor(self) -> int:
        with self.db.session() as session:
            state = session.get(SyncState, CURSOR)
            return state.last_event_id if state else 0

    def _sync_batch(self, threshold: float) -> tuple[int, bool]:
        # Read and classify outside the write transaction (on SQLite it locks the ticket database too).
        cursor = self._cursor()
        start = max(0, cursor - self.settings.sync_lookback_ids)
        users = self.tracker.user_events_after(start, BATCH)
        if not users:
            return 0, False
        with self.db.session() as session:
            known = crud.known_event_ids(session, [u.id for u in users])
        fresh = [u for u in users if u.id not in known]
        turns = {}
        if fresh:
            by_sender: dict[str, list] = {}
            for event in self.tracker.events_of({u.sender_id for u in fresh}, min(u.id for u in fresh)):
                by_sender.setdefault(event.sender_id, []).append(event)
            for sender_events in by_sender.values():
                turns.update(build_turns(sender_events))
        rows = [row for u in fresh if u.id in turns and (row := self._safe_message(turns[u.id], threshold))]
        stored = 0
        with self.db.session(write=True) as session:
            state = session.execute(
                select(SyncState).where(SyncState.name == CURSOR).with_for_update()
            ).scalar_one_or_none()
            if state is None:
                state = SyncState(name=CURSOR, last_event_id=0)
                session.add(state)
            known = crud.known_event_ids(session, [m.event_id for m, _f in rows])  # another process may have won
            groups = crud.group_features(session)
            for message, feats in rows:
                if message.event_id in known:
                    continue
                try:
                    with session.begin_nested():  # a row the database refuses is skipped, not the whole batch
                        self._store(session, message, feats, groups)
                except Exception:
                    log.exception("对话记录第 %s 行无法导入，已跳过", message.event_id)
                    continue
                stored += 1
            state.last_event_id = max(state.last_event_id, users[-1].id)
            state.updated_at = utcnow()
        return stored, len(users) == BATCH and users[-1].id > cursor  # more to read, and progress was made

    def _store(self, session: DbSession, message: Message, feats: set | None, groups: list) -> None:
        session.add(message)
        session.flush()
        if message.reason:
            self._open(session, message, message.reason, groups, feats)
        elif message.intent == UNHELPFUL_INTENT:
            previous = crud.previous_typed_message(session, message.sender_id, message.event_id)
            if previous is not None and previous.reason is None:
                self._open(session, previous, "unhelpful", groups)
        session.flush()

    def _safe_message(self, turn, threshold: float) -> tuple[Message, set | None] | None:
        try:
            return self._message(turn, threshold)
        except Exception:
            log.exception("对话记录第 %s 行无法读取，已跳过", turn.user.id)
            return None

    def _message(self, turn, threshold: float) -> tuple[Message, set | None]:
        """The row for one turn, and the grouping features when it is unresolved."""
        top_intent, top_confidence = turn.top_real_intent
        reason = unresolved_reason(turn, threshold)
        text = (mask_text(turn.text) or "")[:TEXT_LIMIT]
        message = Message(
            event_id=turn.user.id,
            sender_id=turn.user.sender_id,
            at=to_utc(turn.user.timestamp),
            text=text,
            is_payload=turn.is_payload,
            intent=turn.intent,
            confidence=turn.confidence,
            top_intent=top_intent,
            top_confidence=top_confidence,
            service=turn.service,
            actions=",".join(turn.actions)[:2000],
            reason=reason,
            status=OPEN if reason else None,
        )
        return message, (features(text, self.tokenizer.tokens(text)) if reason else None)

    def _open(self, session: DbSession, message: Message, reason: str, groups: list, feats: set | None = None) -> None:
        message.reason, message.status = reason, OPEN
        feats = feats if feats is not None else features(message.text, self.tokenizer.tokens(message.text))
        best, best_score = None, 0.0
        for group_id, group_feats in groups:
            score = jaccard(feats, group_feats)
            if score > best_score:
                best, best_score = group_id, score
        if best is not None and best_score >= GROUP_THRESHOLD:
            message.group_id = best
        else:
            group = InboxGroup(representative=message.text, tokens=" ".join(sorted(feats)), created_at=message.at)
            session.add(group)
            session.flush()
            groups.append((group.id, feats))
            message.group_id = group.id

    # ------------------------------------------------------------ staff decisions
    def _targets(self, session: DbSession, message_ids: Iterable[int], statuses: Iterable[str]) -> list[Message]:
        rows = crud.messages_by_ids(session, list(message_ids))
        wanted = set(statuses)
        return [m for m in rows if m.reason and m.status in wanted]

    def label(
        self,
        user: CurrentUser,
        message_ids: list[int],
        intent: str,
        new_intent: bool = False,
        spans: list[Span] | None = None,
    ) -> list[str]:
        """Write the messages as examples of `intent`; returns the examples added to labelled.yml."""
        intent = (intent or "").strip()
        self.nlu.check_intent(intent, new_intent)
        allowed_entities = set(self.nlu.entities())
        for span in spans or []:
            if span.entity not in allowed_entities:
                raise LabelError(f"实体 {span.entity} 不在 domain.yml 中")
        with self.db.session(write=True) as session:
            targets = self._targets(session, message_ids, (OPEN, GAP, DISMISSED))
            if not targets:
                raise LabelError("没有可以标注的消息（可能已经被别人处理了）")
            if spans and len(targets) != 1:
                raise LabelError("实体只能在单条消息上标注")
            examples = []
            existing = self.nlu.existing_examples()
            for message in targets:
                example = annotate(message.text, [(s.start, s.end, s.entity) for s in spans or []])
                if not example:
                    raise LabelError("消息内容为空，不能作为例句")
                other = existing.get(plain_text(example))
                if other and other != intent:  # contradictory examples would only confuse the model
                    raise LabelError(f"「{plain_text(example)}」已经是意图 {other} 的训练例句，不能再标为 {intent}")
                examples.append(example)
            if new_intent:
                self.nlu.add_intent_to_domain(intent)
            added = self.nlu.add_examples(intent, examples)
            now = utcnow()
            for message, example in zip(targets, examples):
                before = {"status": message.status, "intent": message.label_intent}
                message.status, message.label_intent, message.label_example = LABELLED, intent, example
                message.handled_by, message.handled_at = user.username, now
                audit.record(
                    session,
                    user.username,
                    user.role,
                    "inbox.label",
                    f"message:{message.id}",
                    before=before,
                    after={"status": LABELLED, "intent": intent, "example": example, "new_intent": new_intent},
                )
        return added

    def unlabel(self, user: CurrentUser, message_id: int) -> bool:
        """Undo a label: the example leaves labelled.yml (unless another message still has it) and the
        message is open again. Audited like the label itself."""
        with self.db.session(write=True) as session:
            targets = self._targets(session, [message_id], (LABELLED,))
            if not targets:
                return False
            message = targets[0]
            intent, example = message.label_intent, message.label_example or ""
            shared = session.execute(
                select(func.count()).where(
                    Message.id != message.id,
                    Message.status == LABELLED,
                    Message.label_intent == intent,
                    Message.label_example == example,
                )
            ).scalar()
            removed = False if shared else self.nlu.remove_example(intent or "", example)
            before = {"status": message.status, "intent": intent, "example": example}
            message.status, message.label_intent, message.label_example = OPEN, None, None
            message.handled_by, message.handled_at = user.username, utcnow()
            audit.record(
                session,
                user.username,
                user.role,
                "inbox.unlabel",
                f"message:{message.id}",
                before=before,
                after={"status": OPEN, "example_removed": removed},
            )
            return True

    def decide(self, user: CurrentUser, message_ids: list[int], status: str, note: str = "") -> int:
        """Mark as knowledge gap, gap fixed, dismissed, or reopen; returns how many changed."""
        sources = {
            GAP: (OPEN, DISMISSED),
            DISMISSED: (OPEN, GAP),
            GAP_FIXED: (GAP,),
            OPEN: (DISMISSED, GAP),
        }  # a labelled example stays in labelled.yml: no reopening
        if status not in sources:
            raise LabelError("不支持的操作")
        if status in (GAP, GAP_FIXED) and not note.strip():
            raise LabelError("请写明缺少什么知识（或补上了什么）")
        with self.db.session(write=True) as session:
            targets = self._targets(session, message_ids, sources[status])
            now = utcnow()
            for message in targets:
                before = {"status": message.status, "note": message.note}
                message.status, message.handled_by, message.handled_at = status, user.username, now
                if note.strip():
                    message.note = note.strip()[:1000]
                audit.record(
                    session,
                    user.username,
                    user.role,
                    f"inbox.{status}",
                    f"message:{message.id}",
                    before=before,
                    after={"status": status, "note": message.note},
                )
            return len(targets)

    # ------------------------------------------------------------ views
    def groups(self, status: str = OPEN, limit: int = 100, offset: int = 0, search: str = "") -> list[dict]:
        with self.db.session() as session:
            return crud.group_summaries(session, status, limit, offset, search)

    def count_groups(self, status: str = OPEN, search: str = "") -> int:
        with self.db.session() as session:
            return crud.count_groups(session, status, search)

    def group(self, group_id: int) -> tuple[InboxGroup | None, list[Message]]:
        with self.db.session() as session:
            group = session.get(InboxGroup, group_id)
            return group, crud.group_members(session, group_id)

    def message(self, message_id: int) -> Message | None:
        with self.db.session() as session:
            return session.get(Message, message_id)

    def counts(self) -> dict[str, int]:
        with self.db.session() as session:
            rows = session.execute(
                select(Message.status, func.count()).where(Message.reason.isnot(None)).group_by(Message.status)
            ).all()
        return {status: count for status, count in rows}
