"""Per-fact sources (bot/knowledge/facts.py): the check, what counts as verified, bundles inheriting doubt,
and the caveats the answers carry."""

from __future__ import annotations

import copy

from bot.knowledge.bundles import build_checklist, render_checklist
from bot.knowledge.facts import bundle_item_verified, facts_of, is_verified, reconcile, sourced_share
from bot.knowledge.loader import KnowledgeBase, check_base
from bot.knowledge.render import render_aspect
from tests.support.kb_fixtures import write_base


def problems(root, file: str) -> list[str]:
    return [f"{i.field}: {i.problem}" for i in check_base(root)[1] if i.file == file]


def test_an_unsourced_settled_fact_fails_the_check(tmp_path, fixture_data):
    county, services, bundles = fixture_data
    del services["temp_id_card"]["facts"]["fee"]
    found = problems(write_base(tmp_path / "kb", county, services, bundles), "services/temp_id_card.yml")
    assert any(p.startswith("facts.fee: 没有来源") for p in found), found


def test_a_repost_cannot_be_the_source_only_a_lead(tmp_path, fixture_data):
    county, services, bundles = fixture_data
    service = services["temp_id_card"]
    service["sources"].append({"id": "repost", "title": "某网站转载", "url": "https://example.com/a", "kind": "lead"})
    service["facts"]["fee"] = {"source": "repost"}
    root = write_base(tmp_path / "kb", county, services, bundles)
    found = problems(root, "services/temp_id_card.yml")
    assert any(p.startswith("facts.fee.source: 来源 repost 不是官方来源") for p in found), found
    service["facts"]["fee"] = {"lead": "repost"}  # kept as a lead: the fact is 待核实, and verified must be false
    found = problems(write_base(tmp_path / "kb2", county, services, bundles), "services/temp_id_card.yml")
    assert any(p.startswith("verified: 还有未核实的事实（fee") for p in found), found
    service["verified"], service["verification_note"] = False, "收费只有转载来源。"
    assert problems(write_base(tmp_path / "kb3", county, services, bundles), "services/temp_id_card.yml") == []
    assert [f.path for f in facts_of("service", service) if not f.verified] == ["fee"]


def test_an_entry_for_a_fact_that_no_longer_exists_is_reported(tmp_path, fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["facts"]["materials.旧材料"] = {"source": "guide"}
    found = problems(write_base(tmp_path / "kb", county, services, bundles), "services/temp_id_card.yml")
    assert any(p.startswith("facts.materials.旧材料: 不对应任何事实") for p in found), found


def test_a_document_number_is_a_source_without_a_url(tmp_path, fixture_data):
    county, services, bundles = fixture_data
    service = services["temp_id_card"]
    service["sources"].append(
        {"id": "fee2018", "title": "停征首次申领工本费", "doc": "财税〔2018〕37号", "kind": "gov"}
    )
    service["facts"]["fee"] = {"source": "fee2018", "verified_by": "马工", "verified_on": "2026-12-03"}
    assert problems(write_base(tmp_path / "kb", county, services, bundles), "services/temp_id_card.yml") == []
    assert is_verified("service", service)


def test_a_changed_value_loses_its_source_until_confirmed_again(fixture_data):
    _, services, _ = fixture_data
    before = services["temp_id_card"]
    after = copy.deepcopy(before)
    after["fee"] = "每证10元"
    after["materials"].append({"name": "新材料", "form": "原件"})
    reconcile("service", before, after)
    assert after["facts"]["fee"] == "待核实" and after["facts"]["materials.新材料"] == "待核实"
    assert after["facts"]["place"] == {"source": "guide"}  # unchanged facts keep their source
    assert not is_verified("service", after)


def test_a_bundle_item_is_unverified_when_a_service_it_is_for_doubts_it(fixture_data):
    _, services, bundles = fixture_data
    bundle = bundles["newborn"]
    material = {"name": "居民户口簿", "form": "原件", "for": ["social_security_card"]}
    bundle["materials"].append(material)
    bundle["facts"]["materials.居民户口簿"] = {"source": "guide"}
    assert bundle_item_verified(services, bundle, material)
    services["social_security_card"]["facts"]["materials.居民户口簿"] = "待核实"
    assert not bundle_item_verified(services, bundle, material)


def test_checklists_mark_every_unverified_item_in_both_modes(tmp_path, fixture_data):
    county, services, bundles = fixture_data
    bundles["newborn"]["facts"]["materials.出生医学证明"] = "待核实"
    kb = KnowledgeBase(write_base(tmp_path / "kb", county, services, bundles))
    checklist = build_checklist(kb, "newborn", {"local_hukou": True, "insurance": "resident"})
    full, short = render_checklist(checklist), render_checklist(checklist, elderly=True)
    assert "1. 出生医学证明（原件，待核实）" in full and "说明：标“待核实”" in full
    assert "1. 出生医学证明（待核实）" in short and short.splitlines()[-1].startswith("标“待核实”的")
    bundles["newborn"]["facts"]["materials.出生医学证明"] = {"source": "guide"}
    kb = KnowledgeBase(write_base(tmp_path / "kb2", county, services, bundles))
    checklist = build_checklist(kb, "newborn", {"local_hukou": True, "insurance": "resident"})
    assert "出生医学证明（原件）" in render_checklist(checklist)


def test_an_unsourced_fee_carries_the_caveat_and_a_sourced_one_does_not(tmp_path, fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["facts"]["fee"] = "待核实"  # the value 免费 stays, its source is missing
    services["temp_id_card"].update(verified=False, verification_note="收费来源待核实。")
    kb = KnowledgeBase(write_base(tmp_path / "kb", county, services, bundles))
    fee = render_aspect(kb, "temp_id_card", "fee")
    assert "免费" in fee[0] and fee[-1].startswith("说明：收费尚未") and "12345" in fee[-1]
    assert render_aspect(kb, "temp_id_card", "fee", elderly=True)[-1] == "收费还在核实，去前先打12345问问。"
    assert not any("说明" in b for b in render_aspect(kb, "temp_id_card", "steps"))  # only the part asked
    assert not any("说明" in b for b in render_aspect(kb, "social_security_card", "fee"))


def test_a_pending_phone_is_offered_with_12345_beside_it(tmp_path, fixture_data):
    county, services, bundles = fixture_data
    county["halls"]["county_center"]["phone"] = "待核实"
    del county["facts"]["halls.county_center.phone"]
    county["verified"], county["verification_note"] = False, "电话待核实。"
    kb = KnowledgeBase(write_base(tmp_path / "kb", county, services, bundles))
    place = "\n".join(render_aspect(kb, "marriage_registration", "place"))  # civil_affairs: no own phone
    assert "电话：待核实；可先拨打12345政务服务便民热线问询" in place
    assert "说明：电话尚未" in place


def test_check_knowledge_fails_on_an_unsourced_fact_in_the_real_base(tmp_path):
    """The command itself, on a copy of knowledge/ with one fact's source removed."""
    import shutil
    import subprocess
    import sys

    import yaml

    from bot.settings import ROOT

    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    path = root / "services" / "residence_permit.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["facts"]["time_limit.legal"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    command = [sys.executable, "-m", "bot.knowledge.check", "--root", str(root), "--today", "2026-10-01"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert "services/residence_permit.yml: facts.time_limit.legal: 没有来源" in result.stdout
    assert result.stdout.count("没有来源") == 1


def test_the_national_rule_share_counts_only_national_rules_with_an_official_source() -> None:
    service = {
        "fee": "免费",
        "time_limit": {"legal": "20个工作日", "promised": "5个工作日"},
        "eligibility": {"who": "本县居民", "conditions": ["条件一", "待核实"]},
        "phone": "0955-1234567",
        "sources": [
            {"id": "law", "title": "某法", "doc": "国务院令第1号", "kind": "law"},
            {"id": "r", "title": "转载", "url": "https://x.cn", "kind": "lead"},
        ],
        "facts": {
            "fee": {"source": "law"},
            "time_limit.legal": {"lead": "r"},
            "time_limit.promised": {"source": "law"},
            "eligibility.who": {"source": "law"},
            "phone": {"source": "law"},
        },
    }
    share = sourced_share({"s": service})
    # fee, legal time limit, who, two conditions: promised time limit and phone are county facts
    assert (share.facts, share.official, share.settled, share.percent) == (5, 2, 4, 40)
    assert sourced_share({"s": service}, national_only=False).facts == 7
