"""Generator: Rasa NLU lookups/synonyms and the jieba dictionary; determinism and --check."""

from __future__ import annotations

import random

import jieba
import yaml

from bot.knowledge.generate import NLU_FILE, USERDICT_FILE, build_outputs, main
from bot.knowledge.words import domain_words
from tests.support.kb_fixtures import BUNDLES, SERVICES, write_yaml


def test_nlu_file_is_rasa_yaml_with_lookups_and_synonyms():
    content = build_outputs(SERVICES, BUNDLES)[NLU_FILE]
    assert content.startswith("# ") and "请勿手工编辑" in content.splitlines()[0]
    data = yaml.safe_load(content)
    assert data["version"] == "3.1"
    lookups = {item["lookup"]: item["examples"] for item in data["nlu"] if "lookup" in item}
    synonyms = {item["synonym"]: item["examples"] for item in data["nlu"] if "synonym" in item}
    services = [line[2:] for line in lookups["service"].splitlines()]
    assert services == sorted(services, key=lambda s: (-len(s), s))  # longest first
    assert {"居民身份证申领、换领、补领", "身份证办理", "补身份证", "社保卡"} <= set(services)
    assert "出生" not in services  # keywords are not names
    assert [line[2:] for line in lookups["bundle"].splitlines()][0] == '新生儿出生"一件事"'
    assert "- 补身份证" in synonyms["id_card"].splitlines()
    assert "- 娃出生了" in synonyms["newborn"].splitlines()


def test_nlu_file_parses_with_rasa():
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().reads(build_outputs(SERVICES, BUNDLES)[NLU_FILE])
    tables = {t["name"]: t["elements"] for t in data.lookup_tables}
    assert "临时身份证" in tables["service"]
    assert data.entity_synonyms["补身份证"] == "id_card"
    assert data.entity_synonyms["孩子出生"] == "newborn"


def test_userdict_lines_and_jieba_keeps_each_word_whole(tmp_path):
    content = build_outputs(SERVICES, BUNDLES)[USERDICT_FILE]
    lines = content.splitlines()
    assert lines == sorted(set(lines))
    assert all(len(line.split(" ")) == 3 and line.endswith(" 20000 nz") for line in lines)
    words = {line.split(" ")[0] for line in lines}
    assert {"身份证补办", "社保卡丢了", "婚姻登记", "娃出生了", "一件事一次办", "我的宁夏APP", "我的宁夏app"} <= words
    assert "居民身份证申领、换领、补领" not in words  # 、 can never be inside a jieba token
    assert set(domain_words()) - words <= {w for w in domain_words() if " " in w}

    path = tmp_path / "userdict.txt"
    path.write_text(content, encoding="utf-8")
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(path))
    assert "社保卡丢了" in tokenizer.lcut("我的社保卡丢了咋办")
    assert "娃出生了" in tokenizer.lcut("我家娃出生了")


def test_domain_words_file_has_the_expected_entries():
    words = domain_words()
    assert len(words) >= 60 and len(words) == len(set(words))
    for word in ("社保卡", "医保", "公积金", "营业执照", "一件事一次办", "12345", "跨省通办", "容缺受理"):
        assert word in words


def test_output_is_deterministic():
    first = build_outputs(SERVICES, BUNDLES)
    shuffled = list(SERVICES.items())
    random.Random(7).shuffle(shuffled)
    again = build_outputs(dict(shuffled), dict(reversed(list(BUNDLES.items()))))
    assert first == again


def test_main_writes_then_check_passes_and_detects_staleness(kb_root, capsys):
    out = kb_root.parent
    assert main(["--root", str(kb_root)]) == 0
    nlu, userdict = out / NLU_FILE, out / USERDICT_FILE
    assert nlu.exists() and userdict.exists()
    assert main(["--root", str(kb_root), "--check"]) == 0

    before = (nlu.read_text(encoding="utf-8"), userdict.stat().st_mtime_ns)
    path = kb_root / "services" / "temp_id_card.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["aliases"].append("临时证件")
    write_yaml(path, data)
    capsys.readouterr()
    assert main(["--root", str(kb_root), "--check"]) == 1
    printed = capsys.readouterr().out
    assert NLU_FILE in printed and USERDICT_FILE in printed
    assert (nlu.read_text(encoding="utf-8"), userdict.stat().st_mtime_ns) == before  # --check wrote nothing

    assert main(["--root", str(kb_root)]) == 0
    assert "临时证件" in nlu.read_text(encoding="utf-8")
    assert main(["--root", str(kb_root), "--check"]) == 0


def test_main_refuses_a_broken_base(kb_root, capsys):
    write_yaml(kb_root / "services" / "temp_id_card.yml", "id: [")
    assert main(["--root", str(kb_root)]) == 1
    assert not (kb_root.parent / NLU_FILE).exists()
    assert "temp_id_card.yml" in capsys.readouterr().err
    assert main(["--root", str(kb_root), "--allow-errors"]) == 0
