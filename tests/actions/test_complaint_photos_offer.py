"""Photos in the complaint form (issue 17), on the action side: the summary carries the web chat's cue for its
optional photo control (no extra question, in both modes), and the ticket card the number of photos the
backend attached to the new ticket (in process: rasa_sdk actions on hand-built trackers)."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import complaint_form
from actions.complaint_form import PHOTOS_OFFER, ActionAskComplaintConfirm, ActionSubmitComplaint
from actions.outbox import SubmitResult
from tests.actions.test_complaint_notices import DOMAIN, SLOTS, tracker


@pytest.mark.parametrize("elderly", [False, True])
def test_the_summary_offers_photos_without_a_new_question(elderly: bool) -> None:
    dispatcher = CollectingDispatcher()
    ActionAskComplaintConfirm().run(dispatcher, tracker(**SLOTS, elderly_mode=elderly), DOMAIN)
    [message] = dispatcher.messages
    assert message["custom"] == PHOTOS_OFFER == {"type": "complaint_photos"}
    assert "请核对" in message["text"] and len(message["buttons"]) == 4


def test_editing_offers_no_photos() -> None:
    dispatcher = CollectingDispatcher()
    ActionAskComplaintConfirm().run(dispatcher, tracker(**SLOTS, complaint_editing=True), DOMAIN)
    assert all(not m.get("custom") for m in dispatcher.messages)


@pytest.mark.parametrize("ticket, photos", [({"number": "HY202612030001", "photos": 2}, 2), (None, 0)])
def test_the_ticket_card_carries_the_photos_attached(monkeypatch, ticket, photos: int) -> None:
    def submit(payload: dict, idempotency_key: str | None = None) -> SubmitResult:
        if ticket is None:  # the backend is down: queued, photos go with it later
            return SubmitResult("queued", idempotency_key or "", local_ref="L-1")
        return SubmitResult("created", idempotency_key or "", "HY202612030001", ticket=ticket)

    monkeypatch.setattr(complaint_form.outbox, "submit", submit)
    dispatcher = CollectingDispatcher()
    ActionSubmitComplaint().run(dispatcher, tracker(**SLOTS, complaint_confirm=True), DOMAIN)
    [card] = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert card["type"] == "ticket" and card["photos"] == photos and card["queued"] is (ticket is None)
