"""Reply text: each aspect, 待核实 wording, unverified line, elderly mode, 猜你想问."""

from __future__ import annotations

import pytest

from bot.knowledge.render import (
    ASPECTS,
    ELDERLY_MAX,
    MORE_HINT,
    PENDING_TEXT,
    related_questions,
    render_aspect,
    service_display_name,
)


def text(bubbles: list[str]) -> str:
    return "\n".join(bubbles)


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("elderly", [False, True])
def test_every_aspect_renders_for_every_service(kb, aspect, elderly):
    for service_id in kb.services:
        bubbles = render_aspect(kb, service_id, aspect, elderly=elderly)
        assert bubbles and all(isinstance(b, str) and b.strip() for b in bubbles)
        assert "None" not in text(bubbles)


def test_display_name_prefers_short_name(kb):
    assert service_display_name(kb, "id_card") == "身份证办理"
    assert service_display_name(kb, "unknown") == "unknown"


def test_materials_are_numbered_with_form_count_and_notes(kb):
    reply = text(render_aspect(kb, "id_card", "materials"))
    assert "1. 居民户口簿：原件" in reply
    assert "5. 监护人身份证：原件及复印件2份。未满16周岁的由监护人陪同" in reply
    assert "近期免冠照片：不用自己提交" in reply
    assert "可容缺" in reply


def test_pending_value_wording(kb):
    assert PENDING_TEXT == "待核实（请以窗口或电话答复为准）"
    assert PENDING_TEXT in text(render_aspect(kb, "id_card", "fee"))
    assert f"承诺时限：{PENDING_TEXT}" in text(render_aspect(kb, "id_card", "time_limit"))
    assert f"户籍证明：提交形式{PENDING_TEXT}" in text(render_aspect(kb, "id_card", "materials"))


def test_unverified_service_says_what_is_unconfirmed_in_one_line(kb):
    bubbles = render_aspect(kb, "id_card", "fee")
    assert bubbles[-1].startswith("说明：收费尚未") and "\n" not in bubbles[-1] and "12345" in bubbles[-1]
    # The caveat names the part asked and only that part: the steps are confirmed, so no caveat at all.
    assert not any(b.startswith("说明") for b in render_aspect(kb, "id_card", "steps"))
    limits = render_aspect(kb, "id_card", "time_limit")[-1]
    assert "承诺时限" in limits and "法定时限" not in limits and "收费" not in limits


def test_verified_service_has_no_note(kb):
    assert not any(b.startswith("说明") for b in render_aspect(kb, "temp_id_card", "materials"))


def test_fee_time_limit_eligibility_steps(kb):
    assert "免费" in text(render_aspect(kb, "temp_id_card", "fee"))
    limits = text(render_aspect(kb, "temp_id_card", "time_limit"))
    assert "承诺时限：10个工作日" in limits and "法定时限：20个工作日" in limits
    eligibility = text(render_aspect(kb, "temp_id_card", "eligibility"))
    assert "本县户籍居民" in eligibility and "年满16周岁" in eligibility
    assert "1. 到窗口提交材料\n2. 窗口审核\n3. 领取结果" in text(render_aspect(kb, "temp_id_card", "steps"))


def test_place_resolves_hall_and_phone(kb):
    reply = text(render_aspect(kb, "id_card", "place"))
    assert "海原县政务服务中心" in reply and "海原县测试路1号" in reply and "周一至周五" in reply
    assert "综合受理窗口" in reply
    assert "0955-1111111" in reply  # the department's phone before the hall's
    assert "0955-0000000" in text(render_aspect(kb, "social_security_card", "place"))  # hall's phone


def test_online_states(kb):
    assert "不能在网上办" in text(render_aspect(kb, "id_card", "online"))
    assert "跨省通办" in text(render_aspect(kb, "id_card", "online"))
    yes = text(render_aspect(kb, "social_security_card", "online"))
    assert "宁夏政务服务网、我的宁夏APP" in yes and "我的宁夏APP—办事" in yes and "全程网办" in yes
    assert PENDING_TEXT in text(render_aspect(kb, "marriage_registration", "online"))


def test_card_is_a_compact_guide(kb):
    card = render_aspect(kb, "id_card", "card")[0]
    for part in ("办什么", "主要材料", "等5项", "办理时限", "办理地点", "网上办理"):
        assert part in card


def test_elderly_mode_is_short_and_offers_more(kb):
    bubbles = render_aspect(kb, "id_card", "materials", elderly=True)
    assert all(len(b) <= ELDERLY_MAX for b in bubbles), bubbles
    assert [b for b in bubbles if b[:2] in ("1.", "2.", "3.", "4.")] == [
        "1. 居民户口簿",
        "2. 原居民身份证",
        "3. 户籍证明（待核实）",
    ]
    assert MORE_HINT in bubbles
    assert MORE_HINT == "回复“更多”看全部"
    assert MORE_HINT not in render_aspect(kb, "temp_id_card", "materials", elderly=True)  # only one item


def test_elderly_bubbles_fit_for_every_aspect(kb):
    for service_id in kb.services:
        for aspect in ASPECTS:
            for bubble in render_aspect(kb, service_id, aspect, elderly=True):
                assert len(bubble) <= ELDERLY_MAX, (service_id, aspect, bubble)


def test_related_questions(kb):
    buttons = related_questions(kb, "id_card", "materials")
    assert 2 <= len(buttons) <= 3
    assert all(title and payload for title, payload in buttons)
    assert not any("材料" in title for title, _ in buttons)  # not the question just answered
    assert buttons[-1] == ("临时身份证办理怎么办？", "临时身份证办理办事指南")  # from `related`
    assert all(payload.startswith("身份证办理") for _, payload in buttons[:2])
    assert len(related_questions(kb, "divorce_registration", "fee")) == 3
    assert related_questions(kb, "nothing", "fee") == []


def test_unknown_service_and_aspect(kb):
    assert "12345" in render_aspect(kb, "passport", "fee")[0]
    with pytest.raises(ValueError):
        render_aspect(kb, "id_card", "price")


def test_render_survives_a_malformed_service(kb):
    kb.services["broken"] = {
        "id": "broken",
        "name": "坏文件",
        "materials": "户口本",
        "steps": None,
        "place": "大厅",
        "online": ["x"],
        "time_limit": "3天",
        "verified": False,
    }
    for aspect in ASPECTS:
        assert render_aspect(kb, "broken", aspect)
    assert related_questions(kb, "broken", "fee")
