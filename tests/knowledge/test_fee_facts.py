"""Fees citizens act on, pinned to their official texts (see the fee list in knowledge/README.md)."""

from __future__ import annotations

from bot.knowledge.loader import KnowledgeBase, default_root


def test_id_card_first_application_is_free_and_the_dibao_exemption_is_mandatory():
    # 财税〔2018〕37号: no fee for a first application since 2018-04-01; 居民身份证法 第二十一条第二款:
    # 低保 residents pay nothing for a first application or a renewal ("免收", not "可以免收").
    fee = KnowledgeBase(default_root()).services["id_card"]["fee"]
    assert "首次申领免收" in fee and "2018年4月1日" in fee
    assert "每证20元" in fee and "每证40元" in fee
    assert "最低生活保障" in fee and "可免收" not in fee and "免收或减收" not in fee


def _fee_sources(service: str) -> list[dict]:
    data = KnowledgeBase(default_root()).services[service]
    entry = data["facts"]["fee"]
    ids = entry["source"] if isinstance(entry["source"], list) else [entry["source"]]
    by_id = {s["id"]: s for s in data["sources"]}
    return [by_id[i] for i in ids]


def test_licences_granted_under_the_administrative_licensing_law_are_free():
    # 行政许可法 第五十八条: no fee for granting a licence unless a law or administrative regulation says so;
    # neither 食品安全法 / its 实施条例 nor 市场主体登记管理条例 provides one (issue 18).
    for service in ("food_business_license", "enterprise_registration"):
        fee = KnowledgeBase(default_root()).services[service]["fee"]
        assert fee.startswith("不收费"), (service, fee)
        titles = [s["title"] for s in _fee_sources(service)]
        assert any("行政许可法" in t and "五十八" in t for t in titles), (service, titles)
