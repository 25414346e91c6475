"""Triage of a citizen's message: 诉求类型, handling department (top three), urgency, kb_question.

    from bot.triage import triage, Triage
    result = triage("领导您好，我们小区物业……")

Pure function of the text; the model is loaded or trained on first use (see model.py). Imports nothing
of the backend or the actions.
"""

from bot.triage.model import UNASSIGNED, Triage, get_model, reset, triage, warm_up

__all__ = ["UNASSIGNED", "Triage", "get_model", "reset", "triage", "warm_up"]
