"""Dispatchers' routing decisions as labelled examples for the triage's next training.

A choice is recorded when staff give a 待分派 or inferred ticket its department (or dispatch it with the
inferred one): text → department and type, with the triage's top three at the time. One example per
ticket (the latest choice). The running backend rewrites the triage's staff examples
file (bot/triage/corpus.py: staff_examples_path) after every change, and the next training reads it; the console offers the same
JSONL as a download and `python3 -m bot triage-export` writes it anywhere.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.common.privacy import mask_text
from bot.tickets.models import Ticket, TriageExample, utcnow
from bot.tickets.routing import ticket_text


def record_choice(session: Session, ticket: Ticket, department: str, actor: str) -> TriageExample:
    example = session.execute(
        select(TriageExample).where(TriageExample.ticket_id == ticket.id)
    ).scalar_one_or_none() or TriageExample(ticket_id=ticket.id)
    # Phone and ID numbers masked: the example leaves the ticket (export, training files).
    example.text = mask_text(ticket_text(ticket.summary, ticket.description, ticket.location))
    example.department = department
    example.category = ticket.category
    example.suggested = ticket.department_candidates
    example.actor = actor
    example.created_at = utcnow()
    session.add(example)
    session.info["triage_examples_changed"] = True
    return example


def rows(session: Session) -> Iterator[dict[str, Any]]:
    """The examples in the corpus's JSONL shape (text, type, department), oldest first."""
    for example in session.execute(select(TriageExample).order_by(TriageExample.id)).scalars():
        yield {
            "text": example.text,
            "type": example.category,
            "department": example.department,
            "source": "dispatcher",
            "suggested": json.loads(example.suggested) if example.suggested else [],
            "at": example.created_at.isoformat(timespec="seconds") + "Z",
        }


def to_jsonl(session: Session) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows(session))


def export_examples(session: Session, path: Path) -> int:
    """Write all examples to `path` atomically; returns the count."""
    text = to_jsonl(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".tmp-", delete=False) as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)
    return text.count("\n")
