"""Every yes/no question reads only an explicit answer (issue 14 defect 9, issue 17 defect 3).

A phone number typed again at the consent question, "100块钱的事" at the summary or "13912345678" at a
bundle question used to count as 同意 / 确认 / 是, because the old reader took any reply opening with
1, 一, 有, 要 or 好 for yes. The validators run in-process on hand-built trackers.
"""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("OUTBOX_DB_URL", f"sqlite:///{tempfile.mkdtemp()}/outbox.db")

from rasa_sdk import Tracker  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

from actions.complaint_form import ValidateComplaintForm  # noqa: E402
from bot.knowledge.bundles import parse_answer  # noqa: E402
from bot.knowledge.yes_no import read_yes_no  # noqa: E402

NOT_ANSWERS = [
    "13912345678",
    "139 1234 5678",
    "100块钱的事",
    "1号楼",
    "一楼的事",
    "有个问题想问",
    "要不要",
    "好不好",
    "好多人都这样",
    "要是能快点就好了",
    "不知道",
    "行政服务中心",
    "是什么意思",
    "",
    "？？？",
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("同意", True),
        ("我同意", True),
        ("同意。", True),
        ("好的", True),
        ("好的谢谢", True),
        ("是的", True),
        ("嗯", True),
        ("1", True),
        ("可以", True),
        ("仍要登记", True),
        ("不同意", False),
        ("不用了", False),
        ("不要", False),
        ("没有", False),
        ("2", False),
        ("算了", False),
    ]
    + [(text, None) for text in NOT_ANSWERS],
)
def test_only_an_explicit_answer_is_read(text, expected):
    assert read_yes_no(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [("有抵押", True), ("已婚", True), ("没有房子", False), ("未婚", False), ("有", True)]
    + [(text, None) for text in NOT_ANSWERS],
)
def test_bundle_questions_also_read_short_factual_answers_but_no_numbers(text, expected):
    assert parse_answer({"type": "yes_no"}, text) is expected


def _tracker(requested: str, text: str, **slots) -> Tracker:
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 1.0}}}
    return Tracker(
        "yes-no-test",
        {"requested_slot": requested, **slots},
        {"text": text, "intent": {"name": "nlu_fallback", "confidence": 1.0}, "entities": []},
        [{"event": "action", "name": "complaint_form"}, user],
        False,
        None,
        {"name": "complaint_form"},
        "action_listen",
    )


@pytest.mark.parametrize("text", ["13912345678", "0955-1234567", "我的电话是13912345678", "1391234"])
def test_a_phone_number_at_the_consent_question_is_not_consent(text):
    form, dispatcher = ValidateComplaintForm(), CollectingDispatcher()
    result = form.validate_complaint_consent(text, dispatcher, _tracker("complaint_consent", text), {})
    assert result == {"complaint_consent": None}
    assert "同意" in dispatcher.messages[0]["text"]  # asked again, explicitly


@pytest.mark.parametrize("text, expected", [("同意", True), ("1", True), ("不同意", False)])
def test_an_explicit_consent_is_read(text, expected):
    form, dispatcher = ValidateComplaintForm(), CollectingDispatcher()
    assert form.validate_complaint_consent(text, dispatcher, _tracker("complaint_consent", text), {}) == {
        "complaint_consent": expected
    }


@pytest.mark.parametrize("text", ["13912345678", "100块钱的事", "1号楼门口", "有个事忘说了", "要快点处理", "好多天了"])
def test_the_summary_is_not_confirmed_by_text_that_merely_starts_like_yes(text):
    form, dispatcher = ValidateComplaintForm(), CollectingDispatcher()
    result = form.validate_complaint_confirm(text, dispatcher, _tracker("complaint_confirm", text), {})
    assert result["complaint_confirm"] is None and result["complaint_editing"] is False


@pytest.mark.parametrize("text", ["确认提交", "确认", "提交", "没问题", "1", "对的", "是的"])
def test_the_summary_is_confirmed_explicitly(text):
    form, dispatcher = ValidateComplaintForm(), CollectingDispatcher()
    assert form.validate_complaint_confirm(text, dispatcher, _tracker("complaint_confirm", text), {}) == {
        "complaint_confirm": True
    }


@pytest.mark.parametrize("text, expected", [("仍要登记", True), ("不用了", False), ("13912345678", None)])
def test_the_still_wanted_question_reads_its_own_buttons(text, expected):
    form, dispatcher = ValidateComplaintForm(), CollectingDispatcher()
    result = form.validate_complaint_still_wanted(text, dispatcher, _tracker("complaint_still_wanted", text), {})
    assert result == {"complaint_still_wanted": expected}


@pytest.mark.parametrize(
    "text, expected",
    [("不是，都是外地户口", False), ("对，结婚了", True), ("好，100块钱的事", None), ("1，号楼", None)],
)
def test_a_yes_or_no_clause_opens_a_longer_reply(text, expected):
    assert parse_answer({"type": "yes_no"}, text) is expected
