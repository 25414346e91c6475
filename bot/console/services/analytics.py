"""Numbers for the dashboard and the monthly report, over a period of China dates [start, end].

Definitions (also shown on the dashboard):
- conversation: one sender's messages on one day; message: one citizen message (buttons included);
- fallback rate: typed messages the assistant did not resolve (nlu_fallback, low confidence, fallback
  ladder, service not found) / typed messages;
- containment: conversations that ended without a ticket, without asking for a person (human_handoff)
  and without the last message being unresolved / all conversations;
- overdue rate: tickets accepted in the period that are overdue or were marked 督办 / tickets accepted;
- handling time: from acceptance to 已办结, for tickets closed in the period (calendar days);
- satisfaction: ratings given in the period, over the five 好差评 grades.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from bot.console.crud import tickets as queries
from bot.console.models import AuditEntry, InboxGroup, Message
from bot.console.services.tracker import answered_a_form
from bot.console.services.workbench import china_date, china_midnight_utc
from bot.core.database import Database
from bot.tickets.choices import Category, Grade
from bot.tickets.due_dates import china_today, overdue_cutoff
from bot.tickets.service import TicketService

UNRESOLVED = ("nlu_fallback", "low_confidence", "fallback_action", "unresolved_service")
HANDOFF_INTENT = "human_handoff"
TICKET_ACTION = "action_submit_complaint"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def utc_range(self):
        return china_midnight_utc(self.start), china_midnight_utc(self.end + timedelta(days=1))

    def label(self) -> str:
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period(start, following - timedelta(days=1))


def previous_month(period: Period) -> Period:
    last = period.start - timedelta(days=1)
    return month_period(last.year, last.month)


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class Analytics:
    def __init__(self, db: Database, tickets: TicketService, service_names: dict[str, str]):
        self.db = db
        self.tickets = tickets
        self.service_names = service_names

    def conversations(self, period: Period) -> dict:
        start, end = period.utc_range
        with self.db.session() as session:
            rows = session.execute(
                select(
                    Message.sender_id,
                    Message.at,
                    Message.intent,
                    Message.reason,
                    Message.service,
                    Message.actions,
                    Message.is_payload,
                    Message.group_id,
                    Message.status,
                )
                .where(Message.at >= start, Message.at < end)
                .order_by(Message.event_id)
            ).all()
            ticket_senders = queries.conversation_ids_with_tickets(session, list({r.sender_id for r in rows}))
            group_ids = {r.group_id for r in rows if r.reason and r.group_id and r.status != "dismissed"}
            groups = (
                {
                    g.id: g.representative
                    for g in session.execute(select(InboxGroup).where(InboxGroup.id.in_(group_ids))).scalars()
                }
                if group_ids
                else {}
            )

        per_day_messages: Counter = Counter()
        conversations: dict[tuple, dict] = {}
        intents: Counter = Counter()
        services: Counter = Counter()
        unresolved_groups: Counter = Counter()
        typed = unresolved = unhelpful = 0
        for row in rows:
            day = china_date(row.at)
            per_day_messages[day] += 1
            convo = conversations.setdefault(
                (row.sender_id, day),
                {"ticket": row.sender_id in ticket_senders, "handoff": False, "last_unresolved": False},
            )
            if row.intent == HANDOFF_INTENT:
                convo["handoff"] = True
            if TICKET_ACTION in (row.actions or "").split(","):
                convo["ticket"] = True
            if row.intent and not row.is_payload:
                intents[row.intent] += 1
            if row.service in self.service_names:  # whole services only, never a fragment of a name
                services[row.service] += 1
            if not row.is_payload:
                typed += 1
                convo["last_unresolved"] = row.reason is not None
            if row.reason in UNRESOLVED and not answered_a_form((row.actions or "").split(",")):
                unresolved += 1
            if row.reason == "unhelpful":
                unhelpful += 1
            if row.reason and row.group_id and row.status != "dismissed":  # dismissed: not a real question
                unresolved_groups[row.group_id] += 1
        per_day_convos: Counter = Counter(day for _sender, day in conversations)
        contained = sum(1 for c in conversations.values() if not (c["ticket"] or c["handoff"] or c["last_unresolved"]))
        return {
            "messages": len(rows),
            "typed": typed,
            "conversations": len(conversations),
            "daily": [
                (d, per_day_convos.get(d, 0), per_day_messages.get(d, 0)) for d in period.days if d <= china_today()
            ]
            or [(period.start, 0, 0)],
            "containment": ratio(contained, len(conversations)),
            "contained": contained,
            "fallback_rate": ratio(unresolved, typed),
            "unresolved": unresolved,
            "unhelpful": unhelpful,
            "top_intents": intents.most_common(10),
            "top_services": [(self.service_names.get(s, s), n) for s, n in services.most_common(10)],
            "top_groups": [(gid, groups.get(gid, ""), n) for gid, n in unresolved_groups.most_common(10)],
            "group_counts": dict(unresolved_groups),
        }

    def tickets_stats(self, period: Period) -> dict:
        """Counted by the database (queries.period_counts); no ticket is loaded."""
        start, end = period.utc_range
        rules = self.tickets.rules
        overdue_now = queries.Overdue(overdue_cutoff(china_today(), rules), tuple(rules.supervision_statuses))
        with self.db.session() as session:
            counts = queries.period_counts(session, start, end, overdue_now)
        by_category: Counter = Counter()
        by_department: Counter = Counter()
        overdue_by_department: Counter = Counter()
        hotspots: dict[tuple[str, str], int] = {}
        for category, department, n, late in counts.groups:
            by_category[category] += n
            by_department[department] += n
            overdue_by_department[department] += late
            if category not in ("表扬", "咨询"):
                hotspots[(category, department)] = n
        accepted, overdue = sum(by_category.values()), sum(overdue_by_department.values())
        grades = counts.grades
        bad = sum(grades.get(g.value, 0) for g in Grade if g.is_bad)
        departments = sorted(
            (
                {
                    "department": d,
                    "tickets": n,
                    "overdue": overdue_by_department.get(d, 0),
                    "rate": ratio(overdue_by_department.get(d, 0), n),
                }
                for d, n in by_department.items()
            ),
            key=lambda row: (-row["overdue"], -row["tickets"], row["department"]),
        )
        return {
            "tickets": accepted,
            "closed": counts.closed,
            "overdue": overdue,
            "overdue_rate": ratio(overdue, accepted),
            "avg_handling_days": counts.mean_handling_days,
            "by_category": [(c.value, by_category.get(c.value, 0)) for c in Category],
            "by_department": sorted(by_department.items(), key=lambda item: (-item[1], item[0]))[:12],
            "departments": departments,
            "grades": [(g.value, grades.get(g.value, 0)) for g in Grade],
            "ratings": sum(grades.values()),
            "bad_ratings": bad,
            "bad_rate": ratio(bad, sum(grades.values())),
            "complaints": sum(by_category.get(c, 0) for c in ("投诉", "举报")),
            "hotspots": hotspots,
        }

    def knowledge_work(self, period: Period) -> dict:
        """Knowledge gaps marked and fixed, and knowledge edits, in the period (from the audit log)."""
        start, end = period.utc_range
        with self.db.session() as session:
            entries = list(
                session.execute(
                    select(AuditEntry)
                    .where(
                        AuditEntry.at >= start,
                        AuditEntry.at < end,
                        AuditEntry.action.in_(["inbox.gap", "inbox.gap_fixed", "knowledge.save"]),
                    )
                    .order_by(AuditEntry.id)
                ).scalars()
            )
            message_ids = {int(e.target.split(":", 1)[1]) for e in entries if e.target.startswith("message:")}
            texts = (
                {
                    m.id: (m.text, m.note)
                    for m in session.execute(select(Message).where(Message.id.in_(message_ids))).scalars()
                }
                if message_ids
                else {}
            )

        def rows(action: str) -> list[dict]:
            seen, out = set(), []
            for entry in entries:
                if entry.action != action or entry.target in seen:
                    continue
                seen.add(entry.target)
                message_id = int(entry.target.split(":", 1)[1])
                text, _current_note = texts.get(message_id, ("", ""))
                note = (json.loads(entry.after or "{}") or {}).get("note")  # the note given at that step
                out.append({"at": entry.at, "actor": entry.actor, "text": text, "note": note or ""})
            return out

        edits = [e for e in entries if e.action == "knowledge.save"]
        return {
            "gaps_found": rows("inbox.gap"),
            "gaps_fixed": rows("inbox.gap_fixed"),
            "edits": len(edits),
            "files_edited": len({e.target for e in edits}),
        }
