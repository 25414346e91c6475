"""Actions run in process on hand-built trackers (no Rasa, no servers): the knowledge answers and the form
validators as the action server would run them."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.complaint_form import ValidateComplaintForm
from actions.services import ActionAnswerService
from tests.support.trackers import texts, tracker


def run(action, t) -> tuple[list[str], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return texts(dispatcher), events


def test_a_fee_question_is_answered_with_the_fee_and_keeps_the_service() -> None:
    said, events = run(
        ActionAnswerService(),
        tracker(
            "社保卡补办要钱吗", intent="ask_fee", entities=[{"entity": "service", "value": "social_security_card"}]
        ),
    )
    assert said and any("费" in t or "元" in t for t in said), said
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["service"] == "social_security_card" and slots["service_aspect"] == "fee"


def test_words_that_name_no_service_climb_the_fallback_ladder_instead_of_guessing() -> None:
    said, events = run(ActionAnswerService(), tracker("那个东西咋弄", intent="ask_materials"))
    assert said and not any(e.get("name") == "service" for e in events if e.get("event") == "slot")


@pytest.mark.parametrize("typed, phone", [("13912345678", "13912345678"), ("0955-1234567", "09551234567")])
def test_a_valid_phone_is_kept(typed: str, phone: str) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateComplaintForm().validate_contact_phone(typed, dispatcher, tracker(typed), {})
    assert result == {"contact_phone": phone} and not dispatcher.messages


@pytest.mark.parametrize("typed", ["1391234567", "电话没有", "12345"])
def test_a_malformed_phone_is_asked_again_politely(typed: str) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateComplaintForm().validate_contact_phone(typed, dispatcher, tracker(typed), {})
    assert result == {"contact_phone": None}
    assert texts(dispatcher) and all("电话" in t or "号码" in t for t in texts(dispatcher))
