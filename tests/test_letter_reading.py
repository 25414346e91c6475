"""In process: an account of a past hazard versus a danger now (SafetyNet), and the wording of what a letter
was understood as (actions/letters.py). The same behaviours through the whole stack: tests/test_letters_e2e.py."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from actions.letters import Letter, question_part, read_category, understood_line
from bot.knowledge.safety import SafetyRules
from bot.nlu.components import FULL_TEXT, SAFETY, SafetyNet

RULES = SafetyRules.load()

ACCOUNTS = [
    # past, told at length
    "领导您好，前年夏天我们村口那座老桥塌过一回，一辆拉化肥的三轮车掉进了河里，司机受伤住了半个月院，"
    "到现在桥还是用几根木头搭着，村里人天天从上面过。",
    # chronic risk
    "我们小区地下车库的电线私拉乱接特别严重，好多人在里面给电动车充电，物业收了钱也不管，"
    "大家都担心万一哪天着火了，车库里面的人根本跑不出来，希望有关部门来查一查。",
]
EMERGENCIES = [
    "我们一直反映隔壁废品站乱堆乱放的事，一直没人管，刚刚那边着火了，烟大得看不见人，风往我们村这边刮！",
    "领导，我在三河镇街上，前面一辆大车把一个骑电动车的人撞了，人躺在地上一直不动，车正在往县城方向跑",
    "我家娃找不见了",  # short: a cry for help, whatever else it says
    "上礼拜我家院墙塌了 压着了邻居家的车 到现在也没人来处理",  # short accounts keep the numbers first
]


@pytest.mark.parametrize("text", ACCOUNTS)
def test_a_hazard_told_as_past_or_chronic_reads_as_an_account(text: str) -> None:
    assert RULES.detect(text) and RULES.reads_as_account(text)


@pytest.mark.parametrize("text", EMERGENCIES)
def test_a_danger_happening_now_never_reads_as_an_account(text: str) -> None:
    assert RULES.detect(text) and not RULES.reads_as_account(text)


def message(text: str, intent: str, ranking: list[tuple[str, float]]) -> Message:
    m = Message(data={"text": text, FULL_TEXT: text})
    m.set("intent", {"name": intent, "confidence": ranking[0][1]})
    m.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    return m


def test_safety_net_leaves_an_account_to_the_flow_and_marks_the_hazard() -> None:
    text = ACCOUNTS[0]
    [m] = SafetyNet(RULES).process([message(text, "emergency", [("emergency", 0.7), ("start_complaint", 0.6)])])
    assert m.get("intent")["name"] == "start_complaint"  # the classifier's emergency demoted
    assert m.get(SAFETY)["urgency"] == "mentioned" and "medical" in m.get(SAFETY)["kinds"]


def test_safety_net_still_forces_an_emergency_happening_now() -> None:
    [m] = SafetyNet(RULES).process([message(EMERGENCIES[0], "start_complaint", [("start_complaint", 0.9)])])
    assert m.get("intent") == {"name": "emergency", "confidence": 1.0} and m.get(SAFETY) is None


def test_what_was_understood_is_one_or_two_lines_with_type_place_time_department() -> None:
    letter = Letter(
        text="x" * 80,
        category="投诉",
        department="海原县人力资源和社会保障局",
        departments=["海原县人力资源和社会保障局"],
        place="关桥乡",
        time="去年",
        phone="13895501234",
    )
    line = understood_line(letter, elderly=False)
    assert line.count("\n") <= 1
    for part in ("投诉", "劳动和社会保障", "关桥乡", "去年", "海原县人力资源和社会保障局", "138****1234"):
        assert part in line, (part, line)
    assert "13895501234" not in line


def test_a_question_is_worded_as_a_question_and_has_no_time() -> None:
    letter = Letter(text="y" * 80, category="咨询", department=None, place="海城镇", time="今年")
    line = understood_line(letter, elderly=False)
    assert "咨询" in line and "时间" not in line and "工作人员分派" in line


@pytest.mark.parametrize("reply, category", [("建议", "建议"), ("2", "求助"), ("是举报", "举报"), ("都不是", None)])
def test_the_type_is_read_from_a_pick_or_a_word(reply: str, category: str | None) -> None:
    assert read_category(reply) == category


def test_the_question_of_a_letter_is_its_asking_sentences() -> None:
    letter = "老板欠了我八千块工钱。听说能找法律援助，法律援助怎么申请？我实在没办法了。"
    assert question_part(letter) == "听说能找法律援助，法律援助怎么申请？"


@pytest.mark.parametrize("text", ["字太小了", "海城镇", "不知道", "李女士"])
def test_ordinary_short_replies_are_never_made_emergencies(text: str) -> None:
    [m] = SafetyNet(RULES).process([message(text, "elderly_mode_on", [("elderly_mode_on", 0.9)])])
    assert m.get("intent")["name"] == "elderly_mode_on"


@pytest.mark.parametrize("text, intent", [("我下线了", "goodbye"), ("刚刚点错了", "change_answer")])
def test_a_sure_reply_that_steers_the_conversation_is_not_made_an_emergency(text: str, intent: str) -> None:
    # the triage alone hears 我下线了 and 刚刚点错了 as a danger now (P > 0.8): DIET's sure intent wins
    [m] = SafetyNet(RULES).process([message(text, intent, [(intent, 0.97), ("emergency", 0.01)])])
    assert m.get("intent")["name"] == intent


def test_a_safety_word_still_wins_over_a_sure_small_talk_intent() -> None:
    [m] = SafetyNet(RULES).process([message("救命啊有人打我", "goodbye", [("goodbye", 0.95)])])
    assert m.get("intent")["name"] == "emergency"


def test_a_danger_no_safety_word_names_is_heard_by_the_learned_triage() -> None:
    [m] = SafetyNet(RULES).process(
        [message("河里的水一下子涨起来了，桥都快冲垮了，桥上还站着几个人", "nlu_fallback", [("nlu_fallback", 1.0)])]
    )
    assert m.get("intent")["name"] == "emergency"


# A long letter whose hazard is neither told with a past cue in every sentence (so no account) nor as happening.
LETTER_WITH_A_HAZARD_IN_ITS_STORY = (
    "尊敬的领导：我们村的村道两边这几年被几户人家占着堆柴草和建材，路越来越窄，大车进不来。村里一户人家着火时"
    "消防车被堵在村口，最后是乡亲们提水扑灭的，烧掉了一间房。恳请镇政府牵头清理村道，给村里配几个灭火器，谢谢。"
)


def test_a_long_letter_with_a_hazard_in_its_story_is_left_to_the_flow() -> None:
    assert RULES.detect(LETTER_WITH_A_HAZARD_IN_ITS_STORY)
    [m] = SafetyNet(RULES).process(
        [message(LETTER_WITH_A_HAZARD_IN_ITS_STORY, "start_complaint", [("start_complaint", 0.8)])]
    )
    assert m.get("intent")["name"] == "start_complaint" and m.get(SAFETY)["urgency"] == "mentioned"


@pytest.mark.parametrize("text", EMERGENCIES[:2])
def test_a_letter_that_says_the_danger_is_happening_keeps_the_numbers_first(text: str) -> None:
    assert RULES.says_it_is_happening(text) or len(text) < 100
    [m] = SafetyNet(RULES).process([message(text, "start_complaint", [("start_complaint", 0.9)])])
    assert m.get("intent") == {"name": "emergency", "confidence": 1.0}


def test_present_cues_by_the_hazard_mean_happening() -> None:
    assert RULES.says_it_is_happening("领导您好，我想反映物业的事。就在刚才楼下车棚着火了，烟已经上来了")
    assert not RULES.says_it_is_happening("去年楼下车棚发生过火灾，到现在也没人管")


@pytest.mark.parametrize(
    "text, happening",
    [
        ("现在，厨房着火了，火很大", True),
        ("我家现在着火了", True),
        ("着火了！现在火越来越大", True),
        ("老房子前些年就塌了一半，现在一直空着", False),  # 现在 of the aftermath, the collapse told as past
        ("前几天听同行说，现在有针对骑手的职业伤害保障，摔伤了可以报", False),  # "nowadays", beside a hazard word
        ("现在河道被挖得坑坑洼洼，河堤都快被挖塌了，汛期一来非常危险", False),
    ],
)
def test_now_makes_a_danger_present_only_beside_it(text: str, happening: bool) -> None:
    assert RULES.says_it_is_happening(text) is happening
