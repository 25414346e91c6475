"""Static checks of domain.yml responses: Simplified Chinese, and a 长辈模式 shape wherever text is long."""

from __future__ import annotations

import re

import yaml

from bot.settings import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
ELDERLY_MAX_CHARS = 40  # per bubble, line breaks not counted
ELDERLY_MAX_OPTIONS = 4
FIVE_GRADES = "utter_ask_rating_grade"  # 好差评 has five grades by national rule: the one exception


def is_elderly(variant: dict) -> bool:
    return any(c.get("name") == "elderly_mode" and c.get("value") is True for c in variant.get("condition") or [])


def test_every_long_response_has_a_short_elderly_variant() -> None:
    missing = []
    for name, variants in DOMAIN["responses"].items():
        plain = [v for v in variants if not is_elderly(v)]
        if any(
            len(v.get("text", "").replace("\n", "")) > ELDERLY_MAX_CHARS or len(v.get("buttons") or []) > 4
            for v in plain
        ) and not any(is_elderly(v) for v in variants):
            missing.append(name)
    assert not missing, missing


def test_elderly_variants_are_short_with_few_numbered_options() -> None:
    for name, variants in DOMAIN["responses"].items():
        for variant in filter(is_elderly, variants):
            assert len(variant["text"].replace("\n", "")) <= ELDERLY_MAX_CHARS, (name, variant["text"])
            buttons = variant.get("buttons") or []
            if name != FIVE_GRADES:
                assert len(buttons) <= ELDERLY_MAX_OPTIONS, name
            assert [b["title"].split(" ")[0] for b in buttons] == [str(i) for i in range(1, len(buttons) + 1)], name


def test_responses_are_in_simplified_chinese() -> None:
    """Chinese, and simplified: zhconv's traditional → simplified table changes none of their characters."""
    import zhconv

    cjk = re.compile(r"[\u4e00-\u9fff]")
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            text = variant.get("text", "")
            assert cjk.search(text), name
            traditional = [c for c in cjk.findall(text) if zhconv.convert(c, "zh-cn") != c]
            assert not traditional, (name, traditional)


def test_the_simplified_check_sees_traditional_characters() -> None:
    import zhconv

    assert {c for c in "請問醫保怎麼報銷" if zhconv.convert(c, "zh-cn") != c} == set("請問醫麼報銷")
