"""Reading the aspect asked from the citizen's own words (bot/knowledge/aspects.py)."""

from __future__ import annotations

import pytest

from bot.knowledge.aspects import asked_aspects


@pytest.mark.parametrize(
    "text, aspect",
    [
        ("换个身份证得拿些啥", "materials"),
        ("去了要准备哪几样东西", "materials"),
        ("补一个要几个钱", "fee"),
        ("这个收钱不", "fee"),
        ("登记费是多少", "fee"),
        ("办下来得等多少天", "time_limit"),
        ("当天能拿到不", "time_limit"),
        ("钱啥时候能到账", "time_limit"),
        ("去哪个窗口交", "place"),
        ("办的地方在县城哪个位置", "place"),
        ("在手机上能弄不", "online"),
        ("交管12123上能换吗", "online"),
        ("不用跑就能办吗", "online"),
        ("我这种情况符不符合", "eligibility"),
        ("多大岁数能领", "eligibility"),
        ("第一步先干啥", "steps"),
        ("让我儿子去办可以吗", "proxy"),
    ],
)
def test_colloquial_words_name_the_aspect(text: str, aspect: str) -> None:
    assert asked_aspects(text)[:1] == [aspect]


def test_several_parts_come_in_the_order_asked() -> None:
    assert asked_aspects("要带啥 多少钱") == ["materials", "fee"]
    assert asked_aspects("多少钱 要带啥") == ["fee", "materials"]
    assert asked_aspects("替我妈办要带啥") == ["proxy", "materials"]


@pytest.mark.parametrize("text", ["身份证咋办", "我想了解一下低保", "丧葬补助金", ""])
def test_a_general_question_names_no_aspect(text: str) -> None:
    assert asked_aspects(text) == []


def test_words_inside_a_service_name_ask_nothing() -> None:
    names = ["医疗费用手工报销", "就医费用报销一件事"]
    assert asked_aspects("医疗费用手工报销要带啥", names) == ["materials"]
    assert asked_aspects("医疗费用手工报销", names) == []
    assert asked_aspects("医疗费用手工报销要带啥")[0] == "fee"  # without the names it would misread
    assert asked_aspects("养老金资格认证在手机上咋弄") == ["online"]  # 资格认证 is the service, not a condition


def test_a_weak_cue_reads_the_words_as_written() -> None:
    assert asked_aspects("交了三年 能领失业金不", ["失业金", "领失业金"]) == ["eligibility"]
    assert asked_aspects("个体户执照办下来要交多少钱") == ["fee"]  # 办下来 alone is no time question


def test_a_question_word_before_another_aspects_noun_is_not_about_materials() -> None:
    assert asked_aspects("要什么条件") == ["eligibility"]
    assert asked_aspects("需要什么时间") == []


def test_weak_words_decide_only_when_nothing_more_specific_is_asked() -> None:
    assert asked_aspects("租房住了三个月能办不") == ["eligibility"]
    assert asked_aspects("网上能办吗") == ["online"]


def test_words_that_only_look_like_cues_are_not_read_as_them() -> None:
    assert asked_aspects("前几天去办身份证 要带啥") == ["materials"]  # 前几天 is not a time limit
    assert asked_aspects("老人不会用手机 能去哪里认证") == ["place"]  # no phone: not an online question


def test_how_to_apply_asks_the_procedure_but_what_to_do_stays_general() -> None:
    assert asked_aspects("低保咋申请呢") == ["steps"]
    assert asked_aspects("俺四十五了还能入吗 咋申请") == ["eligibility"]  # the first weak cue asked
    assert asked_aspects("身份证丢了怎么办") == []
