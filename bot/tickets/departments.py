"""Guess the handling department from the citizen's words, using the keyword map in ticket_rules.yml."""

from __future__ import annotations

from dataclasses import dataclass

from bot.tickets.rules import TicketRules


@dataclass(frozen=True)
class DepartmentGuess:
    department: str
    keywords: tuple[str, ...]  # the keywords that matched; empty when falling back to the dispatcher

    @property
    def matched(self) -> bool:
        return bool(self.keywords)


def infer_department(text: str, rules: TicketRules) -> DepartmentGuess:
    """Score = total length of the matched keywords (longer words are more specific); ties keep file order."""
    best = DepartmentGuess(rules.default_department, ())
    best_score = 0
    for department, keywords in rules.departments:
        hits = tuple(k for k in keywords if k in text)
        score = sum(len(k) for k in hits)
        if score > best_score:
            best, best_score = DepartmentGuess(department, hits), score
    return best
