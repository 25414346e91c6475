"""The learned triage: result shape, the 表扬 trap, 待分派 with the top three, the cache and staff examples."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import yaml

from bot.triage import UNASSIGNED, triage
from bot.triage import model as triage_model
from bot.triage.corpus import CATEGORIES, CORPUS_DIR, read_jsonl
from bot.triage.model import Params, TriageModel, build, praise_guard
from bot.triage.text import for_model

ROOT = Path(__file__).resolve().parents[2]


def rule_departments() -> set[str]:
    data = yaml.safe_load((ROOT / "knowledge" / "ticket_rules.yml").read_text(encoding="utf-8"))
    return set(data["departments"])


def test_corpus_departments_are_routable():
    """Every department the corpus teaches exists in ticket_rules.yml, so a ticket can be routed there."""
    names = {e.department for path in CORPUS_DIR.glob("*.jsonl") for e in read_jsonl(path, "corpus")}
    assert names and names <= rule_departments()


def test_result_shape():
    result = triage("领导您好，我们小区物业收了钱不干活，电梯坏了一个月没人修，请督促整改。")
    assert result.category in CATEGORIES
    assert abs(sum(result.category_scores.values()) - 1) < 1e-6
    assert len(result.departments) == 3
    scores = [score for _, score in result.departments]
    assert scores == sorted(scores, reverse=True)
    assert {name for name, _ in result.departments} <= rule_departments()
    assert result.department_score == scores[0]
    assert result.urgency in {"now", "mentioned", "none"}
    assert isinstance(result.kb_question, bool)


def test_thanking_the_leader_in_a_complaint_is_a_complaint():
    letter = (
        "尊敬的领导，您好！感谢您在百忙之中看我的信，感谢领导一直为群众办实事。我是某小区业主，"
        "小区物业收了物业费却不打扫卫生，楼道里的灯坏了半年也没人修，业主找了多次都推诿，恳请领导督促解决。"
    )
    assert triage(letter).category == "投诉"


def test_praise_guard():
    scores = {"表扬": 0.6, "投诉": 0.3, "咨询": 0.1}
    assert praise_guard("感谢李医生把我父亲救回来了", scores) == "表扬"
    assert praise_guard("感谢领导百忙之中看信，但是工资至今没发", scores) == "投诉"


def test_kb_question_and_type_of_plain_question():
    result = triage("医保报销需要带哪些材料？")
    assert result.category == "咨询"
    assert result.kb_question


def test_present_danger_versus_a_past_one():
    assert triage("着火了，楼里有人被困，快来救人").urgency == "now"
    assert triage("我家楼下的饭馆去年着过一次火，油烟管道一直没有清理，请有关部门检查。").urgency != "now"


def test_below_threshold_goes_to_dispatcher_with_top_three():
    model = triage_model.get_model()
    strict = TriageModel(Params(department_threshold=1.01))
    strict.__dict__.update({k: v for k, v in model.__dict__.items() if k != "params"})
    result = strict.predict("我想说个事情")
    assert result.department == UNASSIGNED
    assert len(result.departments) == 3 and result.departments[0][0] != UNASSIGNED


def test_compiled_scores_equal_scikit_learn():
    """Prediction uses the fitted arrays directly (fast); it must give scikit-learn's probabilities."""
    model = triage_model.get_model()
    text = "领导您好，我是X村村民，包工头拖欠我们工资3万元，医保报销的材料也想问一下。"
    x = model.features([for_model(text)])
    scores = model.scores(text)
    for name, head in model.heads.items():
        expected = dict(zip(map(str, head.classes_), head.predict_proba(x)[0], strict=True))
        assert scores[name] == pytest.approx(expected, abs=1e-9)


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _small_corpus(directory: Path) -> Path:
    directory.mkdir()
    lines = (CORPUS_DIR / "short.jsonl").read_text(encoding="utf-8").splitlines()[:200]
    _write(directory / "short.jsonl", [json.loads(line) for line in lines])
    return directory


def test_cache_is_keyed_by_inputs_and_staff_examples_teach(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_MODEL_DIR", str(tmp_path / "models"))
    corpus = _small_corpus(tmp_path / "corpus")
    staff = tmp_path / "staff.jsonl"
    fits = []
    real_fit = TriageModel.fit
    monkeypatch.setattr(TriageModel, "fit", lambda self, ex: fits.append(len(ex)) or real_fit(self, ex))

    first = build(corpus_dir=corpus, staff_file=staff)
    again = build(corpus_dir=corpus, staff_file=staff)
    assert len(fits) == 1 and again.key == first.key  # the second process loads the cached model

    text = "羊圈旁边的蜂箱被人挪走了"
    example = {"text": text, "department": "海原县文化旅游广电局", "type": "举报"}
    _write(staff, [example] * 4)
    taught = build(corpus_dir=corpus, staff_file=staff)
    assert len(fits) == 2 and taught.key != first.key
    result = taught.predict(text)
    assert result.departments[0][0] == "海原县文化旅游广电局"
    assert result.category == "举报"


def test_the_launcher_trains_a_missing_cache_but_never_loads_an_existing_one(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_MODEL_DIR", str(tmp_path / "models"))
    corpus, staff = _small_corpus(tmp_path / "corpus"), tmp_path / "staff.jsonl"
    fits = []
    real_fit = TriageModel.fit
    monkeypatch.setattr(TriageModel, "fit", lambda self, ex: fits.append(len(ex)) or real_fit(self, ex))

    path = triage_model.ensure_cached(corpus_dir=corpus, staff_file=staff)
    assert path.is_file() and len(fits) == 1

    def no_loading(*_args, **_kwargs):
        raise AssertionError("the cached model was loaded")

    monkeypatch.setattr(triage_model.pickle, "load", no_loading)
    assert triage_model.ensure_cached(corpus_dir=corpus, staff_file=staff) == path and len(fits) == 1


def test_model_is_built_once_under_concurrent_first_calls(monkeypatch):
    built = []
    real_build = triage_model.build
    monkeypatch.setattr(triage_model, "build", lambda: built.append(1) or real_build())
    monkeypatch.setattr(triage_model, "_model", None)
    results = []
    threads = [threading.Thread(target=lambda: results.append(triage("停水三天了").category)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and len(set(results)) == 1 and len(results) == 8


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "a" * 5000])
def test_odd_input_still_gets_a_result(text):
    assert triage(text).category in CATEGORIES
