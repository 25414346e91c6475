"""Validation: one test per kind of error, on small fixtures."""

from __future__ import annotations

import pytest

from bot.knowledge.loader import check_base
from bot.knowledge.schema import Issue, validate_base
from tests.support.kb_fixtures import write_base, write_yaml


def issues_for(county, services, bundles) -> list[Issue]:
    return validate_base(
        county,
        {f"services/{k}.yml": v for k, v in services.items()},
        {f"bundles/{k}.yml": v for k, v in bundles.items()},
    )


def problems(issues, file=None) -> list[str]:
    return [f"{i.field}: {i.problem}" for i in issues if file is None or i.file == file]


def assert_issue(issues, file: str, field: str, *words: str) -> None:
    matching = [i for i in issues if i.file == file and i.field == field]
    assert matching, f"no issue for {file}: {field}; got {[str(i) for i in issues]}"
    assert any(all(w in i.problem for w in words) for i in matching), [str(i) for i in matching]


def test_fixture_is_valid(fixture_data):
    assert issues_for(*fixture_data) == []


def test_issue_prints_as_file_field_problem():
    assert str(Issue("services/x.yml", "materials[0].form", "不对")) == "services/x.yml: materials[0].form: 不对"


def test_missing_required_field(fixture_data):
    county, services, bundles = fixture_data
    del services["id_card"]["steps"]
    assert_issue(issues_for(county, services, bundles), "services/id_card.yml", "steps", "缺少")


def test_wrong_type(fixture_data):
    county, services, bundles = fixture_data
    services["id_card"]["steps"] = "到窗口办"
    services["id_card"]["time_limit"]["legal"] = 60
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "services/id_card.yml", "steps", "列表")
    assert_issue(issues, "services/id_card.yml", "time_limit.legal", "文字")


def test_unknown_field_is_reported(fixture_data):
    county, services, bundles = fixture_data
    services["id_card"]["matrials"] = []
    assert_issue(issues_for(county, services, bundles), "services/id_card.yml", "matrials", "未知字段")


def test_category_must_be_listed(fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["category"] = "证件"
    assert_issue(issues_for(county, services, bundles), "services/temp_id_card.yml", "category", "证件")


def test_material_form_and_count(fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["materials"][0].update(form="扫描件", count=0)
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "services/temp_id_card.yml", "materials[0].form", "扫描件")
    assert_issue(issues, "services/temp_id_card.yml", "materials[0].count", "正整数")


def test_flag_values_and_missing_flags(fixture_data):
    county, services, bundles = fixture_data
    flags = services["temp_id_card"]["flags"]
    flags["agency"] = "是"
    del flags["home_service"]
    flags["express"] = True
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "services/temp_id_card.yml", "flags.agency", "true | false | 待核实")
    assert_issue(issues, "services/temp_id_card.yml", "flags.home_service", "缺少")
    assert_issue(issues, "services/temp_id_card.yml", "flags.express", "未知")


def test_online_available_tristate(fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["online"]["available"] = "yes"
    assert_issue(issues_for(county, services, bundles), "services/temp_id_card.yml", "online.available")


def test_id_must_match_file_name_and_be_snake_case(fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["id"] = "temp_card"
    services["BadName"] = dict(services.pop("divorce_registration"), id="BadName")
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "services/temp_id_card.yml", "id", "文件名")
    assert_issue(issues, "services/BadName.yml", "id", "snake_case")


def test_department_and_hall_must_exist_in_county(fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["department"] = "police"
    services["temp_id_card"]["place"]["hall"] = "town_hall"
    bundles["newborn"]["departments"].append("health")
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "services/temp_id_card.yml", "department", "police")
    assert_issue(issues, "services/temp_id_card.yml", "place.hall", "town_hall")
    assert_issue(issues, "bundles/newborn.yml", "departments[2]", "health")


def test_related_service_must_exist(fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["related"] = ["id_card", "passport", "temp_id_card"]
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "services/temp_id_card.yml", "related[1]", "passport")
    assert_issue(issues, "services/temp_id_card.yml", "related[2]", "自己")


def test_bundle_component_service_must_exist(fixture_data):
    county, services, bundles = fixture_data
    bundles["newborn"]["components"][0]["service"] = "baby_card"
    assert_issue(issues_for(county, services, bundles), "bundles/newborn.yml", "components[0].service", "baby_card")


def test_bundle_component_needs_service_or_name(fixture_data):
    county, services, bundles = fixture_data
    bundles["newborn"]["components"].append({"when": {}})
    assert_issue(issues_for(county, services, bundles), "bundles/newborn.yml", "components[2]", "service", "name")


def test_bundle_material_for_must_name_a_component(fixture_data):
    county, services, bundles = fixture_data
    bundles["newborn"]["materials"][0]["for"].append("落户")
    assert_issue(issues_for(county, services, bundles), "bundles/newborn.yml", "materials[0].for[2]", "落户")


def test_question_type_and_options(fixture_data):
    county, services, bundles = fixture_data
    questions = bundles["newborn"]["questions"]
    questions[0]["type"] = "text"
    questions.append({"id": "town", "ask": "哪个乡镇？", "type": "choice"})
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "bundles/newborn.yml", "questions[0].type", "text")
    assert_issue(issues, "bundles/newborn.yml", "questions[2].options", "选项")


def test_ask_if_must_name_an_earlier_question(fixture_data):
    county, services, bundles = fixture_data
    questions = bundles["newborn"]["questions"]
    questions[0]["ask_if"] = {"insurance": "resident"}  # defined later
    assert_issue(issues_for(county, services, bundles), "bundles/newborn.yml", "questions[0].ask_if.insurance", "前面")


def test_when_values_must_fit_question(fixture_data):
    county, services, bundles = fixture_data
    bundle = bundles["newborn"]
    bundle["components"][0]["when"] = {"insurance": "urban"}
    bundle["components"][1]["when"] = {"local_hukou": "是"}
    bundle["materials"][0]["when"] = {"married": True}
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "bundles/newborn.yml", "components[0].when.insurance", "urban")
    assert_issue(issues, "bundles/newborn.yml", "components[1].when.local_hukou", "true 或 false")
    assert_issue(issues, "bundles/newborn.yml", "materials[0].when.married", "问题 id")


@pytest.mark.parametrize("alias, words", [("身份 证", ["空格"]), ("", ["非空"]), ("证", ["太短"])])
def test_alias_text(fixture_data, alias, words):
    county, services, bundles = fixture_data
    services["id_card"]["aliases"].append(alias)
    index = len(services["id_card"]["aliases"]) - 1
    assert_issue(issues_for(county, services, bundles), "services/id_card.yml", f"aliases[{index}]", *words)


def test_aliases_must_not_be_empty(fixture_data):
    county, services, bundles = fixture_data
    services["id_card"]["aliases"] = []
    assert_issue(issues_for(county, services, bundles), "services/id_card.yml", "aliases", "不能为空")


def test_alias_unique_across_services_and_bundles(fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["aliases"].append("身份证丢了")  # alias of id_card
    bundles["newborn"]["aliases"].append("社保卡")  # alias of social_security_card
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "services/temp_id_card.yml", "aliases[2]", "services/id_card.yml")
    assert_issue(issues, "bundles/newborn.yml", "aliases[3]", "services/social_security_card.yml")


def test_alias_must_not_equal_another_items_name(fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["aliases"].append("结婚登记")  # short_name of marriage_registration
    issues = issues_for(county, services, bundles)
    assert any(
        "结婚登记" in i.problem and i.file in ("services/temp_id_card.yml", "services/marriage_registration.yml")
        for i in issues
    )


def test_pending_value_requires_verified_false(fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["fee"] = "待核实"
    assert_issue(issues_for(county, services, bundles), "services/temp_id_card.yml", "verified", "fee")


def test_unverified_requires_note(fixture_data):
    county, services, bundles = fixture_data
    services["id_card"]["verification_note"] = " "
    assert_issue(issues_for(county, services, bundles), "services/id_card.yml", "verification_note", "待核实")


def test_pending_in_county_requires_verified_false(fixture_data):
    county, services, bundles = fixture_data
    county["halls"]["county_center"]["phone"] = "待核实"
    assert_issue(issues_for(county, services, bundles), "county.yml", "verified")


def test_sources_need_url(fixture_data):
    county, services, bundles = fixture_data
    services["temp_id_card"]["sources"] = []
    services["divorce_registration"]["sources"] = [{"id": "guide", "title": "指南", "kind": "gov"}]
    services["social_security_card"]["sources"] = [
        {"id": "guide", "title": "指南", "url": "www.example.com", "kind": "gov"}
    ]
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "services/temp_id_card.yml", "sources", "不能为空")
    assert_issue(issues, "services/divorce_registration.yml", "sources[0]", "url", "doc")
    assert_issue(issues, "services/social_security_card.yml", "sources[0].url", "http")


def test_county_needs_halls_and_departments(fixture_data):
    county, services, bundles = fixture_data
    del county["halls"]
    county["departments"]["tax"] = {"phone": "1"}
    issues = issues_for(county, services, bundles)
    assert_issue(issues, "county.yml", "halls", "大厅")
    assert_issue(issues, "county.yml", "departments.tax.name", "缺少")


def test_all_errors_are_collected(fixture_data):
    county, services, bundles = fixture_data
    services["id_card"]["category"] = "x"
    services["id_card"]["fee"] = ""
    services["temp_id_card"]["department"] = "nobody"
    bundles["newborn"]["time_limit"] = None
    issues = issues_for(county, services, bundles)
    assert {i.file for i in issues} == {"services/id_card.yml", "services/temp_id_card.yml", "bundles/newborn.yml"}
    assert len(issues) >= 4


def test_yaml_syntax_error_names_the_file(tmp_path):
    root = write_base(tmp_path / "knowledge")
    write_yaml(root / "services" / "temp_id_card.yml", "id: temp_id_card\nname: [unclosed\n")
    raw, issues = check_base(root)
    assert "services/temp_id_card.yml" not in raw.services
    assert any(i.file == "services/temp_id_card.yml" and "YAML" in i.problem for i in issues)
    # the others still refer to it without a second, misleading error
    assert [i for i in issues if i.file != "services/temp_id_card.yml"] == []


def test_missing_county_file(tmp_path):
    root = write_base(tmp_path / "knowledge")
    (root / "county.yml").unlink()
    _, issues = check_base(root)
    assert [str(i) for i in issues] == ["county.yml: (整个文件): 文件不存在"]
