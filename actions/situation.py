"""A service question told with the citizen's situation: "我在内蒙古跑车，驾驶证明年到期，能在那边换吗".

The words about where the citizen is, or for whom they ask (在外省打工, 替我妈问), dilute the whole-text
search so that it finds no service, and the message ended as a weak complaint offer. When the triage reads
the message as a procedure question (咨询, kb_question), each clause is looked up on its own and the first
one that clearly names a service decides.
"""

from __future__ import annotations

import re

from bot.knowledge.loader import SERVICE
from bot.knowledge.search import CONFIDENT, EXACT, search

_CLAUSES = re.compile(r"[，。！？,.!?；;：:\s]+")
MIN_CLAUSE = 4  # characters: shorter pieces ("咋办", "谢谢") name nothing
MAX_QUESTION = 80  # longer messages are letters: the complaint form reads them (actions/letters.py)


def service_in_clauses(kb, text: str) -> str | None:
    """The service a clause of a short procedure question names clearly, if the whole text named none."""
    clauses = [c for c in _CLAUSES.split(text or "") if len(c) >= MIN_CLAUSE]
    if kb is None or len(clauses) < 2 or len(text) > MAX_QUESTION or text.startswith("/"):
        return None
    from bot.triage import triage

    reading = triage(text)
    if reading.category != "咨询" or not reading.kb_question:
        return None
    for clause in clauses:
        result = search(kb, clause, kinds=(SERVICE,), limit=1)
        if result.status in {EXACT, CONFIDENT} and result.candidates:
            return result.candidates[0].id
    return None
