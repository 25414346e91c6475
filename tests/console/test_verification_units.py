"""核实 in process (bot/console/services/verification.py): confirm, correct, refusals, the share, re-checks."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.console.services.verification import Verification, VerificationError
from bot.knowledge.facts import facts_of, is_verified
from bot.knowledge.loader import check_base
from bot.knowledge.rule_flags import read_flags
from bot.settings import ROOT

GOV = {"title": "国家发展改革委、财政部关于居民身份证收费标准的通知", "doc": "发改价格〔2003〕2322号", "kind": "gov"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy)
    return copy


def fact(root: Path, rel: str, path: str):
    data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    kind = "service" if rel.startswith("services/") else "bundle"
    return next(f for f in facts_of(kind, data) if f.path == path), data


def test_confirming_records_the_source_who_and_when_and_keeps_the_file_valid(root):
    verification = Verification(root)
    before = (root / "services/marriage_registration.yml").read_text(encoding="utf-8")
    result = verification.confirm("services/marriage_registration.yml", "fee", "maogong", GOV, date(2026, 12, 3))
    confirmed, data = fact(root, "services/marriage_registration.yml", "fee")
    assert confirmed.verified and confirmed.source["doc"] == "发改价格〔2003〕2322号"
    assert confirmed.entry["verified_by"] == "maogong" and confirmed.entry["verified_on"] == "2026-12-03"
    assert (
        result["before"]["entry"] == {"lead": "s4"} and result["after"]["entry"]["source"] == confirmed.entry["source"]
    )
    after = (root / "services/marriage_registration.yml").read_text(encoding="utf-8")
    assert after.splitlines()[:20] == before.splitlines()[:20]  # the rest of the file is untouched
    assert [i for i in check_base(root)[1] if i.file == "services/marriage_registration.yml"] == []


def test_correcting_writes_the_new_value_with_its_source(root):
    verification = Verification(root)
    source = {"title": "海原县政务服务中心办事指南", "url": "https://www.hy.gov.cn/guide", "kind": "gov"}
    verification.correct(
        "services/id_card.yml", "time_limit.promised", "maogong", "15个工作日", source, date(2026, 12, 3)
    )
    corrected, data = fact(root, "services/id_card.yml", "time_limit.promised")
    assert data["time_limit"]["promised"] == "15个工作日" and corrected.verified


def test_refusals_say_what_to_fix(root):
    verification = Verification(root)
    with pytest.raises(VerificationError, match="网址或文号"):
        verification.confirm(
            "services/marriage_registration.yml", "fee", "m", {"title": "x", "kind": "gov"}, date.today()
        )
    with pytest.raises(VerificationError, match="官方来源"):
        verification.confirm(
            "services/marriage_registration.yml",
            "fee",
            "m",
            {"url": "https://example.com", "kind": "lead"},
            date.today(),
        )
    with pytest.raises(VerificationError, match="改正"):  # a value that itself says 待核实 cannot be confirmed
        verification.confirm("services/id_card.yml", "time_limit.promised", "m", GOV, date.today())
    with pytest.raises(VerificationError, match="没有这个知识文件"):
        verification.confirm("../secrets.yml", "fee", "m", GOV, date.today())


def test_a_file_counts_as_verified_when_all_its_facts_are(root):
    verification = Verification(root)
    rel = "services/marriage_registration.yml"
    rows = [r for r in verification.unverified() if r.rel == rel]
    assert rows and not yaml.safe_load((root / rel).read_text(encoding="utf-8"))["verified"]
    for row in rows:
        if row.correctable:
            verification.correct(rel, row.fact.path, "m", "已确认的内容", GOV, date(2026, 12, 3))
        elif not row.fact.pending_value:
            verification.confirm(rel, row.fact.path, "m", GOV, date(2026, 12, 3))
    data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    left = [f.path for f in facts_of("service", data) if not f.verified]
    assert all(p.startswith(("materials.", "place")) for p in left)  # only what the full editor must fix
    assert data["verified"] is is_verified("service", data) is (not left and is_verified("service", data))


def test_share_and_yearly_recheck(root):
    verification = Verification(root)
    share = verification.share()
    assert 0 < share["verified"] < share["facts"] and share["percent"] == round(
        100 * share["verified"] / share["facts"]
    )
    verification.confirm("services/marriage_registration.yml", "fee", "m", GOV, date(2025, 1, 2))
    due = {row.key: checked for row, checked in verification.due_for_recheck(date(2026, 12, 3))}
    assert due["services/marriage_registration.yml#fee"] == date(2025, 1, 2)
    assert "services/marriage_registration.yml#fee" not in {
        r.key for r, _ in verification.due_for_recheck(date(2025, 6, 1))
    }


def test_ticket_rule_flags_are_data_the_check_can_see():
    data = yaml.safe_load((ROOT / "knowledge" / "ticket_rules.yml").read_text(encoding="utf-8"))
    flags, problems = read_flags(data)
    assert problems == [] and "time_limits.投诉" in flags and "departments.海原县水务局" in flags
    assert (
        "待核实"
        not in (ROOT / "knowledge" / "ticket_rules.yml")
        .read_text(encoding="utf-8")
        .split("\nunverified:")[0]
        .split("# 待核实的规则")[0]
    )
    _, problems = read_flags({**data, "unverified": {"time_limits.催办": "x"}})
    assert problems and "不对应任何规则" in problems[0]


def test_values_are_shown_to_staff_in_words():
    from bot.console.services.verification import show_value

    shown = show_value({"name": "居民户口簿", "form": "原件", "count": 1, "rongque": False})
    assert shown == "居民户口簿（形式：原件；份数：1；可容缺：否）"
    assert show_value({"allowed": True, "needs": ["委托书", "身份证"]}) == "可以代办：是；需要：委托书、身份证"
