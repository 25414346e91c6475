"""A department the citizen names is taken only when it is one of the county's (issue 17, defect 2):
"两个月前开始" must not become a 承办部门 nobody works in."""

from __future__ import annotations

import pytest

from bot.core.settings import ROOT
from bot.knowledge.departments import read_departments, resolve_department
from bot.tickets.service import NewTicket

KNOWLEDGE = ROOT / "knowledge"


@pytest.mark.parametrize(
    "answer, department",
    [
        ("应该是人社局吧", "海原县人力资源和社会保障局"),
        ("派出所", "海原县公安局"),
        ("县医保局", "海原县医疗保障局"),
        ("交警", "海原县公安局交通警察大队"),
        ("找城管", "海原县综合执法局"),
        ("海原县民政局", "海原县民政局"),
        ("学校老师", "海原县教育体育局"),
        ("两个月前开始", None),
        ("村委会吧", "乡镇人民政府"),  # the township government, a department of the list
        ("镇政府", "乡镇人民政府"),
        ("文旅局", "海原县文化旅游广电局"),
        ("居委会旁边那家", None),
        ("好", None),
    ],
)
def test_answers_resolve_to_a_known_department_or_none(answer, department):
    assert resolve_department(answer, read_departments(KNOWLEDGE)) == department


def test_every_resolved_name_is_in_the_rules_or_the_county_file():
    names = {d.name for d in read_departments(KNOWLEDGE)}
    assert "海原县公安局" in names and not any("待核实" in n for n in names)


def ticket(department: str | None) -> NewTicket:
    return NewTicket(
        category="投诉",
        summary="路灯不亮",
        description="三河镇街上的路灯坏了两个月",
        phone="13812345678",
        consent=True,
        channel="智能助手-test",
        department=department,
    )


def test_the_backend_never_files_an_unknown_department(service):
    rules = service.rules
    known = {name for name, _ in rules.departments} | {rules.default_department}
    made, _ = service.create(ticket("两个月前开始"), "dept-1")
    assert made.department in known and made.department_inferred  # inferred from the content instead
    alias, _ = service.create(ticket("住建局"), "dept-2")
    assert alias.department == "海原县住房和城乡建设局" and not alias.department_inferred
    named, _ = service.create(ticket("海原县水务局"), "dept-3")
    assert named.department == "海原县水务局"
