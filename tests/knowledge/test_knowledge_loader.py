"""Loader: indexes, reload on change, keep-last-good on broken files."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from bot.knowledge import loader
from bot.knowledge.loader import BUNDLE, SERVICE, KnowledgeBase
from tests.support.kb_fixtures import write_yaml


def touch_later(path: Path) -> None:
    """Make sure the mtime differs from the previous write, however coarse the clock."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def edit(path: Path, **changes) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    write_yaml(path, data)
    touch_later(path)


def test_loads_everything(kb):
    assert kb.ok and kb.errors == []
    assert set(kb.services) >= {"id_card", "social_security_card"}
    assert set(kb.bundles) == {"newborn"}
    assert kb.county["halls"]["county_center"]["name"] == "海原县政务服务中心"


def test_name_index_covers_names_short_names_and_aliases(kb):
    assert kb.name_index["居民身份证申领、换领、补领"] == (SERVICE, "id_card")
    assert kb.name_index["身份证办理"] == (SERVICE, "id_card")
    assert kb.name_index["补身份证"] == (SERVICE, "id_card")
    assert kb.name_index["娃出生了"] == (BUNDLE, "newborn")
    assert kb.lookup("id_card") == (SERVICE, "id_card")
    assert kb.lookup(" 社保卡 ") == (SERVICE, "social_security_card")
    assert kb.lookup("护照") is None


def test_department_and_hall_helpers(kb):
    assert kb.department("civil_affairs") == {"name": "海原县民政局"}  # short form
    assert kb.department("public_security")["phone"] == "0955-1111111"
    assert kb.hall("county_center")["address"] == "海原县测试路1号"
    assert kb.hall("nowhere") == {}


def test_reload_if_changed_is_a_no_op_without_changes(kb):
    version = kb.version
    assert kb.reload_if_changed() is False
    assert kb.version == version


def test_the_files_are_looked_at_at_most_every_check_seconds(kb, kb_root, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("bot.knowledge.loader.time.monotonic", lambda: clock[0])
    kb.check_seconds, kb._checked_at = 2.0, clock[0]
    edit(kb_root / "services" / "temp_id_card.yml", fee="工本费10元")
    clock[0] += 1.0
    assert kb.reload_if_changed() is False and kb.services["temp_id_card"]["fee"] != "工本费10元"
    clock[0] += 1.5
    assert kb.reload_if_changed() is True and kb.services["temp_id_card"]["fee"] == "工本费10元"


def test_reload_picks_up_edits_and_new_files(kb, kb_root):
    edit(kb_root / "services" / "temp_id_card.yml", fee="工本费10元")
    assert kb.reload_if_changed() is True
    assert kb.services["temp_id_card"]["fee"] == "工本费10元"

    new = dict(
        kb.services["divorce_registration"],
        id="passport",
        name="普通护照签发",
        short_name="护照办理",
        aliases=["办护照", "护照"],
        keywords=["出国"],
    )
    write_yaml(kb_root / "services" / "passport.yml", new)
    assert kb.reload_if_changed() is True
    assert kb.lookup("办护照") == (SERVICE, "passport")

    (kb_root / "services" / "passport.yml").unlink()
    assert kb.reload_if_changed() is True
    assert "passport" not in kb.services and kb.lookup("办护照") is None


def test_broken_file_keeps_last_good_version(kb, kb_root):
    path = kb_root / "services" / "temp_id_card.yml"
    good = kb.services["temp_id_card"]
    path.write_text("id: temp_id_card\nname: [oops\n", encoding="utf-8")
    touch_later(path)
    assert kb.reload_if_changed() is True
    assert kb.services["temp_id_card"] == good
    assert [i.file for i in kb.errors] == ["services/temp_id_card.yml"]
    assert not kb.ok

    facts = {**kb.services["id_card"]["facts"], "fee": "待核实"}  # a new value: no source yet
    edit(kb_root / "services" / "id_card.yml", fee="工本费20元", facts=facts)  # other edits still arrive
    kb.reload_if_changed()
    assert kb.services["id_card"]["fee"] == "工本费20元"
    assert kb.services["temp_id_card"] == good

    write_yaml(path, dict(good, fee="免费办理"))
    touch_later(path)
    kb.reload_if_changed()
    assert kb.ok and kb.services["temp_id_card"]["fee"] == "免费办理"


def test_invalid_content_keeps_last_good_version(kb, kb_root):
    good = kb.services["temp_id_card"]
    edit(kb_root / "services" / "temp_id_card.yml", category="乱写", fee="收费")
    kb.reload_if_changed()
    assert kb.services["temp_id_card"] == good
    assert any(i.field == "category" for i in kb.errors)


def test_new_incomplete_file_is_served_with_errors(kb, kb_root):
    """No good version yet: better to know the service than to hide it; the errors are exposed."""
    write_yaml(kb_root / "services" / "passport.yml", {"id": "passport", "name": "普通护照签发"})
    kb.reload_if_changed()
    assert kb.services["passport"]["name"] == "普通护照签发"
    assert {i.file for i in kb.errors} == {"services/passport.yml"}


def test_new_unusable_file_is_left_out(kb, kb_root):
    write_yaml(kb_root / "services" / "passport.yml", "- 不是键值表")
    write_yaml(kb_root / "services" / "visa.yml", {"id": "passport", "name": "签证"})  # id ≠ file name
    write_yaml(kb_root / "bundles" / "moving.yml", "name: [oops")
    kb.reload_if_changed()
    assert "passport" not in kb.services and "visa" not in kb.services and "moving" not in kb.bundles
    assert {i.file for i in kb.errors} == {"services/passport.yml", "services/visa.yml", "bundles/moving.yml"}


def test_broken_first_load_does_not_raise(tmp_path, kb_root):
    (kb_root / "county.yml").write_text("halls: [", encoding="utf-8")
    kb = KnowledgeBase(kb_root)
    assert not kb.ok
    assert kb.county == {}
    assert "temp_id_card" in kb.services or kb.errors  # never an exception


def test_missing_root_does_not_raise(tmp_path):
    kb = KnowledgeBase(tmp_path / "nothing")
    assert kb.services == {} and kb.errors
    assert kb.reload_if_changed() is False


def test_derived_values_are_rebuilt_after_reload(kb, kb_root):
    calls = []
    first = kb.derived("probe", lambda k: calls.append(1) or object())
    assert kb.derived("probe", lambda k: calls.append(1) or object()) is first
    edit(kb_root / "services" / "temp_id_card.yml", fee="工本费10元")
    kb.reload_if_changed()
    assert kb.derived("probe", lambda k: calls.append(1) or object()) is not first
    assert len(calls) == 2


def test_default_root_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path))
    assert loader.default_root() == tmp_path
    monkeypatch.delenv("KNOWLEDGE_DIR")
    assert loader.default_root() == Path(loader.__file__).resolve().parents[2] / "knowledge"


def test_shared_instance(kb_root):
    kb = loader.get_knowledge_base(kb_root)
    assert loader.get_knowledge_base(kb_root) is kb
