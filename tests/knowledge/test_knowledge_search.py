"""Search: exact names, several items, typos, unknown text, ambiguity."""

from __future__ import annotations

import os

import pytest
import yaml

from bot.knowledge import search as search_module
from bot.knowledge.loader import BUNDLE, SERVICE, KnowledgeBase
from bot.knowledge.search import AMBIGUOUS, CONFIDENT, EXACT, NONE, search
from tests.support.kb_fixtures import write_yaml


def ids(result):
    return [c.id for c in result.candidates]


def test_exact_alias(kb):
    result = search(kb, "我的身份证丢了怎么办")
    assert result.status == EXACT and ids(result) == ["id_card"]
    assert result.top.kind == SERVICE


def test_exact_bundle(kb):
    result = search(kb, "娃出生了要办哪些手续")
    assert result.status == EXACT and result.top == search_module.Candidate(BUNDLE, "newborn", 1.0)


def test_two_services_in_order_of_mention(kb):
    assert ids(search(kb, "身份证和社保卡都丢了")) == ["id_card", "social_security_card"]
    assert ids(search(kb, "社保卡和身份证都丢了")) == ["social_security_card", "id_card"]


def test_longest_name_wins(kb):
    assert ids(search(kb, "我想办临时身份证")) == ["temp_id_card"]


def test_full_width_and_spaces_are_ignored(kb):
    assert ids(search(kb, "补 身份证")) == ["id_card"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("身份正补办", "id_card"),
        ("社宝卡", "social_security_card"),
        ("社保咔丢了", "social_security_card"),
        ("低宝怎么申请", "minimum_living_allowance"),
        ("结婚需要带啥", "marriage_registration"),
    ],
)
def test_typos_and_new_phrasings_find_the_service(kb, text, expected):
    result = search(kb, text)  # a known homophone slip (低宝 → 低保) is even an exact name
    assert result.status in (EXACT, CONFIDENT, AMBIGUOUS), result
    assert result.top.id == expected


@pytest.mark.parametrize("text", ["今天天气怎么样", "我家牛丢了咋办", "营业执照", "你好", ""])
def test_unknown_text_gives_none(kb, text):
    result = search(kb, text)
    assert result.status == NONE and result.candidates == ()


def test_ambiguous_offers_the_close_candidates(kb):
    result = search(kb, "婚姻登记")  # a keyword of both marriage and divorce registration
    assert result.status == AMBIGUOUS
    assert set(ids(result)) == {"marriage_registration", "divorce_registration"}


def test_kinds_filter(kb):
    assert search(kb, "孩子出生", kinds=(SERVICE,)).status != EXACT
    assert ids(search(kb, "孩子出生", kinds=(BUNDLE,))) == ["newborn"]


def test_index_is_built_once_per_version(kb, kb_root, monkeypatch):
    built = []
    original = search_module.SearchIndex.__init__

    def counting(self, k):
        built.append(1)
        original(self, k)

    monkeypatch.setattr(search_module.SearchIndex, "__init__", counting)
    search(kb, "身份证")
    search(kb, "社保卡")
    assert len(built) == 1

    path = kb_root / "services" / "temp_id_card.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["aliases"].append("临时证件")
    write_yaml(path, data)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    assert kb.reload_if_changed()
    assert ids(search(kb, "临时证件怎么办")) == ["temp_id_card"]
    assert len(built) == 2


def test_empty_knowledge_base(tmp_path):
    kb = KnowledgeBase(tmp_path)
    assert search(kb, "身份证").status == NONE
