"""Type and department of a new ticket from the citizen's words: the learned triage (bot/triage), the
same one the assistant uses, so tickets from the chat, the API and Open311 are routed alike.

The keyword map of ticket_rules.yml stays as the fallback when the triage cannot run or names a unit the
rules no longer list. Below the triage's routing threshold a keyword naming one of the triage's top three
decides; otherwise the ticket goes to the dispatcher (待分派) with the top three, which the workbench shows.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from bot.tickets.departments import infer_department
from bot.tickets.rules import TicketRules
from bot.triage import UNASSIGNED, Triage, triage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Routing:
    department: str
    score: float | None = None
    candidates: tuple[tuple[str, float], ...] = ()
    by: str = "triage"  # triage | triage+keywords | keywords
    category: str = "投诉"  # the triage's 诉求类型 (投诉 when it cannot run)

    @property
    def candidates_json(self) -> str | None:
        return json.dumps([[name, round(score, 4)] for name, score in self.candidates], ensure_ascii=False) or None


def read_candidates(raw: str | None) -> list[tuple[str, float]]:
    try:
        return [(str(name), float(score)) for name, score in json.loads(raw or "[]")]
    except (ValueError, TypeError):
        return []


def ticket_text(summary: str | None, description: str | None, location: str | None = None) -> str:
    """What the triage reads of a ticket: the summary only when it is not just the description's start."""
    summary, description = (summary or "").strip(), (description or "").strip()
    parts = [description] if summary and summary in description else [summary, description]
    return " ".join(filter(None, [*parts, (location or "").strip()]))


def _triage(text: str) -> Triage | None:
    try:
        return triage(text)
    except Exception:  # a broken model must never lose a ticket: the keywords route it instead
        log.exception("分流模型不可用，按关键词推断承办部门")
        return None


def route(text: str, rules: TicketRules) -> Routing:
    known = {name for name, _keywords in rules.departments}
    result = _triage(text)
    if result is not None:
        candidates = tuple((name, score) for name, score in result.departments if name in known)
        if candidates and candidates[0][0] == result.departments[0][0]:
            if result.department != UNASSIGNED:
                return Routing(result.department, result.department_score, candidates, "triage", result.category)
            # Unsure: a keyword of ticket_rules.yml that names one of the top three settles it.
            guess = infer_department(text, rules)
            scores = dict(candidates)
            if guess.matched and guess.department in scores:
                return Routing(
                    guess.department, scores[guess.department], candidates, "triage+keywords", result.category
                )
            return Routing(rules.default_department, result.department_score, candidates, "triage", result.category)
    guess = infer_department(text, rules)
    return Routing(guess.department, None, (), "keywords", result.category if result else "投诉")
