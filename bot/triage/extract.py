"""What a citizen's letter says about where, when, which unit and how to call back (pure: standard library).

    found = extract("我家在曹洼乡X村，去年11月起村上把低保给了亲戚……电话18709551122")
    found.place   # "曹洼乡X村"
    found.time    # "去年11月"
    found.unit    # None (a school, hospital, company, office … the letter names)
    found.phone   # "18709551122" (digits only; masked numbers such as 138****1234 are not phones)

The dialogue pre-fills the complaint form from it; the citizen confirms or corrects every value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that end a place or unit name when reading backwards from its last word ("住在X村" → X村).
_STOP = set(
    "，。！？、,.!?；;：:（）()“”\"' \t\n的在我们你他她是了到去从住这那个有和跟给说就都也还要对把被让向往离找去回说叫问买卖"
)
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9*＊×]")
_MAX_NAME = 8

# A town or township: two characters and 镇/乡, but not 城乡, 家乡, 老乡, 乡镇, 乡村 …
_TOWNSHIP = re.compile(r"([\u4e00-\u9fff]{2}(?:镇|乡))(?![镇村亲下民长])")
_NOT_BEFORE_XIANG = set("城家老回下故同")
_NOT_TOWN_START = set("我俺咱他她在到去是的从往个各本全")
# Where inside a place: a village, a compound, a street … (after a township or on its own).
_SUBPLACE = (
    "村委会",
    "社区",
    "小区",
    "花园",
    "家园",
    "大道",
    "路口",
    "广场",
    "市场",
    "村",
    "组",
    "路",
    "街",
    "巷",
)
_NOT_PLACE_NAMES = {
    "农村",
    "乡村",
    "本村",
    "全村",
    "村里",
    "村上",
    "邻村",
    "马路",
    "道路",
    "公路",
    "一路",
    "上路",
    "街上",
}
_LANDMARKS = re.compile(r"县城|政务大厅|政务服务中心|便民服务中心|国道|高速|县道")

# A unit the letter is about: 县医院, X小学, **物业, 某某公司, 劳动监察 …
_UNIT_SUFFIX = (
    "人民医院",
    "卫生院",
    "卫生室",
    "医院",
    "小学",
    "中学",
    "学校",
    "幼儿园",
    "派出所",
    "公司",
    "物业",
    "开发商",
    "超市",
    "银行",
    "养殖场",
    "工地",
    "窗口",
    "大厅",
    "局",
    "所",
    "站",
    "厂",
)
_NOT_UNITS = {
    "局",
    "所",
    "站",
    "厂",
    "窗口",
    "大厅",
    "派出所",
    "医院",
    "学校",
    "公司",
    "物业",
    "开发商",
    "超市",
    "工地",
}

_CN_DIGITS = str.maketrans("零〇一二三四五六七八九幺两", "0012345678912")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")
_PHONE_CANDIDATE = re.compile(
    r"[0-9零〇一二三四五六七八九幺][0-9零〇一二三四五六七八九幺\s-]{6,}[0-9零〇一二三四五六七八九幺]"
)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")

_NUM = r"[0-9一二三四五六七八九十两]"
_DATE = re.compile(
    rf"(?:(?:20\d\d|去|今|前|明)年)?(?:{_NUM}{{1,2}}月(?:份|{_NUM}{{1,3}}[日号])?|{_NUM}{{1,3}}[日号])"
    r"(?:早上|上午|中午|下午|晚上|夜里|凌晨)?"
)
_RELATIVE = re.compile(
    r"(?:今天|昨天|前天|昨晚|今早|今晚|上周[一二三四五六日天]?|上星期[一二三四五六日天]?|上个?月[初底中]?|"
    r"这个月|本月|去年(?:年底|年初|冬天|夏天|秋天|春天|底)?|前年|今年(?:年初|春天|夏天)?|年初|年底|"
    rf"{_NUM}+(?:天|周|个?星期|个多?月|年多?)(?:以)?前|前几天|前段时间|前些日子|最近|这几天|刚才|半夜|凌晨)"
    r"(?:早上|上午|中午|下午|晚上|夜里)?"
)
_DURATION = re.compile(rf"(?:快|已经|有|都)?{_NUM}+(?:多)?(?:天|周|个?星期|个多?月|年)(?:多)?了")


@dataclass(frozen=True)
class Extracted:
    place: str | None = None
    time: str | None = None
    unit: str | None = None
    phone: str | None = None


def extract(text: str) -> Extracted:
    text = (text or "").translate(_FULL_WIDTH)
    return Extracted(place=find_place(text), time=find_time(text), unit=find_unit(text), phone=find_phone(text))


def _name_before(text: str, end: int, suffix_len: int) -> str:
    """The name ending at `end` (exclusive) whose last `suffix_len` characters are the suffix."""
    start = end - suffix_len
    while start > 0 and end - start < _MAX_NAME and text[start - 1] not in _STOP and _NAME_CHAR.match(text[start - 1]):
        start -= 1
    return text[start:end]


def _townships(text: str) -> list[re.Match]:
    found = []
    for match in _TOWNSHIP.finditer(text):
        name = match.group(1)
        if name[-1] == "乡" and name[-2] in _NOT_BEFORE_XIANG:
            continue
        if name[0] in _NOT_TOWN_START:
            continue
        found.append(match)
    return found


def _subplace_at(text: str, start: int) -> str | None:
    """A village, compound or street named right after a township ("曹洼乡X村", "海城镇文昌路")."""
    window = text[start : start + _MAX_NAME + 2]
    best = None
    for suffix in _SUBPLACE:
        at = window.find(suffix)
        if at < 0:
            continue
        name = window[: at + len(suffix)]
        if not name or any(c in _STOP for c in name) or not all(_NAME_CHAR.match(c) for c in name):
            continue
        if name in _NOT_PLACE_NAMES or len(name) <= len(suffix):
            continue
        if best is None or len(name) < len(best):
            best = name
    return best


def find_place(text: str) -> str | None:
    towns = _townships(text)
    if towns:
        town = towns[0]
        sub = _subplace_at(text, town.end())
        return town.group(1) + (sub or "")
    for suffix in _SUBPLACE:
        for match in re.finditer(re.escape(suffix), text):
            name = _name_before(text, match.end(), len(suffix))
            if len(name) > len(suffix) and name not in _NOT_PLACE_NAMES and not name.startswith(("每", "各")):
                return name
    landmark = _LANDMARKS.search(text)
    return landmark.group(0) if landmark else None


def find_unit(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for suffix in _UNIT_SUFFIX:
        for match in re.finditer(re.escape(suffix), text):
            name = _name_before(text, match.end(), len(suffix))
            if name in _NOT_UNITS and suffix not in {"派出所", "物业", "开发商"}:
                continue
            if best is None or match.start() < best[0]:
                best = (match.start(), name)
            break
    return best[1] if best else None


def find_time(text: str) -> str | None:
    """The first date or relative time the letter names; else how long it has been going on."""
    hits = [m for pattern in (_DATE, _RELATIVE) for m in pattern.finditer(text) if m.group(0)]
    hits = [m for m in hits if not _is_quantity(text, m)]
    if hits:
        first = min(hits, key=lambda m: (m.start(), -len(m.group(0))))
        return first.group(0)
    duration = _DURATION.search(text)
    return duration.group(0) if duration else None


def _is_quantity(text: str, match: re.Match) -> bool:
    """ "3号楼", "5日内" are not dates."""
    after = text[match.end() : match.end() + 1]
    return match.group(0)[-1] in "日号" and after in {"楼", "内", "线", "院", "门"}


def find_phone(text: str) -> str | None:
    """A mobile or landline written in the letter (also in Chinese numerals: 一三九…); digits only."""
    for candidate in _PHONE_CANDIDATE.findall(text):
        digits = re.sub(r"[^0-9]", "", candidate.translate(_CN_DIGITS))
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
            return digits
    return None
