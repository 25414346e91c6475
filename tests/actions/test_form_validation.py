"""The forms' one validator base class (actions/form_validation.py) in process: every form validator is a
subclass that keeps the shared preamble, and the preamble works in each form (safety first, side requests
followed by the form's own next question)."""

from __future__ import annotations

import asyncio
import inspect

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.bundles import ValidateBundleForm
from actions.complaint_form import ValidateComplaintForm
from actions.form_validation import CitizenFormValidationAction
from actions.handoff import ValidateCallbackForm
from actions.ticket_rating import ValidateRatingForm
from actions.ticket_status import ValidateTicketStatusForm
from bot.settings import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
VALIDATORS = [
    ValidateBundleForm,
    ValidateComplaintForm,
    ValidateCallbackForm,
    ValidateRatingForm,
    ValidateTicketStatusForm,
]


def form_tracker(form: str, requested: str, text: str, intent: str, **slots) -> Tracker:
    """A tracker in the middle of `form`, asked `requested`, whose latest message is `text`."""
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return Tracker.from_dict(
        {
            "sender_id": "form-validation",
            "slots": {"requested_slot": requested, **slots},
            "latest_message": parse,
            "events": [
                {"event": "user", "text": text, "parse_data": parse},
                {"event": "action", "name": form},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": form},
            "latest_action_name": form,
        }
    )


def run(validator: CitizenFormValidationAction, tracker: Tracker) -> tuple[list[str], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(validator.run(dispatcher, tracker, DOMAIN))
    return [m.get("text") or "" for m in dispatcher.messages], events


def test_the_action_server_registers_every_form_validator_and_not_the_base_class() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    names = set(executor.actions)
    assert {v().name() for v in VALIDATORS} <= names
    assert inspect.isabstract(CitizenFormValidationAction)
    validators = {n for n in names if n.startswith("validate_")}
    assert validators == {v().name() for v in VALIDATORS}, "a validator that does not use the base class"


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v.__name__)
def test_no_validator_repeats_the_preamble(validator: type) -> None:
    assert issubclass(validator, CitizenFormValidationAction)
    assert "run" not in vars(validator), "override side_request or run_form, not run"
    domain_slots = set(DOMAIN["forms"][validator().name().removeprefix("validate_")]["required_slots"])
    assert set(validator.form_slots) <= domain_slots | set(DOMAIN["slots"])


FORMS = [
    (
        ValidateComplaintForm(),
        "complaint_form",
        "complaint_location",
        {"complaint_description": "路灯坏了一个月", "complaint_category": "投诉"},
    ),
    (ValidateTicketStatusForm(), "ticket_status_form", "phone_last4", {"ticket_number": "HY202611250001"}),
    (ValidateCallbackForm(), "callback_form", "callback_time", {"callback_phone": "13912345678"}),
    (ValidateRatingForm(), "rating_form", "rating_comment", {"rating_grade": "满意"}),
]


@pytest.mark.parametrize("validator, form, requested, slots", FORMS, ids=lambda f: getattr(f, "__name__", None))
def test_self_harm_in_any_form_gets_the_numbers_and_closes_the_form(validator, form, requested, slots) -> None:
    said, events = run(validator, form_tracker(form, requested, "活着没意思", "self_harm", **slots))
    assert any("12356" in t for t in said), said
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in events if e["event"] == "active_loop"
    ]
    cleared = {e["name"] for e in events if e["event"] == "slot" and e["value"] is None}
    assert set(validator.form_slots) <= cleared


@pytest.mark.parametrize("validator, form, requested, slots", FORMS, ids=lambda f: getattr(f, "__name__", None))
def test_an_emergency_in_any_form_gets_the_numbers_then_the_same_question(validator, form, requested, slots) -> None:
    said, events = run(validator, form_tracker(form, requested, "着火了快来人", "emergency", **slots))
    assert any("119" in t for t in said), said
    # The slot the message was taken for is asked again: named by the validator, or (a form without its own
    # required_slots) by Rasa, as the first empty slot of the domain's list.
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert requested in slots and slots[requested] is None, events
    assert slots.get("requested_slot", requested) == requested, events
    assert not any(e["event"] == "active_loop" for e in events)


@pytest.mark.parametrize(
    "validator, form, requested, slots, answer",
    [
        (
            ValidateTicketStatusForm(),
            "ticket_status_form",
            "phone_last4",
            {"ticket_number": "HY202611250001"},
            "不查了",
        ),
        (ValidateCallbackForm(), "callback_form", "callback_phone", {}, "好的，不预约了"),
    ],
)
def test_cancel_ends_the_form_with_a_word(validator, form, requested, slots, answer) -> None:
    said, events = run(validator, form_tracker(form, requested, "算了不要了", "cancel", **slots))
    assert any(answer.strip("好的，") in t for t in said), said
    assert any(e["event"] == "active_loop" and e.get("name") is None for e in events)
