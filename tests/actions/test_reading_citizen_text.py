"""How the actions read what citizens type: ticket numbers as people copy or dictate them, and
messages that read like a complaint although the NLU did not understand them."""

import pytest

from actions.contact import read_ticket_reference, read_township
from actions.grievance import asks_about_status, sounds_like_grievance


@pytest.mark.parametrize(
    "text, expected",
    [
        ("查一下 HY202612030008", "HY202612030008"),
        ("我的投诉单号是 HY 2026 1203 0008 查一下", "HY202612030008"),
        ("hy-2026-1203-0008", "HY202612030008"),
        ("单号 HY２０２６１２０３０００８", "HY202612030008"),
        ("临时编号 q7k3m9x", "Q7K3M9X"),
    ],
)
def test_ticket_numbers_are_read_however_they_are_written(text, expected):
    assert read_ticket_reference(text) == expected


@pytest.mark.parametrize("text", ["HY20261130001 咋还没人回复我", "HY2026120300081", "我忘了单号"])
def test_a_wrong_length_or_missing_number_is_not_taken_for_a_ticket(text):
    assert read_ticket_reference(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "三河镇街上的路灯坏了快一个月了 晚上黑咕隆咚的",
        "包工头欠了我们八个人的工钱",
        "郑旗乡路口有人天天往路边倒建筑垃圾",
        "我的宁夏app老是卡住打不开",
        "我是关桥乡的村民 去年跟着人在县城工地上干了八个月活 说好年底结账 到现在一分钱没给 找他就说甲方没给钱",
    ],
)
def test_grievances_in_words_the_nlu_never_saw_are_recognised(text):
    assert sounds_like_grievance(text)


@pytest.mark.parametrize("text", ["护照怎么办", "我家牛丢了咋办", "今天几号", "dfg哈kk嗯嗯x", ""])
def test_short_questions_are_not_taken_for_grievances(text):
    assert not sounds_like_grievance(text)


@pytest.mark.parametrize(
    "text, place",
    [
        ("三河镇街上的路灯坏了", "三河镇"),
        ("我是关桥乡的村民", "关桥乡"),
        ("他在七营镇住", "七营镇"),
        ("城乡居民医保交了没用上", None),
        ("去乡镇便民服务中心办的", None),
        ("回到家乡一看", None),
    ],
)
def test_a_town_or_township_named_in_a_complaint_is_read_as_the_place(text, place):
    assert read_township(text) == place


@pytest.mark.parametrize(
    "text, status",
    [
        ("我反映的路灯问题处理了没有 都半个月了", True),
        ("上回投诉的事有结果没", True),
        ("路灯坏了半个月了没人修", False),
        ("上次的事一直没有进度 我要投诉他们", False),
        ("我上个月反映的工单处理进度怎么样了", True),
        (
            "尊敬的领导：近几年县城学校的班额越来越大，一个班有六十多个学生，教室里桌子挤到了讲台边上。乡下很多学校一个班"
            "只有十几个学生，老师却配得满满的。建议一是优化城乡教师配置，二是加快县城新学校的建设进度，三是控制班额。",
            False,
        ),
    ],
)
def test_a_question_about_an_earlier_complaint_is_told_apart_from_a_new_one(text, status):
    assert asks_about_status(text) is status
