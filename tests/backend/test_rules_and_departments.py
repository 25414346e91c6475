"""knowledge/ticket_rules.yml: validation, reload on change, department inference (unit)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from bot.core.settings import ROOT
from bot.tickets.departments import infer_department
from bot.tickets.rules import RulesError, RulesFile, parse_rules, read_rules

RULES = read_rules(ROOT / "knowledge" / "ticket_rules.yml")


@pytest.mark.parametrize(
    "text, department",
    [
        ("我们小区暖气不热", "海原县住房和城乡建设局"),
        ("老板拖欠工资三个月了，农民工讨薪难", "海原县人力资源和社会保障局"),
        ("超市卖过期食品", "海原县市场监督管理局"),
        ("村里停水两天了，水管冻裂", "海原县水务局"),
        ("路边有人占道经营摆摊", "海原县综合执法局"),
        ("娃上学的学校收费不合理", "海原县教育体育局"),
        ("医保报销比例咋算", "海原县医疗保障局"),
        ("家里老停电，电压也不稳", "国网海原县供电公司"),
        ("工厂排污，河里有臭味", "中卫市生态环境局海原分局"),
        ("驾驶证到期了去哪换", "海原县公安局交通警察大队"),
        ("娃的残疾证咋办", "海原县残疾人联合会"),
    ],
)
def test_infer_department(text, department):
    guess = infer_department(text, RULES)
    assert guess.department == department and guess.matched


def test_unknown_text_goes_to_dispatcher():
    guess = infer_department("我想说个事情", RULES)
    assert guess.department == "待分派" and not guess.matched


def test_more_specific_keywords_win():
    data = {
        "time_limits": {c: 1 for c in ["投诉", "举报", "求助", "建议", "咨询", "表扬"]},
        "departments": {"甲": {"keywords": ["工资"]}, "乙": {"keywords": ["拖欠工资"]}},
    }
    assert infer_department("拖欠工资", parse_rules(data)).department == "乙"


def test_the_shipped_file_is_valid():
    assert set(RULES.time_limits) == {"投诉", "举报", "求助", "建议", "咨询", "表扬"}
    assert 2026 in RULES.covered_years
    assert RULES.supervision_statuses == {"已受理", "已转办", "办理中"}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["time_limits"].pop("表扬"), "缺少类别 表扬"),
        (lambda d: d["time_limits"].update({"投诉": "十三"}), "非负整数"),
        (lambda d: d["supervision"].update({"statuses": ["已关闭"]}), "未知状态"),
        (lambda d: d.update({"public_holidays": []}), "已移到 calendar.yml"),  # one home for the holidays
    ],
)
def test_invalid_rules_are_explained(change, message):
    data = yaml.safe_load((ROOT / "knowledge" / "ticket_rules.yml").read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(RulesError, match=message):
        parse_rules(data)


def test_rules_file_reloads_and_keeps_last_good(tmp_path: Path):
    path = tmp_path / "ticket_rules.yml"
    original = (ROOT / "knowledge" / "ticket_rules.yml").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    rules_file = RulesFile(path)
    assert rules_file.get().time_limits["投诉"] == 13

    def rewrite(text: str) -> None:
        path.write_text(text, encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))

    rewrite(original.replace("投诉: 13", "投诉: 10"))
    assert rules_file.get().time_limits["投诉"] == 10
    rewrite("time_limits: [broken")
    assert rules_file.get().time_limits["投诉"] == 10  # broken edit: last good rules stay
