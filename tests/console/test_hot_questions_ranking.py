"""热点问题: the statistics rank first, staff's picks fill the rest (in process)."""

from __future__ import annotations

from bot.console.services.hot_questions import picks_of, ranked

SERVICES = {
    "id_card": {"short_name": "身份证办理"},
    "social_security_card": {"short_name": "社保卡办理"},
    "legal_aid": {"name": "法律援助申请"},
}
PICKS = [{"service": "id_card", "question": "身份证丢了怎么补办"}, {"service": "social_security_card", "question": ""}]


def test_most_asked_first_then_picks_each_once():
    items = ranked([("legal_aid", 7), ("id_card", 3)], PICKS, SERVICES, limit=6)
    assert [i["service"] for i in items] == ["legal_aid", "id_card", "social_security_card"]
    assert [i["title"] for i in items] == ["法律援助申请", "身份证丢了怎么补办", "社保卡办理"]
    assert items[0]["payload"] == '/ask_service{"service": "legal_aid"}' and items[0]["asked"] == 7


def test_unknown_services_and_malformed_picks_are_left_out():
    assert ranked([("gone_service", 9)], [], SERVICES, limit=6) == []
    assert picks_of({"hot_questions": [{"service": "id_card"}, "id_card", {"question": "x"}]}) == [
        {"service": "id_card", "question": ""}
    ]
    assert len(ranked([], PICKS, SERVICES, limit=1)) == 1
