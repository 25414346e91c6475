"""A small, valid knowledge base for tests, written into a temp folder (helpers shared by the tests)."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from bot.knowledge.facts import fact_values, has_pending

SOURCE = [{"id": "guide", "title": "测试用公开指南", "url": "https://example.gov.cn/guide", "kind": "gov"}]
FLAGS_NO = {
    k: False for k in ("full_online", "commitment", "rongque", "cross_province", "in_region", "agency", "home_service")
}

COUNTY = {
    "name": "海原县",
    "hotline": "12345",
    "halls": {
        "county_center": {
            "name": "海原县政务服务中心",
            "address": "海原县测试路1号",
            "hours": "周一至周五 9:00-17:00",
            "phone": "0955-0000000",
        }
    },
    "departments": {
        "public_security": {"name": "海原县公安局", "phone": "0955-1111111"},
        "hrss": {"name": "海原县人力资源和社会保障局"},
        "civil_affairs": "海原县民政局",
    },
    "sources": SOURCE,
    "verified": True,
}


def service(
    sid: str, name: str, short: str, aliases: list[str], keywords: list[str], dept: str, category: str, **extra
) -> dict:
    data = {
        "id": sid,
        "name": name,
        "short_name": short,
        "aliases": aliases,
        "keywords": keywords,
        "department": dept,
        "category": category,
        "summary": f"{short}的测试说明。",
        "eligibility": {"who": "本县户籍居民", "conditions": ["年满16周岁"]},
        "materials": [{"name": "居民户口簿", "form": "原件", "count": 1}],
        "steps": ["到窗口提交材料", "窗口审核", "领取结果"],
        "time_limit": {"legal": "20个工作日", "promised": "10个工作日"},
        "fee": "免费",
        "place": {"hall": "county_center", "window": "综合受理窗口"},
        "online": {"available": True, "channels": ["宁夏政务服务网", "我的宁夏APP"], "entry": "我的宁夏APP—办事"},
        "flags": dict(FLAGS_NO),
        "sources": SOURCE,
        "verified": True,
    }
    data.update(extra)
    return data


SERVICES = {
    "id_card": service(
        "id_card",
        "居民身份证申领、换领、补领",
        "身份证办理",
        ["身份证", "身份证补办", "补身份证", "身份证丢了", "换身份证"],
        ["身份证", "补领", "换领"],
        "public_security",
        "户籍证件",
        materials=[
            {"name": "居民户口簿", "form": "原件", "count": 1},
            {"name": "原居民身份证", "form": "原件", "count": 1, "note": "丢失的不用交"},
            {"name": "户籍证明", "form": "待核实", "count": 1, "rongque": True},
            {"name": "近期免冠照片", "form": "无需提交", "note": "窗口现场采集"},
            {"name": "监护人身份证", "form": "原件及复印件", "count": 2, "note": "未满16周岁的由监护人陪同"},
        ],
        fee="待核实",
        time_limit={"legal": "60个工作日", "promised": "待核实"},
        online={"available": False},
        flags=dict(FLAGS_NO, cross_province=True),
        related=["temp_id_card"],
        verified=False,
        verification_note="收费和承诺时限未找到公开依据。",
    ),
    "temp_id_card": service(
        "temp_id_card",
        "临时居民身份证申领",
        "临时身份证办理",
        ["临时身份证", "办临时身份证"],
        ["临时", "身份证"],
        "public_security",
        "户籍证件",
        related=["id_card"],
    ),
    "social_security_card": service(
        "social_security_card",
        "社会保障卡申领、补领",
        "社保卡办理",
        ["社保卡补办", "社保卡丢了", "补社保卡", "社保卡"],
        ["社会保障卡", "挂失"],
        "hrss",
        "社会保障",
        flags=dict(FLAGS_NO, full_online=True),
    ),
    "marriage_registration": service(
        "marriage_registration",
        "内地居民结婚登记",
        "结婚登记",
        ["领结婚证", "结婚证"],
        ["结婚", "婚姻登记"],
        "civil_affairs",
        "婚姻家庭",
        online={"available": "待核实"},
        verified=False,
        verification_note="能否网上预约未确认。",
    ),
    "divorce_registration": service(
        "divorce_registration",
        "内地居民离婚登记",
        "离婚登记",
        ["办离婚", "离婚证"],
        ["离婚", "婚姻登记"],
        "civil_affairs",
        "婚姻家庭",
    ),
    "minimum_living_allowance": service(
        "minimum_living_allowance",
        "最低生活保障审核确认",
        "低保申请",
        ["低保", "吃低保", "申请低保"],
        ["最低生活保障", "困难"],
        "civil_affairs",
        "社会救助",
    ),
}

BUNDLES = {
    "newborn": {
        "id": "newborn",
        "name": '新生儿出生"一件事"',
        "aliases": ["孩子出生", "娃出生了", "新生儿落户"],
        "sensitive": False,
        "opening": "恭喜您家添了宝宝！",
        "summary": "出生后几件事一起办。",
        "departments": ["public_security", "hrss"],
        "questions": [
            {"id": "local_hukou", "ask": "父母有一方是海原县户籍吗？", "type": "yes_no", "why": "决定在哪里落户。"},
            {
                "id": "insurance",
                "ask": "孩子参加哪种医保？",
                "type": "choice",
                "options": [{"value": "resident", "label": "城乡居民医保"}, {"value": "none", "label": "暂不参保"}],
                "ask_if": {"local_hukou": True},
            },
        ],
        "components": [
            {
                "service": "social_security_card",
                "name": "社保卡申领",
                "when": {"insurance": "resident"},
                "skipped_reason": "暂不参保时不办。",
            },
            {"name": "出生登记", "when": {"local_hukou": True}},
        ],
        "materials": [
            {"name": "出生医学证明", "form": "原件", "when": {}, "for": ["social_security_card", "出生登记"]},
        ],
        "window": {"hall": "county_center", "window": "待核实"},
        "online": {"channels": ["我的宁夏APP"], "entry": "待核实"},
        "time_limit": "待核实",
        "sources": SOURCE,
        "verified": False,
        "verification_note": "窗口和时限待核实。",
    },
}


def sourced(kind: str, data: dict) -> dict:
    """Every settled fact of `data` backed by the fixture's official guide (facts: {path: {source: guide}})."""
    data["facts"] = {
        path: {"source": "guide"} for path, value in fact_values(kind, data).items() if not has_pending(value)
    }
    return data


sourced("county", COUNTY)
for _data in SERVICES.values():
    sourced("service", _data)
for _data in BUNDLES.values():
    sourced("bundle", _data)


# The smallest valid safety.yml (the real one is knowledge/safety.yml).
SAFETY = {
    "emergencies": [{"kind": "fire", "label": "火灾", "numbers": ["119"], "words": ["着火"]}],
    "self_harm": {"numbers": ["12356"], "words": ["不想活了"]},
    "numbers": {"119": "火警", "12356": "心理援助热线"},
}


def write_base(root: Path, county=None, services=None, bundles=None) -> Path:
    """Write a knowledge base (defaults: the valid fixture above) and return its root."""
    (root / "services").mkdir(parents=True, exist_ok=True)
    (root / "bundles").mkdir(parents=True, exist_ok=True)
    write_yaml(root / "county.yml", COUNTY if county is None else county)
    for sid, data in (SERVICES if services is None else services).items():
        write_yaml(root / "services" / f"{sid}.yml", data)
    for bid, data in (BUNDLES if bundles is None else bundles).items():
        write_yaml(root / "bundles" / f"{bid}.yml", data)
    write_yaml(root / "safety.yml", SAFETY)
    return root


def write_yaml(path: Path, data) -> None:
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")


def fixture_copies() -> tuple[dict, dict, dict]:
    """Deep copies to modify freely: (county, services, bundles)."""
    return copy.deepcopy(COUNTY), copy.deepcopy(SERVICES), copy.deepcopy(BUNDLES)
