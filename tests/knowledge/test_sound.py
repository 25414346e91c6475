"""Words heard by their sound: dictation slips and pinyin-only input against the knowledge base's words."""

from __future__ import annotations

import pytest

from bot.knowledge.loader import get_knowledge_base
from bot.knowledge.search import EXACT, search
from bot.knowledge.sound import SoundLexicon, split_syllables


@pytest.fixture(scope="module")
def lexicon() -> SoundLexicon:
    return SoundLexicon.for_knowledge_base(get_knowledge_base())


@pytest.mark.parametrize(
    "heard, meant",
    [
        ("一保报销要带啥材料", "医保报销要带啥材料"),  # no alias lists 一保: it sounds like 医保
        ("依保怎么交", "医保怎么交"),
        ("户口前移咋办", "户口迁移咋办"),
        ("宅鸡地能不能翻建", "宅基地能不能翻建"),
    ],
)
def test_slips_by_sound_become_the_known_word(lexicon, heard, meant):
    fixed = lexicon.fix_slips(heard)
    assert fixed == meant and len(fixed) == len(heard)


@pytest.mark.parametrize("text", ["买了一包烟", "养家糊口不容易", "我家住在李旺镇", "前移一下桌子"])
def test_real_words_are_left_alone(lexicon, text):
    assert lexicon.fix_slips(text) == text


@pytest.mark.parametrize("text", ["不办了", "算了不办了", "先不办了", "我不保了"])
def test_a_negation_is_never_taken_for_a_slip(lexicon, text):
    # 不办 sounds like 补办: "算了不办了" became "算了补办了" and no longer cancelled the bundle
    assert lexicon.fix_slips(text) == text


@pytest.mark.parametrize("text", ["那倒不是", "那倒也行", "他那倒是没说", "海原缺水，这条河对我们很珍贵"])
def test_everyday_words_do_not_become_safety_words_by_sound(lexicon, text):
    # by sound 那倒 is 拿刀 and 条河 is 跳河: "那倒不是" got the emergency numbers, a letter about a river the
    # self-harm reply
    assert lexicon.fix_slips(text) == text


def test_safety_words_are_still_read_from_pinyin(lexicon):
    assert lexicon.from_pinyin("jiuming") == "救命"


@pytest.mark.parametrize("typed, word", [("neng na dao ma", "拿到"), ("ta chi dao le", "迟到")])
def test_pinyin_of_an_everyday_word_is_not_read_as_its_safety_homophone(lexicon, typed, word):
    assert word in (lexicon.from_pinyin(typed) or "")


def test_homophones_fix_no_slips(lexicon):
    assert lexicon.fix_slips("那倒不是") == "那倒不是"  # 拿到 is for pinyin input only


@pytest.mark.parametrize(
    "typed, read",
    [
        ("shebaoka diule zenme buban", "社保卡丢了怎么补办"),
        ("yibao baoxiao yao dai shenme cailiao", "医保报销要带什么材料"),
        ("jiu ming you ren da wo", "救命有人打我"),
        ("wo jia zhao huo le", "我家着火了"),
    ],
)
def test_pinyin_only_input_is_read_as_characters(lexicon, typed, read):
    assert lexicon.from_pinyin(typed) == read


@pytest.mark.parametrize("text", ["hello", "ok", "thank you", "qwrty", "社保卡", "a", "haha", "ma ma"])
def test_what_is_not_pinyin_stays_unread(lexicon, text):
    assert lexicon.from_pinyin(text) is None


def test_syllable_split_prefers_fewest_syllables():
    assert split_syllables("xian") == ["xian"]
    assert split_syllables("shenfenzheng") == ["shen", "fen", "zheng"]
    assert split_syllables("hello") is None


def test_search_finds_the_service_behind_a_slip():
    result = search(get_knowledge_base(), "一保报销要带啥材料")
    assert result.status == EXACT and result.top.id == "medical_reimbursement"
