"""我的工单 (POST /api/tickets/of-conversations) and 热点问题 (GET /api/hot-questions) on the real backend."""

from __future__ import annotations

import uuid


def conversation() -> str:
    return f"web-{uuid.uuid4().hex}"


def test_lists_only_the_tickets_of_the_conversations_asked_for(api):
    mine, earlier, other = conversation(), conversation(), conversation()
    first = api.new_ticket(conversation_id=earlier, summary="路灯坏了 电话13812345678")
    second = api.new_ticket(conversation_id=mine)
    stranger = api.new_ticket(conversation_id=other)
    api.move(second["number"], "已转办", department="海原县住房和城乡建设局")

    response = api.post("/api/tickets/of-conversations", json={"conversation_ids": [mine, earlier]})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [t["number"] for t in items] == [second["number"], first["number"]]  # newest first
    assert stranger["number"] not in {t["number"] for t in items}
    assert [h["stage"] for h in items[0]["history"]] == ["已受理", "已转办"]
    assert items[0]["status"] == "已转办" and items[0]["department"] == "海原县住房和城乡建设局"
    assert "13812345678" not in response.text and items[1]["summary"] == "路灯坏了 电话138****5678"


def test_needs_the_token_and_a_sensible_request(api):
    body = {"conversation_ids": [conversation()]}
    assert api.post("/api/tickets/of-conversations", json=body, token=False).status_code == 401
    assert api.post("/api/tickets/of-conversations", json={"conversation_ids": []}).status_code == 422
    too_many = {"conversation_ids": [conversation() for _ in range(13)]}
    assert api.post("/api/tickets/of-conversations", json=too_many).status_code == 422
    assert api.post("/api/tickets/of-conversations", json=body).json() == {"items": []}


def test_hot_questions_are_public_and_come_from_the_knowledge_base(api):
    response = api.get("/api/hot-questions", token=False)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert 1 <= len(items) <= 6
    # No traffic in this database: staff's picks in county.yml, in their order and wording.
    assert items[0] == {
        "title": "身份证丢了怎么补办",
        "payload": '/ask_service{"service": "id_card"}',
        "service": "id_card",
    }
    assert len({i["service"] for i in items}) == len(items)
    assert api.get("/api/hot-questions?limit=2", token=False).json()["items"] == items[:2]
