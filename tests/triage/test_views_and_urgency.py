"""The letter's ask read apart, marker cues, the three urgency levels, the corpus built from its sources, the
cache key following the feature code."""

from __future__ import annotations

import importlib

import pytest

from bot.triage import model as triage_model
from bot.triage import triage
from bot.triage.corpus import CORPUS_DIR
from bot.triage.model import Params, inputs_key, now_threshold
from bot.triage.views import CUE_NAMES, ask_part, cues


def test_ask_part_is_the_question_and_the_last_sentences():
    letter = (
        "领导您好！我家是低保户，爱人常年卧床。去年房子漏雨，墙也裂了。孩子在县城上学，花销很大。"
        "村里人说可以申请危房改造。想问一下危房改造要什么条件？我们家能不能申请？谢谢领导！"
    )
    ask = ask_part(letter)
    assert "想问一下危房改造要什么条件？" in ask and "我们家能不能申请？" in ask
    assert "爱人常年卧床" not in ask and "孩子在县城上学" not in ask
    assert ask_part("停水三天了") == "停水三天了"  # a short text is its own ask


def test_cues_in_the_whole_text_and_in_the_ask():
    found = {CUE_NAMES[i] for i in cues("物业至今不修，推诿扯皮。想问一下维修资金怎么申请？")}
    assert {"all:grievance", "all:question", "ask:question"} <= found
    assert "ask:praise" not in found


def test_urgency_levels_follow_the_safety_words_and_the_account():
    params = Params()
    account = (
        "尊敬的领导：我们楼去年冬天楼道里发生过火灾，所幸没有人受伤，可是到现在杂物还堆在楼道里，"
        "物业一直不清理，隐患很大，恳请督促整改。"
    )
    assert now_threshold(account, params) == params.now_threshold_account
    assert now_threshold("楼道里着火了，烟很大", params) == params.now_threshold_words
    assert now_threshold("物业费怎么收的", params) == params.now_threshold
    assert params.now_threshold_words <= params.now_threshold <= params.now_threshold_account


@pytest.mark.parametrize(
    "text",
    [
        "就在刚才，我们村西头的麦草垛着起来了，火已经烧到了旁边的牛棚，快派消防车",
        "领导您好，我本来想反映楼道杂物的事，可是现在楼下的车棚正在着火，烟已经上来了，楼上还有老人",
        "我奶奶刚才突然倒在地上，叫她也不答应",
    ],
)
def test_present_dangers_are_now(text):
    assert triage(text).urgency == "now"


@pytest.mark.parametrize(
    "text",
    [
        "尊敬的领导：我家楼下的小饭馆前年后厨起过一次火，当时消防车来了才扑灭。现在饭馆照常营业，"
        "油烟管道从来没有清洗过，我们住在楼上很担心，希望有关部门检查一下。",
        "领导好！我父亲三年前在砖厂被机器压伤了手，厂里一直不给认定工伤，想问一下现在还能不能申请工伤认定？",
    ],
)
def test_past_hazards_in_an_account_are_not_now(text):
    assert triage(text).urgency != "now"


def test_corpus_files_are_the_output_of_their_sources(tmp_path, monkeypatch):
    """A source edited without running generate.py would leave the trained corpus stale."""
    monkeypatch.syspath_prepend(str(CORPUS_DIR))  # generate.py imports its sibling templates.py
    importlib.import_module("generate").main(tmp_path)
    built = sorted(p.name for p in tmp_path.glob("*.jsonl"))
    assert built == sorted(p.name for p in CORPUS_DIR.glob("*.jsonl"))
    for name in built:
        assert (tmp_path / name).read_bytes() == (CORPUS_DIR / name).read_bytes(), f"run generate.py: {name}"


def test_cache_key_follows_the_feature_code(tmp_path, monkeypatch):
    code = tmp_path / "views.py"
    code.write_text("A = 1\n")
    data = tmp_path / "short.jsonl"
    data.write_text('{"text": "停水了", "type": "投诉"}\n', encoding="utf-8")
    monkeypatch.setattr(triage_model, "FEATURE_CODE", [code])
    before = inputs_key([data], Params())
    code.write_text("A = 2\n")
    assert inputs_key([data], Params()) != before


def test_feature_code_lists_the_modules_that_make_features():
    names = {path.name for path in triage_model.FEATURE_CODE}
    assert {"model.py", "views.py", "text.py"} <= names
    assert all(path.is_file() for path in triage_model.FEATURE_CODE)
