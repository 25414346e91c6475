"""转人工 from the 公众号: no live queue (staff messages cannot reach WeChat yet), 12345 and a call-back."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from tests.support.trackers import texts, tracker


def test_wechat_citizens_get_12345_and_a_callback_instead_of_a_silent_queue(monkeypatch) -> None:
    def never(*args, **kwargs):
        raise AssertionError("a WeChat conversation must not be queued for the console")

    monkeypatch.setattr(handoff.HandoffClient, "request", never)
    t = tracker("转人工", intent="human_handoff", sender_id="o" + "a" * 27)
    t.latest_message["metadata"] = {"channel": "wechat"}
    dispatcher = CollectingDispatcher()
    handoff.handoff_reply(dispatcher, t)
    said = "".join(texts(dispatcher))
    assert "公众号" in said and "12345" in said
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/request_callback", "/start_complaint"]
