"""The check command, and the real knowledge/ folder."""

from __future__ import annotations

import pytest
from real_queries import NEGATIVE, POSITIVE

from bot.knowledge.check import main
from bot.knowledge.loader import BUNDLE, KnowledgeBase, default_root
from bot.knowledge.render import ASPECTS, render_aspect
from bot.knowledge.search import AMBIGUOUS, CONFIDENT, EXACT, NONE, search
from tests.support.kb_fixtures import write_yaml


def test_check_passes_on_a_valid_base(kb_root, capsys):
    assert main(["--root", str(kb_root)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == f"{kb_root}: 6 个事项, 1 个一件事, 3 个未核实; 没有错误"
    assert out[:-1] == [
        "国家规定类事实（收费、法定时限、办理条件、亲友代办）有官方来源的：23 / 24（96%；内容已确定的 23 条）"
    ]


def test_check_prints_each_problem_and_fails(kb_root, capsys):
    write_yaml(kb_root / "services" / "temp_id_card.yml", "id: temp_id_card\nname: 临时身份证\n")
    assert main(["--root", str(kb_root)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert "services/temp_id_card.yml: steps: 缺少必填项" in lines
    assert lines[-1].endswith("个错误（涉及 1 个文件）")


# ---------------------------------------------------------------- the real content

REAL = default_root()
needs_real = pytest.mark.skipif(not (REAL / "county.yml").exists(), reason="knowledge/ not written yet")


@needs_real
def test_real_knowledge_base_is_valid(capsys):
    # A fixed day within the calendar: whether the calendar reaches far enough *today* is the job of
    # check-knowledge itself and of the console's warning (tests/knowledge/test_calendar_coverage.py).
    code = main(["--root", str(REAL), "--today", "2026-10-01"])
    assert code == 0, capsys.readouterr().out


@needs_real
def test_real_knowledge_base_renders_every_aspect():
    kb = KnowledgeBase(REAL)
    for service_id in kb.services:
        for aspect in ASPECTS:
            for elderly in (False, True):
                bubbles = render_aspect(kb, service_id, aspect, elderly=elderly)
                assert bubbles and "None" not in "".join(bubbles), (service_id, aspect)


@needs_real
def test_real_search_quality():
    """Guards the thresholds measured in bot/knowledge/search.py (see the note at its end)."""
    kb = KnowledgeBase(REAL)
    wrong, missed, answered = [], [], 0
    for text, expected in POSITIVE:
        allowed = expected if isinstance(expected, set) else {expected}
        result = search(kb, text)
        top = result.top.id if result.top else None
        if result.status in (EXACT, CONFIDENT):
            answered += 1
            if top not in allowed:
                wrong.append((text, top))
        elif result.status == AMBIGUOUS and not allowed & {c.id for c in result.candidates}:
            wrong.append((text, [c.id for c in result.candidates]))
        elif result.status == NONE:
            missed.append(text)
    confident_negatives = [t for t in NEGATIVE if search(kb, t).status in (EXACT, CONFIDENT)]
    assert not wrong and not confident_negatives, (wrong, confident_negatives)
    assert len(missed) <= 3, missed
    assert answered >= 0.6 * len(POSITIVE)


def test_check_reports_broken_notices_and_safety_files(tmp_path, capsys):
    import shutil

    from bot.knowledge.check import main
    from bot.settings import ROOT

    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    (root / "notices.yml").write_text("notices:\n  - id: Bad Id\n    title: 放假\n", encoding="utf-8")
    (root / "safety.yml").write_text("emergencies:\n  - kind: fire\n    numbers: ['119']\n", encoding="utf-8")
    assert main(["--root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "notices.yml: notices[0].id" in out and "notices.yml: notices[0].text: 缺少必填项" in out
    assert "safety.yml: emergencies[0].words" in out and "safety.yml: self_harm" in out


@needs_real
@pytest.mark.parametrize(
    "text, expected",
    [
        ("今年的医宝一个人交多少", "resident_medical_insurance"),
        ("户口前移要带啥", "hukou_migration"),
        ("养劳保险农村的能交不", "resident_pension_enroll"),
    ],
)
def test_homophone_slips_of_dictation_are_read_as_meant(text, expected):
    assert expected in [c.id for c in search(KnowledgeBase(REAL), text).candidates]


@needs_real
@pytest.mark.parametrize(
    "text, expected",
    [
        ("我妈前天过世了后面手续咋弄", "after_death"),
        ("在镇上开个拉面馆要办哪些证", "open_restaurant"),
        ("公司新招了几个员工要办啥", "employee_hiring"),
        ("卖了房子水电燃气也要过户", "second_hand_house_transfer"),
    ],
)
def test_life_events_in_own_words_point_at_the_bundle(text, expected):
    """What bundle_form offers when a citizen starts a bundle without naming it (actions/bundles.py)."""
    result = search(KnowledgeBase(REAL), text, kinds=(BUNDLE,), min_coverage=0.1)
    assert expected in [c.id for c in result.candidates]
