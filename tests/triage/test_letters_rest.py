"""bench/triage/letters_rest.py reads the first turn's replies as issue 16 did (pure functions, no servers)."""

from __future__ import annotations

import pytest

from bench.triage.letters_rest import HELDOUT, letters, measure, read_replies


def test_the_form_reading_and_its_location_question_are_seen():
    replies = [
        {"text": "我理解您要投诉…", "custom": {"type": "letter", "category": "投诉", "department": "海原县水务局"}},
        {"text": "事情发生在哪里？（比如哪个乡镇）"},
    ]
    seen = read_replies(replies)
    assert seen["category"] == "投诉" and seen["location_question"] and seen["form"]
    assert not seen["emergency_first"]
    assert read_replies([{"text": "请立刻打电话 119"}])["emergency_first"]


def test_counts_follow_the_labels():
    rows = [
        {"text": "a", "type": "咨询", "urgency": "none", "style": "letter"},
        {"text": "b", "type": "投诉", "urgency": "mentioned", "style": "letter"},
    ]
    answers = {
        "a": [{"text": "事情发生在哪里？", "custom": {"type": "letter", "category": "投诉"}}],
        "b": [{"text": "我理解您要投诉", "custom": {"type": "letter", "category": "投诉"}}],
    }
    result = measure(rows, answers.__getitem__)
    assert result["consult_location_question"] == 1.0 and result["complaint_help_in_flow"] == 1.0
    assert result["type_right"] == 0.5 and result["emergency_first_not_now"] == 0.0


def test_the_held_out_split_is_refused():
    with pytest.raises(SystemExit):
        letters(HELDOUT / "heldout.jsonl")
