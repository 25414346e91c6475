"""The complaint form's letter handling in process (rasa_sdk actions on hand-built trackers): which questions
a type is asked, and the summary with type and department."""

from __future__ import annotations

import asyncio

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.complaint_form import ActionAskComplaintConfirm, ValidateComplaintForm
from actions.complaint_questions import ActionAskComplaintDepartment, ActionAskComplaintLocation
from bot.settings import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def tracker(**slots) -> Tracker:
    return Tracker("t", slots, {"text": "x", "intent": {"name": "start_complaint"}}, [], False, None, None, None)


def required(**slots) -> list[str]:
    form = ValidateComplaintForm()
    domain_slots = DOMAIN["forms"]["complaint_form"]["required_slots"]
    return asyncio.run(form.required_slots(domain_slots, CollectingDispatcher(), tracker(**slots), DOMAIN))


def texts(action, **slots) -> str:
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, tracker(**slots), DOMAIN)
    return "\n".join(
        (m.get("text") or "") + "".join(b["title"] for b in m.get("buttons") or []) for m in dispatcher.messages
    )


def test_a_question_or_a_suggestion_is_never_asked_when_it_happened() -> None:
    assert "complaint_time" in required(complaint_category="投诉")
    assert "complaint_time" not in required(complaint_category="咨询")
    assert "complaint_time" not in required(complaint_category="建议")


def test_a_question_is_asked_which_place_or_unit_a_complaint_where_it_happened() -> None:
    asked = texts(ActionAskComplaintLocation(), complaint_category="咨询")
    assert "哪个地方或哪个单位" in asked and "发生" not in asked
    assert "事情发生在哪里" in texts(ActionAskComplaintLocation(), complaint_category="投诉")


def test_the_department_is_asked_with_the_triage_three_best() -> None:
    triage = {"departments": ["海原县水务局", "海原县农业农村局", "乡镇人民政府"]}
    asked = texts(ActionAskComplaintDepartment(), complaint_triage=triage)
    assert all(d in asked for d in triage["departments"]) and "不知道" in asked


def test_the_summary_shows_type_and_department_and_offers_to_change_both() -> None:
    slots = dict(
        complaint_description="建议在村口装路灯",
        complaint_category="建议",
        complaint_location="树台乡",
        complaint_department="海原县综合执法局",
        contact_name="王先生",
        contact_phone="13812345678",
    )
    summary = texts(ActionAskComplaintConfirm(), **slots)
    assert "类别：建议" in summary and "涉及部门：海原县综合执法局" in summary and "时间：" not in summary
    choices = texts(ActionAskComplaintConfirm(), complaint_editing=True, **slots)
    assert "改类别" in choices and "改涉及部门" in choices


def test_elderly_mode_can_change_type_and_department_too() -> None:
    """长辈模式 keeps four numbered choices; the type and the department the triage guessed are among them."""
    slots = dict(
        complaint_description="领导您好，我们村的路灯坏了半年",
        complaint_category="投诉",
        complaint_location="树台乡",
        complaint_department="乡镇人民政府",
        contact_name="王先生",
        contact_phone="13812345678",
        elderly_mode=True,
    )
    dispatcher = CollectingDispatcher()
    ActionAskComplaintConfirm().run(dispatcher, tracker(complaint_editing=True, **slots), DOMAIN)
    buttons = [b for m in dispatcher.messages for b in m.get("buttons") or []]
    assert len(buttons) <= 4
    fields = {b["payload"].split('"complaint_field": "')[1].split('"')[0] for b in buttons}
    assert {"complaint_category", "complaint_department"} <= fields
