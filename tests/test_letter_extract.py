"""bot/triage/extract.py: the place, time, unit and phone a citizen's letter names (pure functions)."""

from __future__ import annotations

import pytest

from bot.triage.extract import extract, find_phone, find_place, find_time, find_unit


@pytest.mark.parametrize(
    "text, place",
    [
        ("领导您好，我家住在甘城乡XX村，村里的水窖塌了一半", "甘城乡XX村"),
        ("七营镇南街那个十字路口晚上一盏灯都没有", "七营镇南街"),
        ("我是城乡居民，去年交的养老保险查不到", None),  # 城乡 is not a township
        ("我们住的**小区楼道堆满了杂物", "**小区"),
        ("我在县城东关村开了个小卖部", "县城东关村"),
        ("请问在政务服务中心几楼办", "政务服务中心"),
        ("我老家在西安镇，现在在银川上班", "西安镇"),
    ],
)
def test_the_place_is_the_one_the_letter_names(text: str, place: str | None) -> None:
    assert find_place(text) == place


@pytest.mark.parametrize(
    "text, time",
    [
        ("今年8月3日下午我去办事，窗口没人", "今年8月3日下午"),
        ("上个月开始每天半夜都在施工", "上个月"),
        ("小区停水快半个月了也没人通知", None),  # "半个月" without a number word: not claimed
        ("水管爆了三天了没人修", "三天了"),
        ("前天晚上楼下烧烤摊吵到两点", "前天晚上"),
        ("住在3号楼，想问一下补贴的事", None),  # a building number is not a date
    ],
)
def test_the_time_is_the_first_one_the_letter_names(text: str, time: str | None) -> None:
    assert find_time(text) == time


@pytest.mark.parametrize(
    "text, unit",
    [
        ("县人民医院的护士态度很差", "县人民医院"),
        ("我娃在三河镇中心小学上学", "三河镇中心小学"),
        ("XX物业收了钱不干活", "XX物业"),
        ("去了两次都说局里没人", None),
    ],
)
def test_the_unit_is_the_one_the_letter_is_about(text: str, unit: str | None) -> None:
    assert find_unit(text) == unit


@pytest.mark.parametrize(
    "text, phone",
    [
        ("有事请打我电话 139 5501 2468，姓李", "13955012468"),
        ("联系电话：一八七零九五五零二四六", "18709550246"),
        ("座机0955-7012345", "09557012345"),
        ("我的电话是138****1234", None),  # masked: not a number anyone can call
        ("欠了我们三万六千块钱，干了二百四十天", None),
    ],
)
def test_a_phone_written_in_the_letter_is_read_as_digits(text: str, phone: str | None) -> None:
    assert find_phone(text) == phone


def test_one_letter_gives_all_four() -> None:
    letter = (
        "尊敬的领导：我是李俊乡X村的村民，今年3月在县城一家装修公司干活，老板至今拖欠工资八千元，"
        "多次讨要无果。我的电话15209553344。恳请帮助。"
    )
    found = extract(letter)
    assert (found.place, found.time, found.phone) == ("李俊乡X村", "今年3月", "15209553344")
    assert found.unit == "县城一家装修公司"
