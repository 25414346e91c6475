"""The complaint form asks once, in its summary, whether the citizen wants to hear of the ticket's progress:
"提交并通知我" confirms and asks for notices, plain 确认提交 confirms without (the default), and a reply that
is neither is not read as either (in process: rasa_sdk actions on hand-built trackers)."""

from __future__ import annotations

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import complaint_form
from actions.complaint_form import WITH_NOTICES, ActionAskComplaintConfirm, ActionSubmitComplaint, ValidateComplaintForm
from actions.outbox import SubmitResult
from bot.settings import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
SLOTS = dict(
    complaint_description="村口路灯坏了一个月了，晚上看不见路",
    complaint_category="投诉",
    complaint_location="三河镇",
    complaint_time="一个月前",
    complaint_department="未说明",
    contact_name="匿名",
    contact_phone="13812345678",
    complaint_consent=True,
)


def tracker(**slots) -> Tracker:
    latest = {"text": "x", "intent": {"name": "inform"}}
    return Tracker("sender-1", slots, latest, [], False, None, {"name": "complaint_form"}, "action_listen")


def confirm(text: str) -> dict:
    form = ValidateComplaintForm()
    return form.validate_complaint_confirm(
        text, CollectingDispatcher(), tracker(requested_slot="complaint_confirm"), {}
    )


@pytest.mark.parametrize("text", ["提交并通知我", "要通知", "通知我。", "4", "选第四个"])
def test_asking_for_notices_confirms_with_notices(text: str) -> None:
    assert confirm(text) == {"complaint_confirm": WITH_NOTICES}


@pytest.mark.parametrize("text", ["确认提交", "1", "好的"])
def test_plain_confirmation_sends_no_notices(text: str) -> None:
    assert confirm(text) == {"complaint_confirm": True}


@pytest.mark.parametrize("text", ["要不要通知", "通知一下我家里人", "不要通知"])
def test_anything_else_is_neither(text: str) -> None:
    assert confirm(text)["complaint_confirm"] is None


@pytest.mark.parametrize("elderly", [False, True])
def test_the_summary_offers_the_choice_in_both_modes(elderly: bool) -> None:
    dispatcher = CollectingDispatcher()
    ActionAskComplaintConfirm().run(dispatcher, tracker(**SLOTS, elderly_mode=elderly), DOMAIN)
    [message] = dispatcher.messages
    titles = [b["title"] for b in message["buttons"]]
    assert titles[-1] == ("4 提交并通知我" if elderly else "提交并通知我") and len(titles) == 4
    assert len(titles) == complaint_form.NOTIFY_OPTION
    assert titles[0].endswith("确认提交")  # the digits of the existing choices are unchanged
    assert "提交并通知我" in message["text"]


@pytest.mark.parametrize("confirmed, expected", [(WITH_NOTICES, True), (True, False)])
def test_the_ticket_carries_the_choice(monkeypatch, confirmed, expected: bool) -> None:
    sent: list[dict] = []

    def submit(payload: dict, idempotency_key: str | None = None) -> SubmitResult:
        sent.append(payload)
        return SubmitResult("created", idempotency_key or "", "HY202612030001", ticket={"number": "HY202612030001"})

    monkeypatch.setattr(complaint_form.outbox, "submit", submit)
    ActionSubmitComplaint().run(CollectingDispatcher(), tracker(**SLOTS, complaint_confirm=confirmed), DOMAIN)
    assert [p["notify_updates"] for p in sent] == [expected]
